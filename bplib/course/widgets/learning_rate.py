"""The learning-rate explorer of notebook 04: gradient descent on an ill-conditioned quadratic.

Move the "learning rate" slider and watch the path on the contour plot and the loss curve change:
too small crawls, about right converges (zig-zagging across the steep direction), and above
``2 / l_max = 0.2`` the path bounces ever further out: the run diverges.

* :func:`plot_learning_rate_run` draws the figure for one learning rate, prints a one-line result
  and returns the final loss (the notebook's compared cell calls it with its defaults).
* :func:`learning_rate_explorer` wraps the same drawing in an ipywidgets ``interactive`` with a
  ``FloatLogSlider`` ("learning rate") and an ``IntSlider`` ("steps").
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from matplotlib.figure import Figure

from bplib.course.surfaces import QUADRATIC_START, gradient_descent, plot_contours, plot_path, quadratic, quadratic_grad
from bplib.course.widgets import _display

__all__ = ["DEFAULT_LR", "DEFAULT_STEPS", "DIVERGENCE_FACTOR", "run_on_quadratic", "describe_run",
           "plot_learning_rate_run", "learning_rate_explorer"]

#: A learning rate that converges nicely on the quadratic (the limit is 2 / 10 = 0.2).
DEFAULT_LR: float = 0.15
#: Number of gradient-descent steps drawn by default.
DEFAULT_STEPS: int = 30
#: A run counts as diverged once its loss exceeds this many times the starting loss.
DIVERGENCE_FACTOR: float = 10.0


def run_on_quadratic(lr: float = DEFAULT_LR, steps: int = DEFAULT_STEPS) -> tuple[np.ndarray, np.ndarray, int | None]:
    """Run gradient descent on :func:`bplib.course.surfaces.quadratic` from ``QUADRATIC_START``.

    Returns
    -------
    path : array of shape (T, 2)
        The points visited, cut after the step at which the run diverged (if it did).
    losses : array of shape (T,)
        The loss at each point of ``path``.
    diverged_at : int or None
        The first step whose loss exceeds ``DIVERGENCE_FACTOR`` times the starting loss (or is not
        finite), None when the run did not diverge.
    """
    path = gradient_descent(quadratic_grad, QUADRATIC_START, lr, steps)
    losses = quadratic(path)
    blown_up = ~np.isfinite(losses) | (losses > DIVERGENCE_FACTOR * losses[0])
    if blown_up.any():
        k = int(np.argmax(blown_up))
        return path[: k + 1], losses[: k + 1], k
    if len(path) < steps + 1:  # stopped early by gradient_descent's max_norm (cannot happen below the factor)
        return path, losses, len(path) - 1
    return path, losses, None


def describe_run(lr: float, steps: int, losses: np.ndarray, diverged_at: int | None) -> str:
    """The one-line result: ``"lr = 0.150: loss after 30 steps = 0.000452"`` or ``"... diverged at step k ..."``."""
    if diverged_at is not None:
        return (f"lr = {lr:.3f}: diverged at step {diverged_at} (loss {losses[-1]:.3g} > "
                f"{DIVERGENCE_FACTOR:g} x the starting loss {losses[0]:.3g})")
    return f"lr = {lr:.3f}: loss after {steps} steps = {losses[-1]:.3g}"


def plot_learning_rate_run(lr: float = DEFAULT_LR, steps: int = DEFAULT_STEPS, fig: Figure | None = None) -> float:
    """Draw one gradient-descent run on the quadratic and print its one-line result.

    Left panel: contour lines of ``L(w) = 1/2 (w_1^2 + 10 w_2^2)`` with the path from
    ``QUADRATIC_START``. Right panel: the loss per step on a log scale, with the divergence
    threshold. The figure is 10x4 inches; the caller ends the cell with ``plt.show()``.

    Parameters
    ----------
    lr : float
        Learning rate (default 0.15; the run diverges for lr > 0.2).
    steps : int
        Number of gradient-descent steps (default 30).
    fig : matplotlib Figure, optional
        Draw into this (empty) figure instead of a new pyplot figure (the widget does).

    Returns
    -------
    float
        The loss after ``steps`` steps, or ``inf`` when the run diverged.
    """
    path, losses, diverged_at = run_on_quadratic(lr, steps)
    print(describe_run(lr, steps, losses, diverged_at))

    if fig is None:
        fig = plt.figure(figsize=(10, 4), layout="constrained")
    ax_path, ax_loss = fig.subplots(1, 2)
    status = "diverged" if diverged_at is not None else f"{steps} steps"
    plot_contours(quadratic, ax_path, title=f"Gradient descent, lr = {lr:.3f} ({status})")
    plot_path(ax_path, path, color="tab:red", label="path")
    ax_path.plot(0, 0, "*", color="black", markersize=12, label="minimum")
    ax_path.legend(loc="lower right")

    ax_loss.semilogy(np.arange(len(losses)), losses, "o-", color="tab:red", markersize=3, label="loss")
    ax_loss.axhline(DIVERGENCE_FACTOR * losses[0], color="gray", linestyle="--",
                    label=f"divergence threshold ({DIVERGENCE_FACTOR:g} x start)")
    ax_loss.set_xlim(0, steps)
    ax_loss.set_ylim(1e-6, 1e4)  # fixed, so that runs with different learning rates compare at a glance
    ax_loss.set_xlabel("step")
    ax_loss.set_ylabel("loss $L(w)$ (log scale)")
    ax_loss.set_title("Loss per step")
    ax_loss.legend(loc="lower left")
    return float("inf") if diverged_at is not None else float(losses[-1])


def learning_rate_explorer(lr: float = DEFAULT_LR, steps: int = DEFAULT_STEPS) -> widgets.interactive:
    """A slider for the learning rate (log scale, 0.001 to 1) and one for the number of steps.

    Each move redraws :func:`plot_learning_rate_run`'s figure and its one-line result in the
    widget's output area. Display it by making it the last expression of a cell.

    Returns
    -------
    ipywidgets.interactive
        Its ``children`` are the two sliders and the output area; ``result`` holds the last final loss.
    """
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.05, description="learning rate",
                                       readout_format=".3f", continuous_update=False,
                                       style={"description_width": "initial"},
                                       layout=widgets.Layout(width="450px"))
    steps_slider = widgets.IntSlider(value=steps, min=5, max=100, step=5, description="steps",
                                     continuous_update=False, style={"description_width": "initial"},
                                     layout=widgets.Layout(width="450px"))

    def draw(lr: float, steps: int) -> float:
        return _display.show_in_output(lambda fig: plot_learning_rate_run(lr, steps, fig=fig),
                              figsize=(10, 4), layout="constrained")

    return widgets.interactive(draw, lr=lr_slider, steps=steps_slider)
