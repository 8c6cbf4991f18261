"""The backward-pass stepper of notebook 02: watch gradients flow back through a graph, node by node.

``Value.backward()`` does three things: it orders the graph topologically, sets the output's
gradient to 1 and then calls each node's ``_backward`` in reverse order. Here the same loop is run
one node at a time, so that a slider can stop it after any number of nodes:

* step 0: nothing has happened yet, every ``grad`` is 0;
* step k (1 <= k <= n): ``L.grad = 1`` has been set and the first k nodes of the reverse
  topological order have passed their gradient to their inputs (``input.grad += local * grad``).
  The k-th node is highlighted in orange.

A Value used twice receives its gradient in two separate steps: watch its ``grad`` grow.

* :func:`bplib.course.experiments.backward_step_state` runs the backward pass up to a step and
  returns what happened.
* :func:`draw_backward_step` draws the graph at that step and prints a one-line description (the
  notebook's compared cell calls it with its defaults).
* :func:`backward_stepper` wraps the same drawing in an ipywidgets ``interactive`` with an
  ``IntSlider`` named "step" that goes from 0 to the number of nodes.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt

from matplotlib.figure import Figure

from bplib.autograd import Value, topological_order
from bplib.course.experiments import BACKWARD_STEP, BackwardStep, backward_step_state, default_expression, node_name
from bplib.course.plots import draw_graph
from bplib.course.widgets import _display

__all__ = ["DEFAULT_STEP", "draw_backward_step", "backward_stepper"]

#: The step shown by default: z receives the second of its two contributions (it accumulates, +=).
DEFAULT_STEP: int = BACKWARD_STEP


def draw_backward_step(step: int = DEFAULT_STEP, expr_builder: Callable[[], Value] | None = None,
                       figsize: tuple[float, float] = (10, 3.6), fig: Figure | None = None) -> BackwardStep:
    """Draw the graph after ``step`` nodes of the backward pass and print what the step did.

    The node processed at this step is orange (see :func:`bplib.course.plots.draw_graph`); the
    boxes show each node's ``data`` and its ``grad`` so far. The caller ends the cell with
    ``plt.show()``; this function never calls it.

    Parameters
    ----------
    step : int
        0 to the number of nodes (default :data:`DEFAULT_STEP`).
    expr_builder : callable returning a Value, optional
        Default :func:`default_expression` (``L = z * sigmoid(z)``, ``z = w*x + b``).
    figsize : (width, height) in inches
        Size of the figure.

    Returns
    -------
    BackwardStep
        As :func:`backward_step_state`.
    """
    state = backward_step_state(step, expr_builder)
    print(state.message)
    if fig is None:
        fig = plt.figure(figsize=figsize)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.88)  # room for the title
    draw_graph(state.root, ax=ax, highlight=state.node)
    if state.node is None:
        title = f"Backward pass, step 0 of {state.n_steps}: not started (all grads 0)"
    else:
        title = f"Backward pass, step {step} of {state.n_steps}: at {node_name(state.node)} (orange)"
    ax.set_title(title, fontsize=11)
    return state


def backward_stepper(expr_builder: Callable[[], Value] | None = None, step: int = DEFAULT_STEP) -> widgets.interactive:
    """A slider "step" (0 to the number of nodes) that redraws :func:`draw_backward_step`.

    Parameters
    ----------
    expr_builder : callable returning a Value, optional
        Builds the expression; default :func:`default_expression`.
    step : int
        Where the slider starts (default :data:`DEFAULT_STEP`).

    Returns
    -------
    ipywidgets.interactive
        ``children[0]`` is the slider, the last child the output area. Display it by making it
        the last expression of a cell.
    """
    n = len(topological_order((expr_builder or default_expression)()))
    slider = widgets.IntSlider(value=min(step, n), min=0, max=n, step=1, description="step",
                               continuous_update=True, layout=widgets.Layout(width="450px"))

    def draw(step: int) -> None:
        _display.show_in_output(lambda fig: draw_backward_step(step, expr_builder, fig=fig), figsize=(10, 3.6))

    return widgets.interactive(draw, step=slider)
