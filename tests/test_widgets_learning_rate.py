"""Notebook 04's learning-rate explorer: it builds, its slider redraws, divergence is reported."""

from __future__ import annotations

import math
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bplib.course.surfaces import (QUADRATIC_START, four_wells, four_wells_critical_points, four_wells_grad,  # noqa: E402
                            gradient_descent, quadratic, quadratic_grad)
from bplib.course.widgets import learning_rate_explorer, plot_learning_rate_run  # noqa: E402
from bplib.course.widgets.learning_rate import DEFAULT_LR, DEFAULT_STEPS, run_on_quadratic  # noqa: E402
from widget_controls import control  # noqa: E402


def test_explorer_builds_with_a_log_slider(capsys):
    explorer = learning_rate_explorer()
    assert isinstance(explorer, widgets.interactive)
    lr = control(explorer, "learning rate")
    assert isinstance(lr, widgets.FloatLogSlider)
    assert lr.value == pytest.approx(DEFAULT_LR)
    assert isinstance(control(explorer, "steps"), widgets.IntSlider)
    assert any(isinstance(w, widgets.Output) for w in explorer.children)
    # interactive draws once on construction: the one-line result of the default run
    assert f"lr = {DEFAULT_LR:.3f}: loss after {DEFAULT_STEPS} steps" in capsys.readouterr().out
    assert math.isfinite(explorer.result)


def _line(ax, label):
    """The one line of ``ax`` drawn with ``label``."""
    lines = [line for line in ax.lines if line.get_label() == label]
    assert len(lines) == 1, f"expected one line labelled {label!r} in {ax.get_title()!r}"
    return lines[0]


def test_large_learning_rate_on_the_slider_reports_divergence(capsys, figure_drawn_by):
    explorer = learning_rate_explorer()
    capsys.readouterr()
    fig = figure_drawn_by(lambda: setattr(control(explorer, "learning rate"), "value", 0.5))
    out = capsys.readouterr().out
    assert "lr = 0.500: diverged at step" in out
    assert explorer.result == math.inf
    # the redrawn figure shows the diverging run of lr 0.5, not the default run
    path, losses, diverged_at = run_on_quadratic(0.5, DEFAULT_STEPS)
    assert diverged_at is not None
    path_ax, loss_ax = fig.axes
    assert path_ax.get_title() == "Gradient descent, lr = 0.500 (diverged)"
    drawn = _line(path_ax, "path").get_xydata()
    np.testing.assert_array_equal(drawn, path)
    np.testing.assert_array_equal(_line(loss_ax, "loss").get_ydata(), losses)


def test_moving_the_slider_changes_the_result(capsys):
    explorer = learning_rate_explorer()
    first = explorer.result
    control(explorer, "learning rate").value = 0.01
    assert explorer.result != first
    assert "lr = 0.010: loss after 30 steps" in capsys.readouterr().out
    control(explorer, "steps").value = 60
    assert "lr = 0.010: loss after 60 steps" in capsys.readouterr().out


def test_plot_function_defaults_give_a_finite_small_loss(capsys):
    final = plot_learning_rate_run()
    assert math.isfinite(final) and 0 < final < 1e-2
    out = capsys.readouterr().out.strip()
    assert out == f"lr = 0.150: loss after 30 steps = {final:.3g}"
    fig = plt.gcf()
    assert len(fig.axes) == 2
    contour_ax, loss_ax = fig.axes
    assert contour_ax.get_xlabel() and contour_ax.get_ylabel() and contour_ax.get_title()
    assert loss_ax.get_yscale() == "log"


@pytest.mark.parametrize(("lr", "diverges"), [(0.01, False), (0.19, False), (0.21, True), (1.0, True)])
def test_divergence_threshold_is_two_over_the_largest_curvature(lr, diverges):
    _, _, diverged_at = run_on_quadratic(lr, steps=100)
    assert (diverged_at is not None) == diverges


def test_gradients_match_finite_differences():
    eps = 1e-6
    for f, grad, w in [(quadratic, quadratic_grad, np.array([-1.3, 0.7])),
                       (four_wells, four_wells_grad, np.array([0.4, -1.2]))]:
        numeric = np.array([(f(w + eps * e) - f(w - eps * e)) / (2 * eps) for e in np.eye(2)])
        np.testing.assert_allclose(grad(w), numeric, rtol=1e-6, atol=1e-8)


def test_gradient_descent_path_and_closed_form():
    lr, steps = 0.15, 12
    path = gradient_descent(quadratic_grad, QUADRATIC_START, lr, steps)
    assert path.shape == (steps + 1, 2)
    k = np.arange(steps + 1)[:, None]
    expected = np.array(QUADRATIC_START) * (1 - lr * np.array([1.0, 10.0])) ** k
    np.testing.assert_allclose(path, expected, rtol=1e-12, atol=1e-15)
    # a diverging run stops once |w| is huge instead of overflowing
    assert len(gradient_descent(quadratic_grad, QUADRATIC_START, 5.0, 1000)) < 1001


def test_four_wells_critical_points_have_zero_gradient():
    points = four_wells_critical_points()
    assert sum(len(p) for p in points.values()) == 9
    for p in points.values():
        np.testing.assert_allclose(four_wells_grad(p), 0.0, atol=1e-12)
    assert four_wells(points["global minima"]).max() < four_wells(points["local minima"]).min()
