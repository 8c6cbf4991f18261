"""The XOR explorer of notebook 08: how the learning rate and the hidden layer decide whether R1 learns.

R1, the classic NumPy XOR program, is a 2-H-1 sigmoid network (H = 4) trained with the mean squared
error by full-batch gradient descent, its weights drawn from N(0, 1). Its learning rate of 0.01 is
far too small: after 10,000 epochs the network still answers about 0.5 for every input.

* :func:`train_xor` trains such networks, several at once: one per (learning rate, seed) pair, all
  in the same arrays with a leading "run" axis. It computes exactly what bplib's
  ``Sequential(Linear(2, H, init="normal"), Sigmoid(), Linear(H, 1, init="normal"), Sigmoid())``
  with ``MSELoss`` and ``SGD(lr)`` computes (the same initial weights for the same seed, the same
  formulas), only without a Python loop over the runs, which makes sweeps over learning rates and
  seeds fast enough for a notebook. :meth:`XorRuns.model` turns one trained run into a bplib model.
* :func:`learned_xor` is the course's criterion for "has learned XOR".
* :func:`plot_xor_run` draws one run (decision boundary and loss curve) and prints a one-line result
  (the notebook's compared cell calls it with its defaults).
* :func:`xor_explorer` wraps the same drawing in an ipywidgets ``interactive`` with a
  ``FloatLogSlider`` ("learning rate"), an ``IntSlider`` ("hidden units") and an ``IntSlider`` ("seed").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
import numpy as np

from bplib.data import xor
from bplib.functions import sigmoid
from bplib.nn import Linear, Sequential, Sigmoid
from bplib.course.plots import decision_boundary
from bplib.course.widgets import _display

__all__ = ["DEFAULT_LR", "DEFAULT_HIDDEN", "DEFAULT_EPOCHS", "LEARNED_TOLERANCE", "XorRuns", "train_xor",
           "learned_xor", "describe_xor_run", "plot_xor_run", "xor_explorer"]

#: Learning rate of the explorer's first drawing (R1's own 0.01 does not learn; 1.0 does).
DEFAULT_LR: float = 1.0
#: Hidden units of the explorer's first drawing (R1 has 4).
DEFAULT_HIDDEN: int = 4
#: Epochs of full-batch gradient descent per drawing (R1 runs 10,000; 2,000 keep the widget quick).
DEFAULT_EPOCHS: int = 2000
#: A run has learned XOR when every output is within this distance of its target, i.e. below 0.4
#: for a 0 and above 0.6 for a 1: on the right side of 0.5 with a margin, so that outputs that
#: merely hover around 0.5 do not count.
LEARNED_TOLERANCE: float = 0.4


def learned_xor(predictions: np.ndarray, targets: np.ndarray | None = None,
                tolerance: float = LEARNED_TOLERANCE) -> np.ndarray | bool:
    """Whether the outputs for the four XOR inputs are all within ``tolerance`` of their targets.

    Parameters
    ----------
    predictions : array of shape (4,), (4, 1) or (S, 4)
        Network outputs for ``X = [[0, 0], [0, 1], [1, 0], [1, 1]]`` (one row per run for ``(S, 4)``).
    targets : array of 4 targets, default ``[0, 1, 1, 0]``
    tolerance : float
        Largest allowed ``|prediction - target|`` (default 0.4).

    Returns
    -------
    bool for one run, or a boolean array of shape (S,) for ``(S, 4)`` predictions.
    """
    p = np.asarray(predictions, dtype=np.float64)
    t = xor()[1].reshape(4) if targets is None else np.asarray(targets, dtype=np.float64).reshape(4)
    if p.shape in ((4,), (4, 1)):
        return bool(np.all(np.abs(p.reshape(4) - t) < tolerance))
    if p.ndim == 2 and p.shape[1] == 4:
        return np.all(np.abs(p - t) < tolerance, axis=1)
    raise ValueError(f"learned_xor: expected predictions of shape (4,), (4, 1) or (S, 4), got {p.shape}")


@dataclass
class XorRuns:
    """The result of :func:`train_xor`: S trained 2-H-1 sigmoid networks.

    Attributes
    ----------
    lrs : (S,) learning rate of each run
    seeds : (S,) seed of each run (``np.random.default_rng(seed)`` drew its initial weights)
    hidden : H, the number of hidden units (the same for all runs)
    epochs : number of gradient-descent steps
    W1, b1, W2, b2 : trained parameters of shapes (S, 2, H), (S, H), (S, H, 1), (S, 1)
    losses : (epochs, S) the loss at the start of each epoch (before its update), as ``fit`` records it
    predictions : (S, 4) outputs of the trained networks for the four XOR inputs
    final_loss : (S,) the loss of the trained networks (after the last update)
    learned : (S,) bool, :func:`learned_xor` of each run's predictions
    """

    lrs: np.ndarray
    seeds: np.ndarray
    hidden: int
    epochs: int
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    losses: np.ndarray
    predictions: np.ndarray
    final_loss: np.ndarray
    learned: np.ndarray

    def __len__(self) -> int:
        return len(self.lrs)

    def model(self, i: int = 0) -> Sequential:
        """Run ``i`` as a bplib ``Sequential`` (Linear, Sigmoid, Linear, Sigmoid) holding copies of its weights."""
        # The layers' own random initial weights are overwritten at once by the trained ones.
        net = Sequential(Linear(2, self.hidden, init="normal", rng=np.random.default_rng(0)), Sigmoid(),
                         Linear(self.hidden, 1, init="normal", rng=np.random.default_rng(0)), Sigmoid())
        net[0].params["W"][...] = self.W1[i]
        net[0].params["b"][...] = self.b1[i]
        net[2].params["W"][...] = self.W2[i]
        net[2].params["b"][...] = self.b2[i]
        return net

    def __repr__(self) -> str:
        return (f"XorRuns({len(self)} runs of a 2-{self.hidden}-1 network, {self.epochs} epochs, "
                f"{int(self.learned.sum())} learned XOR)")


def _as_runs(lr: float | Sequence[float], seeds: int | Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Learning rates and seeds as two arrays of equal length S (a single value is repeated)."""
    lrs = np.atleast_1d(np.asarray(lr, dtype=np.float64))
    seed_array = np.atleast_1d(np.asarray(seeds))
    if lrs.ndim != 1 or seed_array.ndim != 1:
        raise ValueError("train_xor: lr and seeds must be numbers or 1-D sequences")
    if len(lrs) == 1 and len(seed_array) > 1:
        lrs = np.repeat(lrs, len(seed_array))
    elif len(seed_array) == 1 and len(lrs) > 1:
        seed_array = np.repeat(seed_array, len(lrs))
    if len(lrs) != len(seed_array):
        raise ValueError(f"train_xor: got {len(lrs)} learning rates but {len(seed_array)} seeds; "
                         f"give one of them as a single value, or both with the same length")
    if not np.all(lrs > 0):
        raise ValueError(f"train_xor: learning rates must be positive, got {lrs}")
    if not np.issubdtype(seed_array.dtype, np.integer):
        raise ValueError(f"train_xor: seeds must be integers, got {seed_array}")
    return lrs, seed_array


def train_xor(lr: float | Sequence[float] = DEFAULT_LR, hidden: int = DEFAULT_HIDDEN,
              epochs: int = DEFAULT_EPOCHS, seeds: int | Sequence[int] = 0) -> XorRuns:
    """Train 2-``hidden``-1 sigmoid networks on XOR the way R1 does, one run per (learning rate, seed).

    Each run is what this bplib code computes, for ``rng = np.random.default_rng(seed)``::

        model = Sequential(Linear(2, hidden, init="normal", rng=rng), Sigmoid(),
                           Linear(hidden, 1, init="normal", rng=rng), Sigmoid())
        loss, optimizer = MSELoss(), SGD(lr)
        for epoch in range(epochs):                  # full batch: all four XOR points every step
            loss.forward(model.forward(X), y)
            model.backward(loss.backward())
            optimizer.step(model)

    The S runs are stacked along a leading axis (``W1`` is (S, 2, H), and so on) and updated together,
    with the formulas of bplib's layers: ``delta2 = 2 (a2 - y) / N * a2 (1 - a2)``,
    ``dW2 = a1^T delta2``, ``db2 = sum_n delta2``, ``delta1 = (delta2 W2^T) * a1 (1 - a1)``,
    ``dW1 = X^T delta1``, ``db1 = sum_n delta1``, then ``p -= lr * dp``.

    Parameters
    ----------
    lr : a learning rate, or one per run
    hidden : number of hidden units H (R1: 4)
    epochs : number of full-batch gradient-descent steps (R1: 10,000)
    seeds : a seed, or one per run; a single ``lr`` or seed is used for every run

    Returns
    -------
    XorRuns
    """
    if int(hidden) != hidden or hidden < 1:
        raise ValueError(f"train_xor: hidden must be a positive integer, got {hidden!r}")
    if int(epochs) != epochs or epochs < 0:
        raise ValueError(f"train_xor: epochs must be a non-negative integer, got {epochs!r}")
    hidden, epochs = int(hidden), int(epochs)
    lrs, seed_array = _as_runs(lr, seeds)
    X, y = xor()                                   # (4, 2) and (4, 1)
    n_runs, n = len(lrs), len(X)

    # Initial weights: the draws Linear(2, H, init="normal", rng) and Linear(H, 1, ...) make, in order.
    W1 = np.empty((n_runs, 2, hidden))
    W2 = np.empty((n_runs, hidden, 1))
    for i, seed in enumerate(seed_array):
        rng = np.random.default_rng(int(seed))
        W1[i] = rng.standard_normal((2, hidden))
        W2[i] = rng.standard_normal((hidden, 1))
    b1 = np.zeros((n_runs, 1, hidden))             # biases with a length-1 batch axis, to broadcast
    b2 = np.zeros((n_runs, 1, 1))
    step = lrs[:, None, None]                      # (S, 1, 1): each run's learning rate

    losses = np.empty((epochs, n_runs))
    for epoch in range(epochs):
        a1 = sigmoid(X @ W1 + b1)                  # (S, N, H)
        a2 = sigmoid(a1 @ W2 + b2)                 # (S, N, 1)
        diff = a2 - y                              # (S, N, 1); y is (N, 1): no (N, N) broadcasting
        losses[epoch] = np.mean(diff * diff, axis=(1, 2))
        delta2 = diff * (2.0 / n) * a2 * (1.0 - a2)                   # dL/dz2, (S, N, 1)
        delta1 = (delta2 @ W2.transpose(0, 2, 1)) * a1 * (1.0 - a1)   # dL/dz1, (S, N, H), with W2 before its update
        W2 -= step * (a1.transpose(0, 2, 1) @ delta2)                 # dW2 = a1^T delta2, (S, H, 1)
        b2 -= step * delta2.sum(axis=1, keepdims=True)                # db2 = sum over the batch
        W1 -= step * (X.T @ delta1)                                   # dW1 = X^T delta1, (S, 2, H)
        b1 -= step * delta1.sum(axis=1, keepdims=True)                # db1 = sum over the batch

    predictions = sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)[:, :, 0]    # (S, 4)
    final_loss = np.mean((predictions - y[:, 0]) ** 2, axis=1)
    return XorRuns(lrs=lrs, seeds=seed_array, hidden=hidden, epochs=epochs, W1=W1, b1=b1[:, 0, :],
                   W2=W2, b2=b2[:, 0, :], losses=losses, predictions=predictions, final_loss=final_loss,
                   learned=learned_xor(predictions))


def describe_xor_run(learned: bool, final_loss: float, lr: float, hidden: int, epochs: int, seed: int) -> str:
    """The explorer's one-line result, e.g. ``learned XOR: True, final loss 0.001 (lr 1, 4 hidden units, ...)``."""
    units = "unit" if hidden == 1 else "units"
    return (f"learned XOR: {bool(learned)}, final loss {final_loss:.3f} "
            f"(lr {lr:.3g}, {hidden} hidden {units}, seed {seed}, {epochs} epochs)")


def plot_xor_run(lr: float = DEFAULT_LR, hidden: int = DEFAULT_HIDDEN, epochs: int = DEFAULT_EPOCHS,
                 seed: int = 0, fig: Figure | None = None) -> float:
    """Train one 2-``hidden``-1 network on XOR (:func:`train_xor`), print a one-line result and draw it.

    Left panel: the decision boundary of the trained network (``bplib.course.plots.decision_boundary``).
    Right panel: the loss per epoch on a log scale, with the 0.25 plateau of "0.5 for every input".
    The figure is 10x4 inches; the caller ends the cell with ``plt.show()``.

    Returns
    -------
    float
        The final loss (mean squared error of the trained network).
    """
    runs = train_xor(lr, hidden, epochs, seed)
    final = float(runs.final_loss[0])
    learned = bool(runs.learned[0])
    print(describe_xor_run(learned, final, lr, hidden, epochs, seed))

    X, y = xor()
    if fig is None:
        fig = plt.figure(figsize=(10, 4), layout="constrained")
    ax_boundary, ax_loss = fig.subplots(1, 2)
    verdict = "learned XOR" if learned else "has not learned XOR"
    decision_boundary(runs.model(0), X, y, ax=ax_boundary,
                      title=f"2-{hidden}-1 network, lr {lr:.3g}: {verdict}")
    ax_loss.semilogy(np.arange(1, epochs + 1), runs.losses[:, 0], color="tab:blue", label="training loss")
    ax_loss.axhline(0.25, color="gray", linestyle="--", label="0.25: output 0.5 for every input")
    ax_loss.set_ylim(1e-5, 1.0)   # fixed, so that runs compare at a glance
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("MSE loss (log scale)")
    ax_loss.set_title(f"Loss per epoch (final {final:.3f})")
    ax_loss.legend(loc="lower left")
    return final


def xor_explorer(lr: float = DEFAULT_LR, hidden: int = DEFAULT_HIDDEN, epochs: int = DEFAULT_EPOCHS,
                 seed: int = 0) -> widgets.interactive:
    """Sliders for the learning rate (log scale, 0.001 to 10), the hidden units (1 to 16) and the seed.

    Each move retrains the network (:func:`plot_xor_run`, about a tenth of a second) and redraws the
    decision boundary, the loss curve and the line ``learned XOR: True/False, final loss 0.xxx (...)``
    in the widget's output area. Display it by making it the last expression of a cell.

    Returns
    -------
    ipywidgets.interactive
        Its ``children`` are the three sliders and the output area; ``result`` holds the last final loss.
    """
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="450px")
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=1, step=0.1, description="learning rate",
                                       readout_format=".3g", continuous_update=False, style=style, layout=layout)
    hidden_slider = widgets.IntSlider(value=hidden, min=1, max=16, step=1, description="hidden units",
                                      continuous_update=False, style=style, layout=layout)
    seed_slider = widgets.IntSlider(value=seed, min=0, max=19, step=1, description="seed",
                                    continuous_update=False, style=style, layout=layout)

    def draw(lr: float, hidden: int, seed: int) -> float:
        return _display.show_in_output(lambda fig: plot_xor_run(lr, hidden, epochs, seed, fig=fig),
                                       figsize=(10, 4), layout="constrained")

    return widgets.interactive(draw, lr=lr_slider, hidden=hidden_slider, seed=seed_slider)
