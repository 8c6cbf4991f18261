"""Notebook 12's depth explorer: it builds, its controls redraw, and its verdicts match the theory."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bplib.nn import Linear, ReLU, Sigmoid  # noqa: E402
from bplib.course.widgets import depth_explorer, plot_depth_run  # noqa: E402
from bplib.course.experiments import (DEFAULT_ACTIVATION, DEFAULT_DEPTH, DEFAULT_INIT, N_EXAMPLES, WIDTH,  # noqa: E402
                                     build_deep_net, depth_run, describe_depth_run, verdict)
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


def test_deep_net_shapes_and_layers():
    model = build_deep_net(5, "he", "relu", np.random.default_rng(0))
    assert len(model) == 9  # 4 hidden (Linear + ReLU) and the output Linear
    linears = [layer for layer in model if isinstance(layer, Linear)]
    assert [(l.in_features, l.out_features) for l in linears] == [(WIDTH, WIDTH)] * 4 + [(WIDTH, 10)]
    assert all(isinstance(model[i], ReLU) for i in range(1, 9, 2))
    assert isinstance(build_deep_net(3, "xavier", "sigmoid", np.random.default_rng(0))[1], Sigmoid)


def test_run_is_reproducible_and_records_every_layer():
    a, b = depth_run(6, "xavier", "tanh"), depth_run(6, "xavier", "tanh")
    assert a.grad_norms == b.grad_norms and a.loss == b.loss
    assert list(a.activations) == [f"layer {l}" for l in range(1, 6)]
    assert all(x.shape == (N_EXAMPLES, WIDTH) for x in a.activations.values())
    assert list(a.grad_norms) == [str(l) for l in range(1, 7)]


@pytest.mark.parametrize(("activation", "init", "expected"), [
    ("sigmoid", "xavier", "vanishing gradients"),      # sigma' <= 1/4 at every layer
    ("relu", "he", "healthy"),                         # Var(w) = 2 / D_in keeps the variance
    ("relu", "normal", "exploding"),                   # Var(w) = 1: the variance grows D_in / 2 per layer
    ("relu", "xavier", "shrinking activations"),       # Var(w) = 1 / D for square layers: halves per layer
    ("tanh", "normal", "saturated units"),             # |z| large: tanh stuck at +-1
    ("tanh", "xavier", "healthy"),
])
def test_verdicts_follow_the_variance_argument(activation, init, expected):
    assert expected in verdict(depth_run(10, init, activation))


def test_sigmoid_gradient_shrinks_by_orders_of_magnitude_with_depth():
    shallow, deep = depth_run(3, "xavier", "sigmoid"), depth_run(15, "xavier", "sigmoid")
    assert deep.ratio < 1e-6 < shallow.ratio
    norms = list(deep.grad_norms.values())
    assert all(a < b for a, b in zip(norms, norms[1:])), "every layer nearer the input gets a smaller gradient"


def test_he_relu_activations_keep_their_variance():
    run = depth_run(20, "he", "relu")
    stds = np.array([a.std() for a in run.activations.values()])
    assert np.all((stds > 0.3) & (stds < 3))


@pytest.mark.parametrize(("kwargs", "phrase"), [
    ({"depth": 1}, "depth must be"), ({"init": "glorot"}, "unknown init"), ({"activation": "elu"}, "unknown activation"),
])
def test_bad_settings_are_rejected(kwargs, phrase):
    with pytest.raises(ValueError, match=phrase):
        depth_run(**kwargs)
