"""Notebook 11's optimiser explorer: its sliders redraw the paths of the optimisers they set (Agg backend)."""

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

from bplib.course.surfaces import QUADRATIC_START, quadratic_grad  # noqa: E402
from bplib.course.widgets import optimiser_explorer, plot_optimiser_run  # noqa: E402
from bplib.course.experiments import make_optimisers, optimiser_path  # noqa: E402
from bplib.course.widgets.optimisers import (DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_LR, DEFAULT_RHO,  # noqa: E402
                                             DEFAULT_STEPS)
from widget_controls import control  # noqa: E402


def test_plot_function_defaults(capsys):
    final = plot_optimiser_run()
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == f"lr {DEFAULT_LR:.3g}, beta1 {DEFAULT_BETA1:.3g}, beta2 {DEFAULT_BETA2:.4g}, rho {DEFAULT_RHO:.3g}, {DEFAULT_STEPS} steps"
    assert len(lines) == 5
    # the story the notebook tells: momentum rolls over the bump into the deeper well, the others stay
    momentum_line = next(line for line in lines if "SGD + momentum" in line)
    assert "left well (global minimum)" in momentum_line
    for name in ("SGD ", "RMSprop", "Adam"):
        line = next(line for line in lines[1:] if line.strip().startswith(name))
        assert "right well (local minimum)" in line
    assert all(math.isfinite(v) and v < 0.01 for v in final.values())
    fig = plt.gcf()
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
        assert ax.get_legend() is not None


def test_explorer_builds_with_its_sliders(capsys):
    explorer = optimiser_explorer()
    assert isinstance(explorer, widgets.interactive)
    assert isinstance(control(explorer, "learning rate"), widgets.FloatLogSlider)
    for name, value in (("beta1", DEFAULT_BETA1), ("beta2", DEFAULT_BETA2), ("rho", DEFAULT_RHO)):
        slider = control(explorer, name)
        assert isinstance(slider, widgets.FloatSlider)
        assert slider.value == pytest.approx(value)
    assert any(isinstance(w, widgets.Output) for w in explorer.children)
    assert "lr 0.15, beta1 0.9" in capsys.readouterr().out


def test_moving_the_sliders_redraws(capsys, figure_drawn_by):
    explorer = optimiser_explorer()
    first = dict(explorer.result)
    capsys.readouterr()
    fig = figure_drawn_by(lambda: setattr(control(explorer, "learning rate"), "value", 0.5))
    out = capsys.readouterr().out
    assert "lr 0.5, beta1 0.9" in out
    assert "SGD             quadratic: diverged" in out
    assert explorer.result["SGD"] == math.inf and first["SGD"] < 1e-10
    # the redrawn figure shows the paths of lr 0.5: SGD's is the diverging one, cut short
    assert "lr 0.5," in fig._suptitle.get_text()
    quad_ax = fig.axes[0]
    for name, optimizer in make_optimisers(0.5, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_RHO).items():
        drawn = [line for line in quad_ax.lines if line.get_label() == name]
        assert len(drawn) == 1, name
        np.testing.assert_array_equal(drawn[0].get_xydata(),
                                      optimiser_path(optimizer, quadratic_grad, QUADRATIC_START, DEFAULT_STEPS))
    sgd_line = next(line for line in quad_ax.lines if line.get_label() == "SGD")
    assert len(sgd_line.get_xdata()) < DEFAULT_STEPS + 1
    control(explorer, "beta1").value = 0.0
    assert "beta1 0," in capsys.readouterr().out
    control(explorer, "beta2").value = 0.99
    assert "beta2 0.99," in capsys.readouterr().out
