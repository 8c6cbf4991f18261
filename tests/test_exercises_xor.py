"""Notebook 08's checks, with answers written as a learner writes them: each typical mistake gets its hint."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import (ExerciseFailed, NotDoneYet, check_xor_backward, check_xor_forward,
                                    check_xor_hyperparameters)
from bplib.functions import sigmoid, sigmoid_grad


def _fails_with(check, answer, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check(answer)
    assert phrase in str(info.value)


# ---- forward ---------------------------------------------------------------------------------

def xor_forward(X, W1, b1, W2, b2):
    a1 = sigmoid(X @ W1 + b1)
    a2 = sigmoid(a1 @ W2 + b2)
    return a1, a2


def keeps_pre_activation(X, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    a2 = sigmoid(sigmoid(z1) @ W2 + b2)
    return z1, a2                       # "the hidden layer": R1's fault


def forgets_hidden_bias(X, W1, b1, W2, b2):
    a1 = sigmoid(X @ W1)
    return a1, sigmoid(a1 @ W2 + b2)


def no_output_sigmoid(X, W1, b1, W2, b2):
    a1 = sigmoid(X @ W1 + b1)
    return a1, a1 @ W2 + b2


def output_from_z1(X, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    return sigmoid(z1), sigmoid(z1 @ W2 + b2)


def returns_only_output(X, W1, b1, W2, b2):
    return sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)


def test_forward_correct_passes(capsys):
    check_xor_forward(xor_forward)
    assert capsys.readouterr().out.startswith("PASSED: a1 = sigmoid(X @ W1 + b1)")


@pytest.mark.parametrize(("answer", "phrase"), [
    (keeps_pre_activation, "R1's first fault"),
    (forgets_hidden_bias, "the bias is missing"),
    (no_output_sigmoid, "the output layer has a sigmoid too"),
    (output_from_z1, "computed from z1"),
    (returns_only_output, "must return 2 values"),
])
def test_forward_mistakes_get_their_hint(answer, phrase):
    _fails_with(check_xor_forward, answer, phrase)


def test_forward_unfinished_is_not_done_yet():
    def xor_forward(X, W1, b1, W2, b2):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotDoneYet, match="not done yet: complete `.*xor_forward`"):
        check_xor_forward(xor_forward)


# ---- backward --------------------------------------------------------------------------------

def xor_backward(X, y, a1, a2, W2):
    y = y.reshape(-1, 1)
    N = X.shape[0]
    delta2 = 2 * (a2 - y) / N * a2 * (1 - a2)
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)


def r2_no_output_derivative(X, y, a1, a2, W2):
    y = y.reshape(-1, 1)
    delta2 = 2 * (a2 - y) / len(X)                 # R2: dL/da2 used as dL/dz2
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)


def r1_bias_wrong_axis(X, y, a1, a2, W2):
    y = y.reshape(-1, 1)
    delta2 = 2 * (a2 - y) / len(X) * a2 * (1 - a2)
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return X.T @ delta1, np.sum(delta1, axis=1), a1.T @ delta2, delta2.sum(axis=0)


def derivative_recomputed_from_activation(X, y, a1, a2, W2):
    y = y.reshape(-1, 1)
    delta2 = 2 * (a2 - y) / len(X) * a2 * (1 - a2)
    delta1 = (delta2 @ W2.T) * sigmoid_grad(a1)
    return X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)


def elementwise_dW2(X, y, a1, a2, W2):
    y = y.reshape(-1, 1)
    delta2 = 2 * (a2 - y) / len(X) * a2 * (1 - a2)
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return X.T @ delta1, delta1.sum(axis=0), a1 * delta2, delta2.sum(axis=0)


def no_reshape(X, y, a1, a2, W2):
    delta2 = 2 * (a2 - y) / len(X) * a2 * (1 - a2)
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)


def no_hidden_derivative(X, y, a1, a2, W2):
    y = y.reshape(-1, 1)
    delta2 = 2 * (a2 - y) / len(X) * a2 * (1 - a2)
    delta1 = delta2 @ W2.T
    return X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)


def sum_not_mean(X, y, a1, a2, W2):
    y = y.reshape(-1, 1)
    delta2 = 2 * (a2 - y) * a2 * (1 - a2)          # the 1/N of the mean forgotten
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)


def gradient_ascent_sign(X, y, a1, a2, W2):
    y = y.reshape(-1, 1)
    delta2 = 2 * (y - a2) / len(X) * a2 * (1 - a2)
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return X.T @ delta1, delta1.sum(axis=0), a1.T @ delta2, delta2.sum(axis=0)


def test_backward_correct_passes(capsys):
    check_xor_backward(xor_backward)
    assert "finite differences" in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "phrase"), [
    (r2_no_output_derivative, "output layer's sigmoid derivative is missing (R2's fault)"),
    (r1_bias_wrong_axis, "summed over the wrong axis (axis=1, over the hidden units; R1's fault)"),
    (derivative_recomputed_from_activation, "recomputed from the activation"),
    (elementwise_dW2, "broadcasts it silently (R2's fault)"),
    (no_reshape, "y = y.reshape(-1, 1)"),
    (no_hidden_derivative, "hidden layer's sigmoid derivative is missing"),
    (sum_not_mean, "N = 5 times too large"),
    (gradient_ascent_sign, "wrong sign"),
])
def test_backward_mistakes_get_their_hint(answer, phrase):
    _fails_with(check_xor_backward, answer, phrase)


# ---- hyperparameters -------------------------------------------------------------------------

def test_hyperparameters_that_learn_within_the_budget_pass(capsys):
    def xor_hyperparameters():
        lr = 10.0
        hidden = 4
        epochs = 100
        return lr, hidden, epochs

    check_xor_hyperparameters(xor_hyperparameters)
    assert capsys.readouterr().out.startswith("PASSED")


@pytest.mark.parametrize(("lr", "hidden", "epochs", "phrase"), [
    (1.0, 4, 2000, "above the budget of 100"),            # the success table's answer
    (10.0, 1, 100, "hidden = 1 cannot represent XOR"),
    (40.0, 16, 100, "the learning rate is too large"),
    (5.0, 4, 100, "still on the plateau"),
    (0.01, 4, 100, "still on the plateau"),                # R1's learning rate
    (-1.0, 4, 100, "positive number"),
    (10.0, 4.5, 100, "positive integer"),
    (None, 4, 100, "not set"),
])
def test_hyperparameter_mistakes_get_their_hint(lr, hidden, epochs, phrase):
    _fails_with(check_xor_hyperparameters, lambda: (lr, hidden, epochs), phrase)


def test_hyperparameters_must_be_three_values():
    _fails_with(check_xor_hyperparameters, lambda: 10.0, "must return 3 values")
