"""The secant explorer of notebooks 00 and 01 (run with the Agg backend; no kernel needed)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from bplib.course.widgets import draw_secant, secant_explorer  # noqa: E402
from bplib.course.widgets.secant import DEFAULT_EPS, DEFAULT_X0, cubic_derivative, secant_slope  # noqa: E402


@pytest.mark.parametrize("h, x0", [(0.5, 1.0), (1e-3, -0.7), (-0.25, 1.5)])
def test_secant_slope_matches_the_algebra(h, x0):
    # (f(x0 + h) - f(x0)) / h = 3 x0^2 - 2 + 3 x0 h + h^2 for f(x) = x^3 - 2x
    assert secant_slope(h, x0) == pytest.approx(3 * x0 ** 2 - 2 + 3 * x0 * h + h ** 2, rel=1e-9)


def test_draw_secant_defaults_print_and_label(capsys):
    slope = draw_secant()
    assert slope == pytest.approx(secant_slope(DEFAULT_EPS, DEFAULT_X0))
    out = capsys.readouterr().out
    assert out == "h = 0.5: secant slope = 2.7500, derivative f'(1) = 1.0000, difference = 1.7500\n"
    ax = plt.gcf().axes[0]
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert len(ax.get_legend().get_texts()) == 3
    assert tuple(plt.gcf().get_size_inches()) == (6, 4)


def test_small_steps_approach_the_derivative():
    errors = [abs(secant_slope(h) - cubic_derivative(DEFAULT_X0)) for h in (1e-1, 1e-2, 1e-3)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 4e-3


def test_h_zero_is_refused():
    with pytest.raises(ValueError, match=r"eps \(h\) must not be 0"):
        draw_secant(0.0)


def test_the_explorer_redraws_when_a_slider_moves(capsys):
    w = secant_explorer()
    assert isinstance(w, widgets.interactive)
    h_slider, x0_slider = w.children[0], w.children[1]
    assert (h_slider.description, x0_slider.description) == ("step h", "point x0")
    assert h_slider.value == pytest.approx(DEFAULT_EPS) and x0_slider.value == DEFAULT_X0
    capsys.readouterr()
    h_slider.value = 0.01
    assert w.result == pytest.approx(secant_slope(0.01, DEFAULT_X0))
    x0_slider.value = -1.0
    assert w.result == pytest.approx(secant_slope(0.01, -1.0))
