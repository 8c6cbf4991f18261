"""The notebook-02 checks with answers written as a learner writes them: each typical mistake gets its hint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bplib.course.exercises import BY_HAND_INPUTS, ExerciseFailed, NotDoneYet, check_backprop_by_hand, check_my_value

# ----------------------------------------------------------------------------- backprop by hand


def correct(a, b, c, f):
    d = a * b + c
    return b * f + 1.0, a * f, f, d


def forgot_accumulate(a, b, c, f):
    # the "+ a" path is overwritten by the product path: a.grad = ... instead of +=
    d = a * b + c
    return b * f, a * f, f, d


def forgot_upstream(a, b, c, f):
    # local derivatives only: de/da = b, de/db = a, dd/dc = 1
    d = a * b + c
    return b + 1.0, a, 1.0, d


def swapped_product(a, b, c, f):
    d = a * b + c
    return a * f + 1.0, b * f, f, d


def wrong_sign(a, b, c, f):
    d = a * b + c
    return -(b * f + 1.0), -a * f, -f, -d


def hard_coded_numbers(a, b, c, f):
    return -11.0, 8.0, 4.0, -1.0


def test_by_hand_values_at_the_notebooks_point():
    a, b, c, f = (BY_HAND_INPUTS[k] for k in "abcf")
    assert correct(a, b, c, f) == (-11.0, 8.0, 4.0, -1.0)


@pytest.mark.parametrize("answer", [correct, lambda a, b, c, f: [np.float64(x) for x in correct(a, b, c, f)]])
def test_correct_by_hand_answers_pass(answer, capsys):
    check_backprop_by_hand(answer)
    out = capsys.readouterr().out
    assert out.startswith("PASSED") and "dL/da = -11" in out


@pytest.mark.parametrize(("answer", "phrase"), [
    (forgot_accumulate, r"only the path through a\*b"),
    (lambda a, b, c, f: (1.0, *correct(a, b, c, f)[1:]), r"only the path through \+ a"),
    (forgot_upstream, "forgot the chain rule's upstream factor"),
    (swapped_product, "partials of a product are swapped"),
    (wrong_sign, "the sign is wrong"),
    (hard_coded_numbers, "expressions in a, b, c, f"),
])
def test_by_hand_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed, match=phrase):
        check_backprop_by_hand(answer)


def test_by_hand_wrong_return_type():
    with pytest.raises(ExerciseFailed, match="four numbers"):
        check_backprop_by_hand(lambda a, b, c, f: (1.0, 2.0))
    with pytest.raises(ExerciseFailed, match="four numbers"):
        check_backprop_by_hand(lambda a, b, c, f: None)


def test_by_hand_unfinished_is_not_done_yet():
    def backprop_by_hand(a, b, c, f):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotDoneYet, match=r"not done yet: complete `(\S*\.)?backprop_by_hand`"):
        check_backprop_by_hand(backprop_by_hand)


# ----------------------------------------------------------------------------- MyValue


class MyValue:
    """The notebook's class with the solution (type(self) so that the wrong subclasses below make their own nodes)."""

    def __init__(self, data, _prev=()):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_prev)
        self._backward = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, MyValue) else type(self)(other)
        out = type(self)(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, MyValue) else type(self)(other)
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        out = type(self)(self.data ** k, (self,))

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = type(self)(t, (self,))

        def _backward():
            self.grad += (1 - t ** 2) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        order, visited = [], set()

        def build(node):
            if node not in visited:
                visited.add(node)
                for child in node._prev:
                    build(child)
                order.append(node)
        build(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


class OverwritesInMul(MyValue):
    def __mul__(self, other):
        other = other if isinstance(other, MyValue) else type(self)(other)
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad
        out._backward = _backward
        return out


class SwappedPartials(MyValue):
    def __mul__(self, other):
        other = other if isinstance(other, MyValue) else type(self)(other)
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad += self.data * out.grad
            other.grad += other.data * out.grad
        out._backward = _backward
        return out


class PowerWithoutK(MyValue):
    def __pow__(self, k):
        out = type(self)(self.data ** k, (self,))

        def _backward():
            self.grad += self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out


class PowerExponentK(MyValue):
    def __pow__(self, k):
        out = type(self)(self.data ** k, (self,))

        def _backward():
            self.grad += k * self.data ** k * out.grad
        out._backward = _backward
        return out


class TanhNoSquare(MyValue):
    def tanh(self):
        t = math.tanh(self.data)
        out = type(self)(t, (self,))

        def _backward():
            self.grad += (1 - t) * out.grad
        out._backward = _backward
        return out


class TanhOfInput(MyValue):
    def tanh(self):
        out = type(self)(math.tanh(self.data), (self,))

        def _backward():
            self.grad += (1 - self.data ** 2) * out.grad
        out._backward = _backward
        return out


class NoSeed(MyValue):
    def backward(self):
        order, visited = [], set()

        def build(node):
            if node not in visited:
                visited.add(node)
                for child in node._prev:
                    build(child)
                order.append(node)
        build(self)
        for node in reversed(order):
            node._backward()


class ForwardOrder(MyValue):
    def backward(self):
        order, visited = [], set()

        def build(node):
            if node not in visited:
                visited.add(node)
                for child in node._prev:
                    build(child)
                order.append(node)
        build(self)
        self.grad = 1.0
        for node in order:                 # not reversed
            node._backward()


class Recursive(MyValue):
    def backward(self):
        self.grad = 1.0
        self._backward()
        for child in self._prev:
            child._backward_all()

    def _backward_all(self):
        self._backward()
        for child in self._prev:
            child._backward_all()


class NoVisitedSet(MyValue):
    def backward(self):
        order = []

        def build(node):
            for child in node._prev:
                build(child)
            order.append(node)
        build(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()


class Unfinished(MyValue):
    def backward(self):
        # YOUR CODE HERE
        raise NotImplementedError()


def test_my_value_correct_answer_passes(capsys):
    check_my_value(MyValue)
    assert capsys.readouterr().out.startswith("PASSED: every grad")


def test_bplib_value_passes(capsys):
    from bplib.autograd import Value

    check_my_value(Value)
    assert capsys.readouterr().out.startswith("PASSED")


@pytest.mark.parametrize(("answer", "phrase"), [
    (OverwritesInMul, "sets the grads (=) instead of adding to them (+=)"),
    (SwappedPartials, "the partials of * are swapped"),
    (PowerWithoutK, "misses the factor k of the power rule"),
    (PowerExponentK, "uses the exponent k instead of k - 1"),
    (TanhNoSquare, "uses 1 - t instead of 1 - t**2"),
    (TanhOfInput, "the formula takes the OUTPUT"),
    (NoSeed, "must seed the output with self.grad = 1.0"),
    (ForwardOrder, "visited in topological order (inputs first)"),
    (Recursive, "recurses from the output into each input"),
    (NoVisitedSet, "Keep a set of visited nodes"),
])
def test_my_value_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_my_value(answer)
    assert phrase in str(info.value)


def test_my_value_unfinished_is_not_done_yet():
    with pytest.raises(NotDoneYet, match="not done yet: complete `Unfinished.backward`"):
        check_my_value(Unfinished)
