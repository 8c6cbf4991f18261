"""The XOR explorer of notebook 08: how the learning rate and the hidden layer decide whether R1 learns.

R1, the classic NumPy XOR program, is a 2-H-1 sigmoid network (H = 4) trained with the mean squared
error by full-batch gradient descent, its weights drawn from N(0, 1). Its learning rate of 0.01 is
far too small: after 10,000 epochs the network still answers about 0.5 for every input.

The training itself is :func:`bplib.course.experiments.train_xor`, and "has learned XOR" is
:func:`bplib.course.experiments.learned_xor`; this module only draws.

* :func:`plot_xor_run` draws one run (decision boundary and loss curve) and prints a one-line result
  (the notebook's compared cell calls it with its defaults).
* :func:`xor_explorer` wraps the same drawing in an ipywidgets ``interactive`` with a
  ``FloatLogSlider`` ("learning rate"), an ``IntSlider`` ("hidden units") and an ``IntSlider`` ("seed").
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
import numpy as np

from bplib.data import xor
from bplib.course.experiments import XOR_EPOCHS, XOR_HIDDEN, XOR_LR, train_xor
from bplib.course.plots import decision_boundary
from bplib.course.widgets import _display

__all__ = ["DEFAULT_LR", "DEFAULT_HIDDEN", "DEFAULT_EPOCHS", "describe_xor_run", "plot_xor_run", "xor_explorer"]

#: Learning rate of the explorer's first drawing (R1's own 0.01 does not learn; 1.0 does).
DEFAULT_LR: float = XOR_LR
#: Hidden units of the explorer's first drawing (R1 has 4).
DEFAULT_HIDDEN: int = XOR_HIDDEN
#: Epochs of full-batch gradient descent per drawing (R1 runs 10,000; 2,000 keep the widget quick).
DEFAULT_EPOCHS: int = XOR_EPOCHS


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

    X, Y = xor()                                   # the four points and their 0/1 targets
    if fig is None:
        fig = plt.figure(figsize=(10, 4), layout="constrained")
    ax_boundary, ax_loss = fig.subplots(1, 2)
    verdict = "learned XOR" if learned else "has not learned XOR"
    decision_boundary(runs.model(0), X, Y, ax=ax_boundary,
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
