"""The notebook-03 check with answers written as a learner writes them: each typical mistake gets its hint."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import ExerciseFailed, NotDoneYet, check_neuron_gradient


def neuron_backward(X, Y, A):
    N = len(Y)
    dZ = 2 / N * (A - Y) * A * (1 - A)
    return X.T @ dZ, dZ.sum()


def with_a_loop(X, Y, A):
    # another correct answer: one example at a time
    dw, db = np.zeros(X.shape[1]), 0.0
    for x_n, y_n, a_n in zip(X, Y, A):
        delta_n = 2 * (a_n - y_n) * a_n * (1 - a_n) / len(Y)
        dw += delta_n * x_n
        db += delta_n
    return dw, db


def no_sigmoid_derivative(X, Y, A):
    dZ = 2 / len(Y) * (A - Y)
    return X.T @ dZ, dZ.sum()


def sigmoid_of_A(X, Y, A):
    s = 1 / (1 + np.exp(-A))
    dZ = 2 / len(Y) * (A - Y) * s * (1 - s)
    return X.T @ dZ, dZ.sum()


def no_two(X, Y, A):
    dZ = (A - Y) * A * (1 - A) / len(Y)
    return X.T @ dZ, dZ.sum()


def no_mean(X, Y, A):
    dZ = 2 * (A - Y) * A * (1 - A)
    return X.T @ dZ, dZ.sum()


def wrong_sign(X, Y, A):
    dZ = 2 / len(Y) * (Y - A) * A * (1 - A)
    return X.T @ dZ, dZ.sum()


def no_transpose(X, Y, A):
    dZ = 2 / len(Y) * (A - Y) * A * (1 - A)
    return X @ dZ, dZ.sum()


def db_mean(X, Y, A):
    dZ = 2 / len(Y) * (A - Y) * A * (1 - A)
    return X.T @ dZ, dZ.mean()


def db_not_summed(X, Y, A):
    dZ = 2 / len(Y) * (A - Y) * A * (1 - A)
    return X.T @ dZ, dZ


@pytest.mark.parametrize("answer", [neuron_backward, with_a_loop])
def test_correct_answers_pass(answer, capsys):
    check_neuron_gradient(answer)
    assert capsys.readouterr().out.startswith("PASSED: dZ = 2/N (A - Y) A (1 - A)")


@pytest.mark.parametrize(("answer", "phrase"), [
    (no_sigmoid_derivative, "the sigmoid's derivative is missing"),
    (sigmoid_of_A, "sigma' is applied to A"),
    (no_two, "the factor 2 is missing"),
    (no_mean, "the 1/N is missing"),
    (wrong_sign, "the sign is wrong"),
    (no_transpose, "the transpose is missing"),
    (db_mean, "db is the mean of dZ"),
    (db_not_summed, "db is dZ itself"),
])
def test_typical_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_neuron_gradient(answer)
    assert phrase in str(info.value)


def test_a_missing_return_value_is_named():
    with pytest.raises(ExerciseFailed, match="return dw, db"):
        check_neuron_gradient(lambda X, Y, A: (X.T @ (A - Y)))


def test_unfinished_is_not_done_yet():
    def neuron_backward(X, Y, A):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotDoneYet, match=r"not done yet: complete `(\S*\.)?neuron_backward`"):
        check_neuron_gradient(neuron_backward)
