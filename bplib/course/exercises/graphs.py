"""Exercises of notebook 02 (computational graphs), declared for the exercise engine.

* ``02-backprop-by-hand``: ``backprop_by_hand(a, b, c, f)`` returns the four partial derivatives of
  ``L = (a*b + c)*f + a`` (intermediate nodes ``e = a*b``, ``d = e + c``, ``g = d*f``, ``L = g + a``),
  as expressions in ``a, b, c, f``; ``a`` is used twice, so its gradient is the sum over both paths.
* ``02-my-value``: a micrograd-style scalar class ``MyValue`` (``data``, ``grad``, ``_prev``,
  ``_backward``): the learner writes the local ``_backward`` of ``*``, of ``tanh`` and of ``**`` (a
  constant exponent), and ``backward()`` (topological order, seed ``grad = 1``, visit in reverse).
  The check builds expressions in which a node is used twice (``a*a``, ``a + a``, ``b`` in two
  branches) and compares every grad with :class:`bplib.autograd.Value`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from bplib.autograd import Value
from bplib.course.exercises.engine import Exercise, ExerciseFailed, Mistake

__all__ = ["BY_HAND_INPUTS", "BACKPROP_BY_HAND", "MY_VALUE", "check_backprop_by_hand", "check_my_value"]

# ---- 02-backprop-by-hand ------------------------------------------------------------------------

#: The numbers the notebook works with: a = 2, b = -3, c = 5, f = 4 (then L = -2).
BY_HAND_INPUTS: dict[str, float] = {"a": 2.0, "b": -3.0, "c": 5.0, "f": 4.0}

# The notebook's point first, then two more: the answer must hold as expressions in a, b, c, f.
_POINTS: tuple[dict[str, float], ...] = (
    BY_HAND_INPUTS,
    {"a": -1.5, "b": 0.75, "c": 2.0, "f": -3.0},
    {"a": 0.7, "b": 2.5, "c": -4.0, "f": 1.25},
)


def _run_by_hand(backprop_by_hand: Any) -> Iterator[tuple[str, Any]]:
    """The four partial derivatives at each point, in the order dL/da, dL/db, dL/dc, dL/df."""
    for point in _POINTS:
        answer = backprop_by_hand(point["a"], point["b"], point["c"], point["f"])
        if not isinstance(answer, (tuple, list)) or len(answer) != 4:
            raise ExerciseFailed("backprop_by_hand should return four numbers: "
                                 "return dL_da, dL_db, dL_dc, dL_df.")
        where = ", ".join(f"{name} = {point[name]:g}" for name in "abcf")
        for name, value in zip(("dL/da", "dL/db", "dL/dc", "dL/df"), answer):
            yield f"{name} at {where}", value


def _by_hand_value(a: float, b: float, c: float, f: float) -> tuple[float, float, float, float]:
    """The reference: bplib's Value builds the graph and runs backward()."""
    va, vb, vc, vf = Value(a), Value(b), Value(c), Value(f)
    loss = (va * vb + vc) * vf + va
    loss.backward()
    return va.grad, vb.grad, vc.grad, vf.grad


_SUM_OF_PATHS = ("a is used twice (in a*b and in + a): its gradient is the SUM of both paths, grad += ..., "
                 "not the last (or first) path alone.")

BACKPROP_BY_HAND = Exercise(
    id="02-backprop-by-hand",
    title="backprop_by_hand: L = (a b + c) f + a",
    writes="`backprop_by_hand`",
    names=("backprop_by_hand",),
    run=_run_by_hand,
    reference=_by_hand_value,
    mistakes=(
        Mistake(f"dL/da holds only the path through a*b: {_SUM_OF_PATHS}",
                lambda a, b, c, f: (b * f, a * f, f, a * b + c)),
        Mistake(f"dL/da holds only the path through + a: {_SUM_OF_PATHS}",
                lambda a, b, c, f: (1.0, a * f, f, a * b + c)),
        Mistake("you used only the local derivatives and forgot the chain rule's upstream factor: multiply each "
                "local derivative by the gradient arriving from above (here dL/dd = f).",
                lambda a, b, c, f: (b + 1.0, a, 1.0, a * b + c)),
        Mistake("the partials of a product are swapped: for e = a*b, de/da = b and de/db = a (each input gets the "
                "OTHER factor).", lambda a, b, c, f: (a * f + 1.0, b * f, f, a * b + c)),
        Mistake("the sign is wrong: none of the operations here (+ and *) flips a sign on its own.",
                lambda a, b, c, f: (-(b * f + 1.0), -a * f, -f, -(a * b + c))),
        Mistake("right at the notebook's numbers only: write the derivatives as expressions in a, b, c, f "
                "(the check tries other numbers too), not as fixed numbers.",
                lambda a, b, c, f: (-11.0, 8.0, 4.0, -1.0)),
    ),
    error_hint="backprop_by_hand(a, b, c, f) gets four numbers and returns four: dL_da, dL_db, dL_dc, dL_df.",
    passed="dL/da = -11, dL/db = 8, dL/dc = 4, dL/df = -1 (and the same expressions at two other points) "
           "agree with Value.backward().",
)
check_backprop_by_hand = BACKPROP_BY_HAND.check

# ---- 02-my-value --------------------------------------------------------------------------------


def _run_my_value(value_class: Any) -> Iterator[tuple[str, Any]]:
    """Expressions with a node used twice; every input's grad after ``backward()``, as Value computes it."""
    V = value_class

    a = V(1.5)
    (a * a).backward()
    yield "a.grad after (a * a).backward(), a = 1.5", a.grad

    b, c = V(2.0), V(-3.0)
    (b * c).backward()
    yield "b.grad after (b * c).backward(), b = 2, c = -3", b.grad
    yield "c.grad after (b * c).backward(), b = 2, c = -3", c.grad

    a = V(1.5)
    (a + a).backward()
    yield "a.grad after (a + a).backward(), a = 1.5", a.grad

    a = V(1.5)
    (a ** 3).backward()
    yield "a.grad after (a ** 3).backward(), a = 1.5", a.grad

    a = V(0.7)
    a.tanh().backward()
    yield "a.grad after a.tanh().backward(), a = 0.7", a.grad

    # b in two branches (b*c and b**2), and d = b*c used twice (by the product and by tanh)
    b, c = V(0.8), V(-1.3)
    d = b * c
    out = d * d.tanh() + b ** 2
    out.backward()
    where = "after (d * d.tanh() + b**2).backward() with d = b * c, b = 0.8, c = -1.3"
    yield f"d.grad {where}", d.grad
    yield f"b.grad {where}", b.grad
    yield f"c.grad {where}", c.grad
    yield f"out.grad {where} (the seed)", out.grad


class _MyValue:
    """The notebook's ``MyValue`` with the solution filled in (the base of the wrong answers)."""

    def __init__(self, data: float, _prev: tuple = ()) -> None:
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_prev)
        self._backward = lambda: None

    def __add__(self, other: Any) -> _MyValue:
        other = other if isinstance(other, _MyValue) else type(self)(other)
        out = type(self)(self.data + other.data, (self, other))

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Any) -> _MyValue:
        other = other if isinstance(other, _MyValue) else type(self)(other)
        out = type(self)(self.data * other.data, (self, other))

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k: float) -> _MyValue:
        out = type(self)(self.data ** k, (self,))

        def _backward() -> None:
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> _MyValue:
        t = math.tanh(self.data)
        out = type(self)(t, (self,))

        def _backward() -> None:
            self.grad += (1 - t ** 2) * out.grad

        out._backward = _backward
        return out

    def topological_order(self) -> list[_MyValue]:
        order: list[_MyValue] = []
        visited: set[int] = set()

        def visit(node: _MyValue) -> None:
            if id(node) not in visited:
                visited.add(id(node))
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        return order

    def backward(self) -> None:
        self.grad = 1.0
        for node in reversed(self.topological_order()):
            node._backward()


class _NoSeed(_MyValue):
    def backward(self) -> None:
        for node in reversed(self.topological_order()):
            node._backward()


class _ForwardOrder(_MyValue):
    def backward(self) -> None:
        self.grad = 1.0
        for node in self.topological_order():
            node._backward()


class _RecursiveFromOutput(_MyValue):
    """Each node passes its gradient on, then asks its inputs to do the same (depth-first, from the output)."""

    def backward(self) -> None:
        self.grad = 1.0

        def visit(node: _MyValue) -> None:
            node._backward()
            for child in node._prev:
                visit(child)

        visit(self)


class _NoVisitedSet(_MyValue):
    """A topological order without the visited set: a node used twice is listed (and run) twice."""

    def topological_order(self) -> list[_MyValue]:
        order: list[_MyValue] = []

        def visit(node: _MyValue) -> None:
            for child in node._prev:
                visit(child)
            order.append(node)

        visit(self)
        return order


def _variant(operation: str, local_grads: Any, assign: bool = False) -> type:
    """A wrong MyValue: the reference with the ``_backward`` of ``operation`` ("__mul__", "__pow__" or
    "tanh") replaced. ``local_grads(out, *inputs)`` gives each input's contribution (``inputs`` are
    ``out._prev``, then the exponent k for ``**``); they are added to the inputs' grads, or assigned."""

    def method(self: _MyValue, *args: Any) -> _MyValue:
        out = getattr(_MyValue, operation)(self, *args)
        inputs = (*out._prev, *args) if operation == "__pow__" else out._prev

        def _backward() -> None:
            for node, grad in zip(out._prev, local_grads(out, *inputs)):
                node.grad = grad if assign else node.grad + grad

        out._backward = _backward
        return out

    return type(f"_Wrong{operation.strip('_').title()}", (_MyValue,), {operation: method})


_ORDER = ("A node may pass its gradient on only when it is complete, after every node that uses it has added "
          "its contribution: build the topological order (each node after its inputs, each node once) and call "
          "_backward in REVERSED order, from the output to the inputs.")

MY_VALUE = Exercise(
    id="02-my-value",
    title="MyValue: _backward of *, ** and tanh, and backward()",
    writes="`MyValue`'s `_backward` functions and `MyValue.backward`",
    names=("MyValue",),
    run=_run_my_value,
    reference=Value,
    mistakes=(
        Mistake(f"the gradients below the output stay 0: the nodes are visited in topological order (inputs first), "
                f"when their grads are still 0. {_ORDER}", _ForwardOrder),
        Mistake("every grad is 0: backward() must seed the output with self.grad = 1.0 (dL/dL = 1) before it "
                "calls the _backward functions; without it every contribution is a multiple of 0.", _NoSeed),
        Mistake("a.grad is half of 2a for a * a: the _backward of * sets the grads (=) instead of adding to them "
                "(+=). When both inputs are the same node, the second assignment erases the first contribution.",
                _variant("__mul__", lambda out, a, b: (b.data * out.grad, a.data * out.grad), assign=True)),
        Mistake("the partials of * are swapped: for out = self * other, self gets other.data * out.grad and other "
                "gets self.data * out.grad (each input gets the OTHER factor).",
                _variant("__mul__", lambda out, a, b: (a.data * out.grad, b.data * out.grad))),
        Mistake("the _backward of ** misses the factor k of the power rule: d(a**k)/da = k * a**(k - 1).",
                _variant("__pow__", lambda out, a, k: (a.data ** (k - 1) * out.grad,))),
        Mistake("the _backward of ** uses the exponent k instead of k - 1: d(a**k)/da = k * a**(k - 1).",
                _variant("__pow__", lambda out, a, k: (k * a.data ** k * out.grad,))),
        Mistake("the _backward of tanh uses 1 - t instead of 1 - t**2: d tanh(a)/da = 1 - tanh(a)**2 (square the "
                "output t).", _variant("tanh", lambda out, a: ((1 - out.data) * out.grad,))),
        Mistake("the _backward of tanh uses 1 - a**2 with the input a = self.data: the formula takes the OUTPUT, "
                "1 - t**2 with t = tanh(a).",
                _variant("tanh", lambda out, a: ((1 - a.data ** 2) * out.grad,))),
        Mistake(f"a node used twice passed its gradient on before it was complete (and then again): backward "
                f"recurses from the output into each input, depth first. {_ORDER}", _RecursiveFromOutput),
        Mistake(f"a node used twice (d) passes its gradient on twice: the topological order lists it twice. Keep "
                f"a set of visited nodes so that each node is added once. {_ORDER}", _NoVisitedSet),
    ),
    error_hint=("MyValue(data) holds one number; the check uses MyValue(number), +, *, ** with a number, .tanh(), "
                ".backward(), .grad and .data, like bplib.autograd.Value."),
    passed="every grad (a * a, a + a, b * c, a ** 3, tanh, and b used in two branches) agrees with "
           "bplib.autograd.Value.",
)
check_my_value = MY_VALUE.check
