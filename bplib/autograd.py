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

``bplib.course.plots.draw_graph`` draws the graph with matplotlib (no graphviz needed).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable


__all__ = ["Value", "topological_order", "zero_grad"]


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
