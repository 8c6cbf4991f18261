"""Tests of the notebook-01 checks: right answers pass, typical mistakes get their specific hint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bplib.course.exercises import ExerciseFailed, check_sigmoid_derivative, check_tanh_derivative


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


# ----------------------------------------------------------------------------- correct answers

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


# ----------------------------------------------------------------------------- typical mistakes

@pytest.mark.parametrize("answer, phrase", [
    (lambda z: _sigmoid(z), "the function value, not its derivative"),
    (lambda z: z * (1 - z), "not the pre-activation z"),
    (lambda z: -_sigmoid(z) ** 2, "forgot the chain rule's inner factor"),
    (lambda z: _sigmoid(z) ** 2, "forgot the chain rule's inner factor"),
    (lambda z: -_sigmoid(z) * (1 - _sigmoid(z)), "the sign is wrong"),
    (lambda z: 1 - _sigmoid(z), "must appear squared"),
    (lambda z: np.dot(_sigmoid(z).ravel(), 1 - _sigmoid(z).ravel()), "returned a single number"),
    (lambda z: np.outer(_sigmoid(z), 1 - _sigmoid(z)), "not @ or np.dot"),
    (lambda z: 2 * _sigmoid(z) * (1 - _sigmoid(z)), "constant factor 2"),
    (lambda z: math.exp(-z), "use np.exp"),
    (lambda z: None, "forget the return statement"),
])
def test_sigmoid_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed, match=phrase):
        check_sigmoid_derivative(answer)


@pytest.mark.parametrize("answer, phrase", [
    (lambda z: np.tanh(z), "the function value, not its derivative"),
    (lambda z: 1 - np.tanh(z), "must be squared"),
    (lambda z: 1 - z ** 2, "not the pre-activation z"),
    (lambda z: (1 - np.tanh(z) ** 2) / 2, "inner factor is missing"),
    (lambda z: np.tanh(z) ** 2 - 1, "the sign is wrong"),
    (lambda z: 1 + np.tanh(z) ** 2, "sign between the two terms"),
    (lambda z: 2 * (1 - np.tanh(z) ** 2), "counted twice"),
    (lambda z: np.sum(1 - np.tanh(z) ** 2), "returned a single number"),
    (lambda z: (1 - np.tanh(z) ** 2)[None], "same shape as z"),
])
def test_tanh_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed, match=phrase):
        check_tanh_derivative(answer)


def test_modifying_the_input_in_place_is_named():
    def in_place(z):
        z *= -1                       # flips the caller's array
        s = 1 / (1 + np.exp(z))
        return s * (1 - s)

    with pytest.raises(ExerciseFailed, match="in place"):
        check_sigmoid_derivative(in_place)


def test_unknown_mistake_gets_a_generic_message():
    with pytest.raises(ExerciseFailed, match="does not match the reference"):
        check_tanh_derivative(lambda z: np.exp(-z ** 2))


# ----------------------------------------------------------------------------- unfinished exercise

@pytest.mark.parametrize("check", [check_sigmoid_derivative, check_tanh_derivative])
def test_not_implemented_propagates(check):
    def unfinished(z):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check(unfinished)
