"""The optimiser explorer of notebook 11: SGD, momentum, RMSprop and Adam on two small surfaces.

The four optimisers of :mod:`bplib.optim` move a single point ``w = (w_1, w_2)`` downhill on

* the ill-conditioned quadratic of notebook 04, ``L(w) = 1/2 (w_1^2 + 10 w_2^2)``
  (:func:`bplib.course.surfaces.quadratic`), from ``(-4, 1.5)``: steep across, flat along;
* the non-convex "four wells" surface ``(w_1^2 - 1)^2 + (w_2^2 - 1)^2 + 0.3 w_1``
  (:func:`bplib.course.surfaces.four_wells`), from ``(1.4, 0.6)``, next to the shallow right-hand wells
  (local minima); the deeper left-hand wells (global minima) lie behind a bump.

The optimisers are bplib's own classes, unchanged; the paths are computed by
:func:`bplib.course.experiments.optimiser_path` (the point is dressed as a model by
:class:`bplib.course.experiments.PointParameter`). This module only draws:

* :func:`plot_optimiser_run` draws the four paths on both surfaces and prints where each ended
  (the notebook's compared cell calls it with its defaults);
* :func:`optimiser_explorer` wraps the same drawing in an ipywidgets ``interactive`` with sliders
  "learning rate" (log scale), "beta1" (SGD's momentum and Adam's beta1), "beta2" (Adam's beta2)
  and "rho" (RMSprop's average of squared gradients).

Everything here is elementwise arithmetic on two numbers (no matrix products), so the paths are the
same on every machine.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
import numpy as np

from bplib.course.experiments import (OPTIMISER_BETA1, OPTIMISER_BETA2, OPTIMISER_LR, OPTIMISER_RHO, make_optimisers,
                                     optimiser_path)
from bplib.course.surfaces import (QUADRATIC_START, WELLS_START, four_wells, four_wells_critical_points, four_wells_grad,
                                   plot_contours, plot_path, quadratic, quadratic_grad)
from bplib.course.widgets import _display

__all__ = ["DEFAULT_LR", "DEFAULT_BETA1", "DEFAULT_BETA2", "DEFAULT_RHO", "DEFAULT_STEPS", "OPTIMISER_COLORS", "describe_wells_end", "plot_optimiser_run", "optimiser_explorer"]

#: The explorer's first drawing uses the experiments' defaults.
DEFAULT_LR: float = OPTIMISER_LR
DEFAULT_BETA1: float = OPTIMISER_BETA1
DEFAULT_BETA2: float = OPTIMISER_BETA2
DEFAULT_RHO: float = OPTIMISER_RHO
#: Number of optimiser steps drawn by default.
DEFAULT_STEPS: int = 100
#: Colour of each optimiser's path, the same in every figure.
OPTIMISER_COLORS: dict[str, str] = {"SGD": "tab:blue", "SGD + momentum": "tab:orange", "RMSprop": "tab:green",
                                    "Adam": "tab:red"}

_WELLS_WINDOW = {"xlim": (-2.0, 2.0), "ylim": (-2.0, 2.0)}


def _diverged(path: np.ndarray, steps: int) -> bool:
    return len(path) < steps + 1


def describe_wells_end(path: np.ndarray, steps: int) -> str:
    """Where a path on the four-wells surface ended: ``"left well (global minimum), loss -0.305"``, or diverged."""
    if _diverged(path, steps):
        return f"diverged at step {len(path) - 1}"
    w = path[-1]
    side = "left well (global minimum)" if w[0] < 0 else "right well (local minimum)"
    return f"{side}, loss {float(four_wells(w)):.3f}"


def plot_optimiser_run(lr: float = DEFAULT_LR, beta1: float = DEFAULT_BETA1, beta2: float = DEFAULT_BETA2,
                       rho: float = DEFAULT_RHO, steps: int = DEFAULT_STEPS,
                       fig: Figure | None = None) -> dict[str, float]:
    """Draw the paths of SGD, SGD with momentum, RMSprop and Adam on both surfaces; print where they ended.

    Left panel: the quadratic from ``(-4, 1.5)``; right panel: the four wells from ``(1.4, 0.6)``, with
    the global minima as stars and the local minima as crosses. Prints one line per optimiser: the
    quadratic's loss after ``steps`` steps (or "diverged") and the well the four-wells path ended in.
    The figure is 10x4 inches; the caller ends the cell with ``plt.show()``.

    Returns
    -------
    dict
        The quadratic's final loss per optimiser (``inf`` for a diverged run).
    """
    quad_paths = {name: optimiser_path(opt, quadratic_grad, QUADRATIC_START, steps)
                  for name, opt in make_optimisers(lr, beta1, beta2, rho).items()}
    wells_paths = {name: optimiser_path(opt, four_wells_grad, WELLS_START, steps)
                   for name, opt in make_optimisers(lr, beta1, beta2, rho).items()}

    print(f"lr {lr:.3g}, beta1 {beta1:.3g}, beta2 {beta2:.4g}, rho {rho:.3g}, {steps} steps")
    final: dict[str, float] = {}
    for name in quad_paths:
        qpath = quad_paths[name]
        if _diverged(qpath, steps):
            final[name] = float("inf")
            quad_text = f"diverged at step {len(qpath) - 1}"
        else:
            final[name] = float(quadratic(qpath[-1]))
            quad_text = f"loss {final[name]:.1e}"
        print(f"  {name:<15} quadratic: {quad_text:<20} four wells: {describe_wells_end(wells_paths[name], steps)}")

    if fig is None:
        fig = plt.figure(figsize=(10, 4), layout="constrained")
    ax_quad, ax_wells = fig.subplots(1, 2)
    plot_contours(quadratic, ax_quad, title=r"Quadratic $\frac{1}{2}(w_1^2 + 10\,w_2^2)$")
    ax_quad.plot(0, 0, "*", color="black", markersize=12, zorder=5)
    plot_contours(four_wells, ax_wells, log_levels=False, title="Four wells (non-convex)", **_WELLS_WINDOW)
    points = four_wells_critical_points()
    ax_wells.plot(*points["global minima"].T, "*", color="black", markersize=12, zorder=5, label="global minima")
    ax_wells.plot(*points["local minima"].T, "X", color="black", markersize=8, zorder=5, label="local minima")
    for name in quad_paths:
        color = OPTIMISER_COLORS[name]
        plot_path(ax_quad, quad_paths[name], color=color, label=name, markersize=2.5)
        plot_path(ax_wells, wells_paths[name], color=color, markersize=2.5)
    ax_quad.legend(loc="lower right", fontsize=8, framealpha=0.9)
    ax_wells.legend(loc="lower left", fontsize=8, framealpha=0.9)
    fig.suptitle(f"{steps} steps, lr {lr:.3g}, beta1 {beta1:.3g}, beta2 {beta2:.4g}, rho {rho:.3g}", fontsize=10)
    return final


def optimiser_explorer(lr: float = DEFAULT_LR, beta1: float = DEFAULT_BETA1, beta2: float = DEFAULT_BETA2,
                       rho: float = DEFAULT_RHO, steps: int = DEFAULT_STEPS) -> widgets.interactive:
    """Sliders for the learning rate (log scale, 0.001 to 1), beta1, beta2 and rho.

    Each move redraws :func:`plot_optimiser_run`'s figure and its printed summary in the widget's
    output area. Display it by making it the last expression of a cell.

    Returns
    -------
    ipywidgets.interactive
        Its ``children`` are the four sliders and the output area; ``result`` holds the last dict of
        final losses on the quadratic.
    """
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="450px")
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0, step=0.05, description="learning rate",
                                       readout_format=".3g", continuous_update=False, style=style, layout=layout)
    beta1_slider = widgets.FloatSlider(value=beta1, min=0.0, max=0.99, step=0.01, description="beta1",
                                       readout_format=".2f", continuous_update=False, style=style, layout=layout)
    beta2_slider = widgets.FloatSlider(value=beta2, min=0.5, max=0.9999, step=0.0001, description="beta2",
                                       readout_format=".4f", continuous_update=False, style=style, layout=layout)
    rho_slider = widgets.FloatSlider(value=rho, min=0.5, max=0.999, step=0.001, description="rho",
                                     readout_format=".3f", continuous_update=False, style=style, layout=layout)

    def draw(lr: float, beta1: float, beta2: float, rho: float) -> dict[str, float]:
        return _display.show_in_output(lambda fig: plot_optimiser_run(lr, beta1, beta2, rho, steps, fig=fig),
                                       figsize=(10, 4), layout="constrained")

    return widgets.interactive(draw, lr=lr_slider, beta1=beta1_slider, beta2=beta2_slider, rho=rho_slider)
