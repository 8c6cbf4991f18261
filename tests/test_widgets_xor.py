"""Notebook 08's XOR explorer: its sliders redraw the run they name (Agg backend, no kernel needed)."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bplib.course.widgets import plot_xor_run, xor_explorer  # noqa: E402
from bplib.course.experiments import train_xor  # noqa: E402
from bplib.course.widgets.xor import DEFAULT_EPOCHS, DEFAULT_HIDDEN, DEFAULT_LR, describe_xor_run  # noqa: E402
from widget_controls import control  # noqa: E402


def test_plot_function_defaults(capsys):
    final = plot_xor_run()
    out = capsys.readouterr().out.strip()
    assert out == describe_xor_run(True, final, DEFAULT_LR, DEFAULT_HIDDEN, DEFAULT_EPOCHS, 0)
    assert out.startswith("learned XOR: True, final loss 0.0")
    fig = plt.gcf()
    assert len(fig.axes) == 2
    boundary_ax, loss_ax = fig.axes
    for ax in (boundary_ax, loss_ax):
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert loss_ax.get_yscale() == "log"
    assert len(loss_ax.lines[0].get_xdata()) == DEFAULT_EPOCHS


def test_explorer_builds_with_its_sliders(capsys):
    explorer = xor_explorer()
    assert isinstance(explorer, widgets.interactive)
    lr = control(explorer, "learning rate")
    assert isinstance(lr, widgets.FloatLogSlider)
    assert lr.value == pytest.approx(DEFAULT_LR)
    hidden = control(explorer, "hidden units")
    assert isinstance(hidden, widgets.IntSlider) and hidden.value == DEFAULT_HIDDEN
    assert isinstance(control(explorer, "seed"), widgets.IntSlider)
    assert any(isinstance(w, widgets.Output) for w in explorer.children)
    # interactive draws once on construction
    assert "learned XOR: True, final loss" in capsys.readouterr().out


def test_moving_the_sliders_changes_the_line_and_the_result(capsys, figure_drawn_by):
    explorer = xor_explorer()
    first = explorer.result
    capsys.readouterr()
    fig = figure_drawn_by(lambda: setattr(control(explorer, "learning rate"), "value", 0.01))
    out = capsys.readouterr().out
    assert "learned XOR: False, final loss 0.25" in out
    assert "lr 0.01," in out
    assert explorer.result != first
    # the redrawn figure: the boundary of a network that has not learned, the loss curve of lr 0.01
    boundary_ax, loss_ax = fig.axes
    assert boundary_ax.get_title() == "2-4-1 network, lr 0.01: has not learned XOR"
    expected = train_xor(0.01, DEFAULT_HIDDEN, DEFAULT_EPOCHS, 0).losses[:, 0]
    np.testing.assert_array_equal(loss_ax.lines[0].get_ydata(), expected)
    assert loss_ax.get_title() == f"Loss per epoch (final {explorer.result:.3f})"
    control(explorer, "hidden units").value = 1
    control(explorer, "learning rate").value = 1.0
    out = capsys.readouterr().out
    assert "learned XOR: False" in out and "1 hidden unit," in out
