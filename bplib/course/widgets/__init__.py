"""Interactive figures for the notebooks, built with ipywidgets and matplotlib.

Each widget is a function returning an ipywidgets object whose controls redraw a matplotlib
figure. Every widget has a plain drawing function behind it that takes the same arguments with
the same defaults: the notebooks call that function in a compared cell right after the (volatile,
nbval-ignored) widget cell, so the figure and the printed result are tested.
"""

from bplib.course.widgets.backward_steps import backward_stepper, draw_backward_step   # 02
from bplib.course.widgets.depth import depth_explorer, plot_depth_run                    # 12
from bplib.course.widgets.learning_rate import learning_rate_explorer, plot_learning_rate_run  # 04
from bplib.course.widgets.optimisers import optimiser_explorer, plot_optimiser_run      # 11
from bplib.course.widgets.secant import draw_secant, secant_explorer                     # 00, 01
from bplib.course.widgets.xor import plot_xor_run, xor_explorer                          # 08

__all__ = [
    "backward_stepper", "draw_backward_step", "depth_explorer", "plot_depth_run",
    "learning_rate_explorer", "plot_learning_rate_run", "optimiser_explorer", "plot_optimiser_run",
    "draw_secant", "secant_explorer", "plot_xor_run", "xor_explorer",
]
