"""A tiny scalar automatic differentiation engine, in the style of Karpathy's *micrograd*.

A :class:`Value` wraps one number. Every operation on Values returns a new Value that
remembers its inputs (``_prev``), the name of the operation (``_op``) and a small function
``_backward`` that knows the *local derivative* of that operation. Calling
:meth:`Value.backward` on the final result visits the graph in reverse topological order
(outputs before inputs) and applies the chain rule::

    input.grad += local_derivative * output.grad

The ``+=`` matters: a Value used twice (``a * a``, ``a + a``) receives one contribution
per use, and the contributions add up (multivariable chain rule).

Example
-------
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b + a          # c = a*b + a
>>> c.backward()
>>> a.grad, b.grad         # dc/da = b + 1, dc/db = a
(-2.0, 2.0)

:func:`draw_graph` draws the graph with matplotlib (no graphviz needed).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # matplotlib is imported only when a graph is drawn
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Value", "topological_order", "zero_grad", "draw_graph"]


class Value:
    """A scalar that remembers how it was computed, so that gradients can flow back.

    Parameters
    ----------
    data : float
        The number held by this node (stored as a Python float).
    _children : tuple of Value
        The inputs of the operation that produced this Value (empty for an input).
    _op : str
        Name of that operation, e.g. ``"+"`` or ``"tanh"`` (empty for an input).
    label : str
        Optional name shown by :func:`draw_graph` and ``repr``.

    Attributes
    ----------
    grad : float
        d(output)/d(this value), filled by :meth:`backward`. Starts at 0.0 and
        *accumulates*: call :func:`zero_grad` before a second backward pass.
    """

    def __init__(self, data: float, _children: tuple[Value, ...] = (), _op: str = "", label: str = ""):
        self.data = float(data)
        self.grad = 0.0
        self._backward: Callable[[], None] = lambda: None  # an input has nothing to pass on
        self._prev = tuple(_children)  # a tuple (not a set) keeps the drawing order stable
        self._op = _op
        self.label = label

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.4f}, grad={self.grad:.4f}{name})"

    # ---- binary operations -------------------------------------------------------------
    def __add__(self, other: Value | float) -> Value:
        """``a + b``. Local derivatives: d/da = 1, d/db = 1."""
        other = _as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad

        out._backward = _backward
        return out

    def __sub__(self, other: Value | float) -> Value:
        """``a - b``. Local derivatives: d/da = 1, d/db = -1."""
        other = _as_value(other)
        out = Value(self.data - other.data, (self, other), "-")

        def _backward() -> None:
            self.grad += 1.0 * out.grad
            other.grad += -1.0 * out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        """``a * b``. Local derivatives: d/da = b, d/db = a."""
        other = _as_value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other: Value | float) -> Value:
        """``a / b``. Local derivatives: d/da = 1/b, d/db = -a/b**2."""
        other = _as_value(other)
        if other.data == 0.0:
            raise ZeroDivisionError("Value division by zero")
        out = Value(self.data / other.data, (self, other), "/")

        def _backward() -> None:
            self.grad += (1.0 / other.data) * out.grad
            other.grad += (-self.data / other.data**2) * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k: float) -> Value:
        """``a ** k`` for a plain number ``k``. Local derivative: d/da = k * a**(k-1)."""
        if isinstance(k, Value) or not isinstance(k, (int, float)):
            raise TypeError("Value ** k supports a plain number k only (int or float)")
        if self.data < 0 and not float(k).is_integer():
            raise ValueError(f"negative base {self.data} with non-integer exponent {k}")
        out = Value(self.data**k, (self,), f"**{k:g}")

        def _backward() -> None:
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    # ---- unary operations ----------------------------------------------------------------
    def __neg__(self) -> Value:
        """``-a``. Local derivative: d/da = -1."""
        out = Value(-self.data, (self,), "neg")

        def _backward() -> None:
            self.grad += -1.0 * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        """``exp(a)``. Local derivative: d/da = exp(a) (the output itself)."""
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward() -> None:
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        """Natural logarithm ``log(a)`` for ``a > 0``. Local derivative: d/da = 1/a."""
        if self.data <= 0:
            raise ValueError(f"log of a non-positive number: {self.data}")
        out = Value(math.log(self.data), (self,), "log")

        def _backward() -> None:
            self.grad += (1.0 / self.data) * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        """``tanh(a)``. Local derivative: d/da = 1 - tanh(a)**2."""
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1.0 - t**2) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        """``s(a) = 1 / (1 + exp(-a))``. Local derivative: d/da = s(a) * (1 - s(a)).

        Computed without overflow: for a < 0 we use the equal form exp(a) / (1 + exp(a)),
        so ``exp`` only ever sees a non-positive number.
        """
        if self.data >= 0:
            s = 1.0 / (1.0 + math.exp(-self.data))
        else:
            e = math.exp(self.data)
            s = e / (1.0 + e)
        out = Value(s, (self,), "sigmoid")

        def _backward() -> None:
            self.grad += s * (1.0 - s) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        """``max(0, a)``. Local derivative: d/da = 1 if a > 0 else 0."""
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward() -> None:
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad

        out._backward = _backward
        return out

    # ---- a number on the left: 2 + a, 2 - a, 2 * a, 2 / a --------------------------------
    def __radd__(self, other: float) -> Value:
        return _as_value(other) + self

    def __rsub__(self, other: float) -> Value:
        return _as_value(other) - self

    def __rmul__(self, other: float) -> Value:
        return _as_value(other) * self

    def __rtruediv__(self, other: float) -> Value:
        return _as_value(other) / self

    # ---- the backward pass ---------------------------------------------------------------
    def backward(self) -> None:
        """Fill ``.grad`` of every Value this one depends on (d self / d node).

        Sets ``self.grad = 1`` (d self / d self) and calls each node's ``_backward`` in
        reverse topological order, so a node passes its gradient on only after *all* of
        its uses have contributed to it.

        The gradients of the inputs (leaves) *accumulate* across calls, as in PyTorch:
        call :func:`zero_grad` first to start again. The intermediate nodes are reset to
        0 at the start of every call, so that a second call adds exactly one more
        gradient to the leaves (instead of re-sending the old intermediate gradients).
        """
        order = topological_order(self)
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


def _as_value(x: Value | float) -> Value:
    """Wrap a plain number into a (constant) Value; leave a Value as it is."""
    return x if isinstance(x, Value) else Value(x)


def topological_order(value: Value) -> list[Value]:
    """All Values that ``value`` depends on, children before parents, ``value`` last.

    A depth-first search that appends a node after all of its children (post-order).
    It uses an explicit stack instead of recursion so that long chains (a sum of
    thousands of terms) do not hit Python's recursion limit. Each node appears once,
    even when it is used several times.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(value, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:  # second visit: all children are already in `order`
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))  # come back to `node` after its children
        for child in reversed(node._prev):  # reversed: the first child is handled first
            stack.append((child, False))
    return order


def zero_grad(value: Value) -> None:
    """Set ``.grad = 0`` on ``value`` and every Value it depends on."""
    for node in topological_order(value):
        node.grad = 0.0


# ==== drawing the graph ======================================================================
# Layout in "inches at scale 1": every Value is a box in a column given by its depth (inputs
# left, output right); the operation that produced it is a small circle just left of its box.

_COL_W, _ROW_H = 2.0, 0.85  # distance between columns / rows
_BOX_W, _BOX_H = 1.2, 0.62  # size of a Value box
_OP_R, _OP_GAP = 0.19, 0.37  # op circle radius; distance from box's left edge to circle centre
_OP_SYMBOLS = {"*": "×", "/": "÷", "-": "−", "neg": "−x", "sigmoid": "σ"}


def _layout(root: Value) -> dict[Value, tuple[float, float]]:
    """Column (depth) and row of every Value in the graph of ``root``."""
    order = topological_order(root)
    depth: dict[Value, int] = {}
    for node in order:  # children come first, so their depth is known
        depth[node] = 1 + max((depth[c] for c in node._prev), default=-1)
    # Put each input just left of the first operation that uses it (not all in column 0):
    # a constant used near the output then gets a short arrow.
    consumers: dict[Value, list[Value]] = {}
    for node in order:
        for child in node._prev:
            consumers.setdefault(child, []).append(node)
    for node in order:
        if not node._prev and node in consumers:
            depth[node] = min(depth[p] for p in consumers[node]) - 1

    # Rows: a depth-first walk from the output gives each input the next free row; an
    # operation sits at the mean row of its inputs (a "tidy tree" layout).
    row: dict[Value, float] = {}
    next_row = 0.0
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            row[node] = float(np.mean([row[c] for c in node._prev]))
        elif node not in row:
            if not node._prev:
                row[node], next_row = next_row, next_row + 1
            else:
                row[node] = math.nan  # placeholder: "being placed"
                stack.append((node, True))
                stack.extend((c, False) for c in reversed(node._prev) if c not in row)
    # A Value used twice can land on another one's row: push overlapping boxes apart.
    for col in set(depth.values()):
        nodes = sorted((n for n in order if depth[n] == col), key=lambda n: row[n])
        for lower, upper in zip(nodes, nodes[1:]):
            row[upper] = max(row[upper], row[lower] + 1.0)
    return {n: (depth[n] * _COL_W, -row[n] * _ROW_H) for n in order}


def _clear_bend(start: tuple[float, float], end: tuple[float, float],
                obstacles: list[tuple[float, float, float, float]]) -> float:
    """The smallest bend (matplotlib's ``arc3`` rad) for which the arrow crosses no obstacle.

    An ``arc3`` arrow is a quadratic Bezier curve whose control point sits ``rad`` times the
    arrow's length to the side of its midpoint; we sample it and test each obstacle box
    (x_min, y_min, x_max, y_max). Falls back to the bend with the fewest hits.
    """
    p0, p2 = np.asarray(start), np.asarray(end)
    d = p2 - p0
    t = np.linspace(0.03, 0.97, 40)[:, None]
    best, best_hits = 0.0, math.inf
    for rad in (0.0, 0.15, -0.15, 0.3, -0.3, 0.45, -0.45, 0.6, -0.6):
        control = (p0 + p2) / 2 + rad * np.array([d[1], -d[0]])
        curve = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t**2 * p2
        hits = sum(bool(np.any((curve[:, 0] > x0) & (curve[:, 0] < x1) & (curve[:, 1] > y0) & (curve[:, 1] < y1)))
                   for x0, y0, x1, y1 in obstacles)
        if hits < best_hits:
            best, best_hits = rad, hits
        if hits == 0:
            break
    return best


def draw_graph(value: Value, ax: Axes | None = None, figsize: tuple[float, float] | None = None,
               highlight: Value | Iterable[Value] | None = None, *,
               title: str | None = None) -> tuple[Figure, Axes]:
    """Draw the computational graph of ``value`` with matplotlib (no graphviz).

    Each Value is a box showing its label, ``data`` and ``grad`` (4 decimals); each
    operation is a small circle (``+``, ``×``, ``tanh`` ...) with an arrow from every input
    and one to its result. Inputs are on the left, the output (green) on the right.

    Parameters
    ----------
    value : Value
        The output of the expression.
    ax : matplotlib Axes, optional
        Draw into this Axes (it is cleared); default: a new figure.
    figsize : (width, height) in inches, optional
        Size of the new figure; default: fitted to the graph.
    highlight : Value or collection of Values, optional
        Values drawn in orange, e.g. the node a step-by-step backward pass is at.
    title : str, optional
        A title above the graph (room is kept for it in a new figure).

    Returns
    -------
    (fig, ax)
        ``ax.texts`` holds exactly one Text per Value (gid ``"value"``) and one per
        operation (gid ``"op"``). ``plt.show()`` is never called.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    if isinstance(highlight, Value):
        highlight = {highlight}
    highlighted = set(highlight or ())
    pos = _layout(value)

    # Size: 1 layout unit = 1 inch at scale 1; shrink everything if the figure is smaller.
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    lefts = [x - _BOX_W / 2 - (_OP_GAP + _OP_R if n._prev else 0.0) for n, (x, _) in pos.items()]
    x0, x1 = min(lefts) - 0.15, max(xs) + _BOX_W / 2 + 0.15
    y0, y1 = min(ys) - _BOX_H / 2 - 0.15, max(ys) + _BOX_H / 2 + 0.15
    natural = (x1 - x0, y1 - y0)
    if ax is None:
        top = 0.35 if title else 0.0  # inches kept free for the title
        if figsize is None:  # fitted to the graph, at most 16 inches wide
            s = min(1.0, 16.0 / natural[0])
            figsize = (max(natural[0] * s, 2.0), max(natural[1] * s, 1.2) + top)
        fig, ax = plt.subplots(figsize=figsize)
        fig.subplots_adjust(0, 0, 1, 1 - top / figsize[1])
    else:
        fig = ax.figure
        ax.clear()
    bbox = ax.get_position()
    width_in, height_in = bbox.width * fig.get_figwidth(), bbox.height * fig.get_figheight()
    scale = min(width_in / natural[0], height_in / natural[1])  # equal aspect: the tighter fits
    font = 8.0 * min(scale, 1.6)
    lw = max(0.4, min(scale, 1.3))  # line widths follow the scale too

    ax.set_aspect("equal")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.axis("off")
    if title:
        ax.set_title(title)

    def arrow(start: tuple[float, float], end: tuple[float, float], rad: float = 0.0) -> None:
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9 * min(scale, 1.6),
                                     connectionstyle=f"arc3,rad={rad}", color="#555555",
                                     linewidth=0.9 * lw, shrinkA=0, shrinkB=0, zorder=1))

    # Everything an arrow should not cross: the boxes and the op circles (as small squares).
    boxes = {n: (x - _BOX_W / 2, y - _BOX_H / 2, x + _BOX_W / 2, y + _BOX_H / 2) for n, (x, y) in pos.items()}
    circles = {n: (x - _BOX_W / 2 - _OP_GAP - _OP_R, y - _OP_R, x - _BOX_W / 2 - _OP_GAP + _OP_R, y + _OP_R)
               for n, (x, y) in pos.items() if n._prev}

    for node, (x, y) in pos.items():
        hot = node in highlighted
        if hot:
            face, edge = "#ffd27f", "#d95f02"
        elif node is value:
            face, edge = "#d9f0d3", "#1b7837"
        elif not node._prev:
            face, edge = "#dbe9f6", "#2166ac"
        else:
            face, edge = "#f4f4f4", "#555555"
        ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                                    boxstyle="round,pad=0,rounding_size=0.06", facecolor=face,
                                    edgecolor=edge, linewidth=(2.0 if hot else 1.0) * lw, zorder=2))
        lines = [f"data {node.data:.4f}", f"grad {node.grad:.4f}"]
        if node.label:
            lines.insert(0, node.label)
        text = ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=font,
                       family="monospace", linespacing=1.25, zorder=3)
        text.set_gid("value")
        if not node._prev:
            continue
        # The operation's circle, its arrow to the result and the arrows from its inputs.
        ox = x - _BOX_W / 2 - _OP_GAP
        ax.add_patch(Circle((ox, y), _OP_R, facecolor="#ffd27f" if hot else "white",
                            edgecolor=edge if hot else "#555555", linewidth=lw, zorder=2))
        symbol = _OP_SYMBOLS.get(node._op, node._op)
        if symbol.startswith("**"):
            symbol = "^" + symbol[2:]
        op_text = ax.text(ox, y, symbol, ha="center", va="center", zorder=3,
                          fontsize=font * (1.0 if len(symbol) <= 2 else 0.85))
        op_text.set_gid("op")
        arrow((ox + _OP_R, y), (x - _BOX_W / 2, y))
        for k, child in enumerate(node._prev):
            cx, cy = pos[child]
            start = (cx + _BOX_W / 2, cy)
            # Point the arrow at the circle's edge, along the line between the two centres.
            dx, dy = ox - start[0], y - cy
            dist = math.hypot(dx, dy)
            end = (ox - _OP_R * dx / dist, y - _OP_R * dy / dist)
            if node._prev.count(child) > 1:  # a*a: two arrows, bent apart, so both are visible
                arrow(start, end, rad=0.25 if k == node._prev.index(child) else -0.25)
            else:  # bend the arrow if a straight one would run behind another box
                others = [b for n, b in boxes.items() if n is not child]
                others += [c for n, c in circles.items() if n is not node]
                arrow(start, end, rad=_clear_bend(start, end, others))
    return fig, ax
