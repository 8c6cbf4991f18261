"""The notebook-01 checks with answers written as a learner writes them: each typical mistake gets its hint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bplib.course.exercises import (ExerciseFailed, NotDoneYet, check_central_gradient, check_sigmoid_derivative,
                                    check_tanh_derivative)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ----------------------------------------------------------------------------- central_gradient

def central_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        f_plus = f(x)
        x[index] = old - h
        f_minus = f(x)
        x[index] = old
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def with_copies(f, x, h=1e-5):
    # another correct answer: unit vectors instead of in-place changes
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[index] = h
        grad[index] = (f(x + e) - f(x - e)) / (2 * h)
    return grad


def forward_difference(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    f_x = f(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        grad[index] = (f(x) - f_x) / h
        x[index] = old
    return grad


def divides_by_h(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[index] = h
        grad[index] = (f(x + e) - f(x - e)) / h
    return grad


def no_brackets(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[index] = h
        grad[index] = (f(x + e) - f(x - e)) / 2 * h
    return grad


def no_division(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[index] = h
        grad[index] = f(x + e) - f(x - e)
    return grad


def wrong_sign(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[index] = h
        grad[index] = (f(x - e) - f(x + e)) / (2 * h)
    return grad


def not_restored(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        x[index] += h
        f_plus = f(x)
        x[index] -= 2 * h
        f_minus = f(x)
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def all_at_once(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        grad[index] = (f(x + h) - f(x - h)) / (2 * h)
    return grad


def unfinished_gradient(f, x, h=1e-5):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        # YOUR CODE HERE
        raise NotImplementedError()
    return grad


@pytest.mark.parametrize("answer", [central_gradient, with_copies])
def test_central_gradient_correct_answers_pass(answer, capsys):
    check_central_gradient(answer)
    assert capsys.readouterr().out.startswith("PASSED: central_gradient computes")


@pytest.mark.parametrize("answer, phrase", [
    (forward_difference, "forward difference"),
    (divides_by_h, "twice the derivative"),
    (no_brackets, "put brackets around the denominator"),
    (no_division, "the division is missing"),
    (wrong_sign, "the sign is wrong"),
    (not_restored, "restore each entry"),
    (all_at_once, "moves ALL entries at once"),
])
def test_central_gradient_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed, match=phrase):
        check_central_gradient(answer)


# ----------------------------------------------------------------------------- sigmoid' and tanh'

@pytest.mark.parametrize("answer", [
    lambda z: _sigmoid(z) * (1 - _sigmoid(z)),
    lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2,          # the chain rule before simplifying
    lambda z: 0.25 / np.cosh(z / 2) ** 2,                  # an equivalent closed form
])
def test_sigmoid_correct_answers_pass(answer, capsys):
    check_sigmoid_derivative(answer)
    assert capsys.readouterr().out.startswith("PASSED: sigmoid_derivative matches")


@pytest.mark.parametrize("answer", [
    lambda z: 1 - np.tanh(z) ** 2,
    lambda z: 1 / np.cosh(z) ** 2,
    lambda z: 4 * _sigmoid(2 * z) * (1 - _sigmoid(2 * z)),  # via tanh(z) = 2 sigma(2z) - 1
])
def test_tanh_correct_answers_pass(answer, capsys):
    check_tanh_derivative(answer)
    assert capsys.readouterr().out.startswith("PASSED: tanh_derivative matches")


def sigmoid_in_place(z):
    z *= -1                       # flips the caller's array
    s = 1 / (1 + np.exp(z))
    return s * (1 - s)


@pytest.mark.parametrize("answer, phrase", [
    (lambda z: 1 / (1 + np.exp(-z)), "the function value, not its derivative"),
    (lambda z: z * (1 - z), "not the pre-activation z"),
    (lambda z: -1 / (1 + np.exp(-z)) ** 2, "forgot the chain rule's inner factor"),
    (lambda z: 1 / (1 + np.exp(-z)) ** 2, "forgot the chain rule's inner factor"),
    (lambda z: -np.exp(-z) / (1 + np.exp(-z)) ** 2, "the sign is wrong"),
    (lambda z: np.exp(-z) / (1 + np.exp(-z)), "must appear squared"),
    (lambda z: np.dot(_sigmoid(z).ravel(), 1 - _sigmoid(z).ravel()), "returned a single number"),
    (lambda z: np.outer(_sigmoid(z), 1 - _sigmoid(z)), "not @ or np.dot"),
    (lambda z: 2 * _sigmoid(z) * (1 - _sigmoid(z)), "constant factor 2"),
    (sigmoid_in_place, "in place"),
    (lambda z: None, "missing return"),
])
def test_sigmoid_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed, match=phrase):
        check_sigmoid_derivative(answer)


def test_math_exp_on_an_array_says_use_np_exp():
    with pytest.raises(ExerciseFailed, match="use np.exp") as info:
        check_sigmoid_derivative(lambda z: math.exp(-z) / (1 + math.exp(-z)) ** 2)
    assert str(info.value).startswith("your code raised TypeError")


@pytest.mark.parametrize("answer, phrase", [
    (lambda z: np.tanh(z), "the function value, not its derivative"),
    (lambda z: 1 - np.tanh(z), "must be squared"),
    (lambda z: 1 - z ** 2, "not the pre-activation z"),
    (lambda z: (1 - np.tanh(z) ** 2) / 2, "inner factor is missing"),
    (lambda z: np.tanh(z) ** 2 - 1, "the sign is wrong"),
    (lambda z: 1 + np.tanh(z) ** 2, "sign between the two terms"),
    (lambda z: 2 * (1 - np.tanh(z) ** 2), "counted twice"),
    (lambda z: np.sum(1 - np.tanh(z) ** 2), "returned a single number"),
    (lambda z: (1 - np.tanh(z) ** 2)[None], "one axis too many"),
])
def test_tanh_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed, match=phrase):
        check_tanh_derivative(answer)


def test_unknown_mistake_gets_a_generic_message():
    with pytest.raises(ExerciseFailed, match="does not match the reference"):
        check_tanh_derivative(lambda z: np.exp(-z ** 2))


# ----------------------------------------------------------------------------- unfinished exercises

def unfinished(z):
    # YOUR CODE HERE
    raise NotImplementedError()


@pytest.mark.parametrize("check, answer", [(check_sigmoid_derivative, unfinished), (check_tanh_derivative, unfinished),
                                           (check_central_gradient, unfinished_gradient)])
def test_an_unfinished_exercise_is_not_done_yet(check, answer):
    with pytest.raises(NotDoneYet, match="not done yet: complete `unfinished"):
        check(answer)
