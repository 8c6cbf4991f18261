"""Notebook 08's XOR explorer and the batched trainer behind it (Agg backend, no kernel needed)."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bplib.data import xor  # noqa: E402
from bplib.nn import Linear, MSELoss, Sequential, Sigmoid  # noqa: E402
from bplib.optim import SGD  # noqa: E402
from bplib.course.widgets import plot_xor_run, xor_explorer  # noqa: E402
from bplib.course.experiments import learned_xor, train_xor  # noqa: E402
from bplib.course.widgets.xor import DEFAULT_EPOCHS, DEFAULT_HIDDEN, DEFAULT_LR, describe_xor_run  # noqa: E402
from widget_controls import control  # noqa: E402


def _bplib_run(lr, hidden, epochs, seed):
    """R1 written with bplib's layers, the reference train_xor must reproduce."""
    X, y = xor()
    rng = np.random.default_rng(seed)
    model = Sequential(Linear(2, hidden, init="normal", rng=rng), Sigmoid(),
                       Linear(hidden, 1, init="normal", rng=rng), Sigmoid())
    loss, optimizer = MSELoss(), SGD(lr)
    losses = []
    for _ in range(epochs):
        losses.append(loss.forward(model.forward(X), y))
        model.backward(loss.backward())
        optimizer.step(model)
    return model, np.array(losses)


@pytest.mark.parametrize(("lr", "hidden", "seed"), [(0.01, 4, 0), (1.0, 4, 3), (2.0, 2, 7)])
def test_train_xor_reproduces_bplib_sequential(lr, hidden, seed):
    X, _ = xor()
    model, losses = _bplib_run(lr, hidden, 300, seed)
    runs = train_xor(lr, hidden, 300, seed)
    np.testing.assert_allclose(runs.losses[:, 0], losses, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(runs.predictions[0], model.forward(X)[:, 0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(runs.model(0).forward(X), model.forward(X), rtol=1e-12, atol=1e-15)


def test_train_xor_runs_are_independent_of_their_batch():
    together = train_xor([0.5, 2.0, 0.5], 3, 200, [1, 1, 4])
    for i, (lr, seed) in enumerate([(0.5, 1), (2.0, 1), (0.5, 4)]):
        alone = train_xor(lr, 3, 200, seed)
        np.testing.assert_allclose(together.losses[:, i], alone.losses[:, 0], rtol=1e-12, atol=1e-15)
    assert together.W1.shape == (3, 2, 3) and together.b1.shape == (3, 3)
    assert together.W2.shape == (3, 3, 1) and together.b2.shape == (3, 1)
    assert together.predictions.shape == (3, 4) and together.final_loss.shape == (3,)


def test_r1_does_not_learn_at_lr_001_but_lr_1_does():
    runs = train_xor([0.01, 1.0], 4, 10_000, 0)
    assert runs.learned.tolist() == [False, True]
    assert runs.final_loss[0] > 0.24 and runs.final_loss[1] < 0.01


def test_train_xor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="3 learning rates but 2 seeds"):
        train_xor([0.1, 0.2, 0.3], 4, 10, [0, 1])
    with pytest.raises(ValueError, match="positive"):
        train_xor(0.0, 4, 10, 0)
    with pytest.raises(ValueError, match="hidden"):
        train_xor(0.1, 0, 10, 0)


def test_learned_xor_criterion():
    assert learned_xor(np.array([0.1, 0.9, 0.8, 0.2]))
    assert not learned_xor(np.array([0.49, 0.51, 0.51, 0.49]))   # the right side of 0.5, but no margin
    assert not learned_xor(np.array([[0.1], [0.9], [0.2], [0.9]]))
    np.testing.assert_array_equal(learned_xor(np.array([[0.1, 0.9, 0.8, 0.2], [0.5, 0.5, 0.5, 0.5]])),
                                  [True, False])
    with pytest.raises(ValueError):
        learned_xor(np.zeros(3))


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
