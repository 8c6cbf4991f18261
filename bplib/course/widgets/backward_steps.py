"""The backward-pass stepper of notebook 02: watch gradients flow back through a graph, node by node.

``Value.backward()`` does three things: it orders the graph topologically, sets the output's
gradient to 1 and then calls each node's ``_backward`` in reverse order. Here the same loop is run
one node at a time, so that a slider can stop it after any number of nodes:

* step 0: nothing has happened yet, every ``grad`` is 0;
* step k (1 <= k <= n): ``L.grad = 1`` has been set and the first k nodes of the reverse
  topological order have passed their gradient to their inputs (``input.grad += local * grad``).
  The k-th node is highlighted in orange.

A Value used twice receives its gradient in two separate steps: watch its ``grad`` grow.

* :func:`backward_step_state` runs the backward pass up to a step and returns what happened.
* :func:`draw_backward_step` draws the graph at that step and prints a one-line description (the
  notebook's compared cell calls it with its defaults).
* :func:`backward_stepper` wraps the same drawing in an ipywidgets ``interactive`` with an
  ``IntSlider`` named "step" that goes from 0 to the number of nodes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import ipywidgets as widgets
import matplotlib.pyplot as plt

from matplotlib.figure import Figure

from bplib.autograd import Value, topological_order, zero_grad
from bplib.course.plots import draw_graph
from bplib.course.widgets import _display

__all__ = ["DEFAULT_STEP", "default_expression", "BackwardStep", "backward_step_state", "draw_backward_step",
           "backward_stepper"]

#: The step shown by default: z receives the second of its two contributions (it accumulates, +=).
DEFAULT_STEP: int = 2


def default_expression() -> Value:
    """A small neuron with a SiLU ("swish") output: ``L = z * sigmoid(z)`` with ``z = w*x + b``.

    ``z`` is used twice (once by ``*``, once by ``sigmoid``), so during the backward pass it
    receives two contributions, in two different steps. Numbers: ``x = 2, w = 0.5, b = -0.5``,
    so ``z = 0.5``. Returns the output ``L`` (a fresh graph, all gradients 0).
    """
    x = Value(2.0, label="x")
    w = Value(0.5, label="w")
    b = Value(-0.5, label="b")
    wx = w * x
    wx.label = "w*x"
    z = wx + b
    z.label = "z"
    s = z.sigmoid()
    s.label = "s"
    out = z * s
    out.label = "L"
    return out


class BackwardStep(NamedTuple):
    """The state of the backward pass after ``step`` nodes.

    Attributes
    ----------
    root : Value
        The output of the expression; its graph holds the gradients reached at this step.
    node : Value or None
        The node processed at this step (None at step 0).
    n_steps : int
        Number of nodes in the graph (the last step).
    message : str
        One line saying what this step did.
    """

    root: Value
    node: Value | None
    n_steps: int
    message: str


def _name(node: Value) -> str:
    """How a node is called in messages: its label, else its operation, else its value."""
    return node.label or (f"({node._op})" if node._op else f"{node.data:g}")


def backward_step_state(step: int = DEFAULT_STEP, expr_builder: Callable[[], Value] | None = None) -> BackwardStep:
    """Run the backward pass of ``expr_builder()`` up to ``step`` nodes (the loop of ``Value.backward``).

    Parameters
    ----------
    step : int
        0 (nothing done yet) to n (all n nodes processed, every gradient final).
    expr_builder : callable returning a Value, optional
        Builds the expression and returns its output; default :func:`default_expression`.
        It is called once per call here, so each step starts from a fresh graph.

    Returns
    -------
    BackwardStep
        The graph at this step, the node just processed and a one-line description.
    """
    root = (expr_builder or default_expression)()
    zero_grad(root)  # a builder may return a graph that was used before
    order = list(reversed(topological_order(root)))  # output first, inputs last
    n = len(order)
    if not 0 <= step <= n:
        raise ValueError(f"step must be between 0 and {n} (the number of nodes), got {step}")
    if step == 0:
        return BackwardStep(root, None, n, f"step 0 of {n}: before the backward pass every grad is 0")

    root.grad = 1.0  # dL/dL = 1: where every backward pass starts
    for node in order[: step - 1]:
        node._backward()
    node = order[step - 1]
    before = {child: child.grad for child in node._prev}
    node._backward()  # the step itself: node passes node.grad on to its inputs (+=)

    head = f"step {step} of {n}: {_name(node)}"
    if step == 1:
        head += " (grad set to 1)"
    if not node._prev:
        return BackwardStep(root, node, n, f"{head} is an input: nothing to pass on, grad {node.grad:.4f} is final")
    changes = ", ".join(f"{_name(child)}.grad {before[child]:.4f} -> {child.grad:.4f}" for child in before)
    return BackwardStep(root, node, n, f"{head} passes grad {node.grad:.4f} back: {changes}")


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
        title = f"Backward pass, step {step} of {state.n_steps}: at {_name(state.node)} (orange)"
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
