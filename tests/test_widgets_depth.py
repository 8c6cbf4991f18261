"""Notebook 12's depth explorer: it builds and its controls redraw the run they name."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bplib.course.widgets import depth_explorer, plot_depth_run  # noqa: E402
from bplib.course.experiments import (DEFAULT_ACTIVATION, DEFAULT_DEPTH, DEFAULT_INIT, depth_run,  # noqa: E402
                                      describe_depth_run)
from widget_controls import control  # noqa: E402


def test_explorer_builds_with_its_three_controls(capsys):
    explorer = depth_explorer()
    assert isinstance(explorer, widgets.interactive)
    depth = control(explorer, "depth")
    assert isinstance(depth, widgets.IntSlider) and depth.value == DEFAULT_DEPTH
    init = control(explorer, "init")
    assert isinstance(init, widgets.Dropdown) and list(init.options) == ["normal", "xavier", "he"]
    assert init.value == DEFAULT_INIT
    activation = control(explorer, "activation")
    assert isinstance(activation, widgets.Dropdown) and activation.value == DEFAULT_ACTIVATION
    assert set(activation.options) == {"sigmoid", "tanh", "relu"}
    assert any(isinstance(w, widgets.Output) for w in explorer.children)
    # interactive draws once on construction: the one-line summary of the default run
    out = capsys.readouterr().out
    assert f"depth {DEFAULT_DEPTH}, {DEFAULT_ACTIVATION}, {DEFAULT_INIT} init:" in out
    assert explorer.result.depth == DEFAULT_DEPTH


def test_changing_the_controls_redraws_with_the_new_settings(capsys, figure_drawn_by):
    explorer = depth_explorer()
    capsys.readouterr()
    control(explorer, "activation").value = "relu"
    control(explorer, "init").value = "he"
    assert "depth 10, relu, he init:" in capsys.readouterr().out
    assert explorer.result.activation == "relu" and explorer.result.init == "he"
    fig = figure_drawn_by(lambda: setattr(control(explorer, "depth"), "value", 4))
    assert "depth 4, relu, he init:" in capsys.readouterr().out
    assert explorer.result.depth == 4 and len(explorer.result.grad_norms) == 4
    # the redrawn figure: three histograms (hidden layers 1-3) and four bars, the norms of this run
    assert fig._suptitle.get_text().startswith("A fresh 4-layer relu network, he initialisation")
    *histogram_axes, bars = fig.axes
    assert len(histogram_axes) == 3
    expected = depth_run(4, "he", "relu").grad_norms
    np.testing.assert_allclose([bar.get_height() for bar in bars.patches], list(expected.values()), rtol=1e-12)


def test_plot_function_defaults_print_the_summary_and_draw_two_rows(capsys):
    run = plot_depth_run()
    out = capsys.readouterr().out.strip()
    assert out == describe_depth_run(run)
    assert "vanishing gradients" in out
    fig = plt.gcf()
    # five histogram panels (layers 1, 3, 5, 7, 9) and one gradient-norm panel
    assert len(fig.axes) == 6
    bars = fig.axes[-1]
    assert bars.get_yscale() == "log" and bars.get_xlabel() and bars.get_title()
    assert len(bars.patches) == DEFAULT_DEPTH


