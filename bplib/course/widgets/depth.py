"""The depth explorer of notebook 12: vanishing and exploding gradients in a deep MLP.

Pick a depth, an initialisation and an activation; the figure shows, for one forward and one
backward pass of a fresh network on random data (no training),

* histograms of the activations of a few hidden layers (top row): saturated sigmoid/tanh units
  pile up at the ends of their range, ReLU activations shrink or blow up with a bad scale;
* the norm of the weight gradient of every layer, on a log scale (bottom): bars that fall by
  orders of magnitude toward the input are *vanishing* gradients, huge bars *exploding* ones;

and a one-line summary is printed.

The run itself is :func:`bplib.course.experiments.depth_run` (it returns a ``DepthRun``), and
:func:`bplib.course.experiments.verdict` names what goes wrong; this module only draws:

* :func:`plot_depth_run` draws the figure and prints the summary (the notebook's compared cell calls
  it with its defaults);
* :func:`depth_explorer` wraps the same drawing in an ipywidgets ``interactive`` with an
  ``IntSlider`` "depth" and two ``Dropdown`` menus, "init" and "activation".
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
import numpy as np

from bplib.course.experiments import (ACTIVATIONS, DEFAULT_ACTIVATION, DEFAULT_DEPTH, DEFAULT_INIT, INITS, DepthRun,
                                     describe_depth_run, depth_run)
from bplib.course.plots import gradient_norms, histograms
from bplib.course.widgets import _display

__all__ = ["MIN_DEPTH", "MAX_DEPTH", "plot_depth_run", "depth_explorer"]

#: Bounds of the "depth" slider.
MIN_DEPTH, MAX_DEPTH = 2, 20


def _shown_layers(depth: int, n_panels: int = 5) -> list[int]:
    """Up to ``n_panels`` hidden layers spread from the first (1) to the last (depth - 1)."""
    hidden = depth - 1
    if hidden <= n_panels:
        return list(range(1, hidden + 1))
    return sorted({int(round(x)) for x in np.linspace(1, hidden, n_panels)})


def plot_depth_run(depth: int = DEFAULT_DEPTH, init: str = DEFAULT_INIT,
                   activation: str = DEFAULT_ACTIVATION, fig: Figure | None = None) -> DepthRun:
    """Draw the activations and gradient norms of one :func:`depth_run` and print its summary.

    Top row: histograms of the activations of up to five hidden layers (a shared x range, so the
    spreads compare at a glance). Bottom: the norm of ``dL/dW`` of every ``Linear`` layer on a log
    scale. The figure is 10 x 6 inches; the caller ends the cell with ``plt.show()``.

    Parameters
    ----------
    depth : number of ``Linear`` layers (default 10; hidden layers are ``depth - 1``)
    init : "normal", "xavier" (default) or "he"
    activation : "sigmoid" (default), "tanh" or "relu"

    Returns
    -------
    DepthRun
        The measurements behind the figure.
    """
    run = depth_run(depth, init, activation)
    print(describe_depth_run(run))

    shown = _shown_layers(depth)
    if fig is None:
        fig = plt.figure(figsize=(10, 6), layout="constrained")
    grid = fig.add_gridspec(2, len(shown), height_ratios=[1, 1.25])
    top = [fig.add_subplot(grid[0, k]) for k in range(len(shown))]
    bottom = fig.add_subplot(grid[1, :])

    shown_activations = {f"layer {l}": run.activations[f"layer {l}"] for l in shown}
    stds = [max(float(a.std()), 1e-300) for a in shown_activations.values()]
    # One x range for all panels compares the spreads at a glance, unless they differ by orders of
    # magnitude (exploding activations): then each panel gets its own range (read the std in its title).
    histograms(shown_activations, axes=top, bins=40, xlabel=f"{activation}(z)",
               shared_range=max(stds) / min(stds) < 100)
    gradient_norms(run.grad_norms, ax=bottom, title="Norm of dL/dW per layer (the input side on the left)")
    bottom.set_xlabel("layer (Linear)")
    if depth > 12:  # too many bars for readable value labels
        for text in list(bottom.texts):
            text.remove()
    fig.suptitle(f"A fresh {depth}-layer {activation} network, {init} initialisation: "
                 f"activations (top) and gradients (bottom)")
    return run


def depth_explorer(depth: int = DEFAULT_DEPTH, init: str = DEFAULT_INIT,
                   activation: str = DEFAULT_ACTIVATION) -> widgets.interactive:
    """A slider for the depth (2 to 20 ``Linear`` layers) and menus for the initialisation and activation.

    Each change redraws :func:`plot_depth_run`'s figure and its one-line summary in the widget's
    output area. Display it by making it the last expression of a cell.

    Returns
    -------
    ipywidgets.interactive
        Its ``children`` are the three controls and the output area; ``result`` holds the last
        :class:`DepthRun`.
    """
    style, layout = {"description_width": "initial"}, widgets.Layout(width="350px")
    depth_slider = widgets.IntSlider(value=depth, min=MIN_DEPTH, max=MAX_DEPTH, step=1, description="depth",
                                     continuous_update=False, style=style, layout=layout)
    init_menu = widgets.Dropdown(options=list(INITS), value=init, description="init", style=style, layout=layout)
    activation_menu = widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="activation",
                                       style=style, layout=layout)

    def draw(depth: int, init: str, activation: str) -> DepthRun:
        return _display.show_in_output(lambda fig: plot_depth_run(depth, init, activation, fig=fig),
                                       figsize=(10, 6), layout="constrained")

    return widgets.interactive(draw, depth=depth_slider, init=init_menu, activation=activation_menu)
