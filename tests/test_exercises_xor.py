"""The notebook-08 checks: correct answers pass, typical mistakes get their own hint, unfinished ones propagate."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import ExerciseFailed, check_xor_backward, check_xor_forward, check_xor_hyperparameters
from bplib.functions import sigmoid, sigmoid_grad


# ---------------------------------------------------------------------------------------------
# Exercise 1: forward
# ---------------------------------------------------------------------------------------------

def forward(X, W1, b1, W2, b2):
    a1 = sigmoid(X @ W1 + b1)
    a2 = sigmoid(a1 @ W2 + b2)
    return a1, a2


def forward_only_output(X, W1, b1, W2, b2):
    return forward(X, W1, b1, W2, b2)[1]


def forward_keeps_z1(X, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    return z1, sigmoid(sigmoid(z1) @ W2 + b2)


def forward_no_output_sigmoid(X, W1, b1, W2, b2):
    a1 = sigmoid(X @ W1 + b1)
    return a1, a1 @ W2 + b2


def forward_no_hidden_bias(X, W1, b1, W2, b2):
    a1 = sigmoid(X @ W1)
    return a1, sigmoid(a1 @ W2 + b2)


def forward_no_output_bias(X, W1, b1, W2, b2):
    a1 = sigmoid(X @ W1 + b1)
    return a1, sigmoid(a1 @ W2)


def forward_output_from_z1(X, W1, b1, W2, b2):
    z1 = X @ W1 + b1
    return sigmoid(z1), sigmoid(z1 @ W2 + b2)


def forward_wrong_order(X, W1, b1, W2, b2):
    a1 = sigmoid(W1 @ X + b1)
    return a1, sigmoid(a1 @ W2 + b2)


def forward_flat_output(X, W1, b1, W2, b2):
    a1 = sigmoid(X @ W1 + b1)
    return a1, sigmoid(a1 @ W2 + b2).ravel()


def forward_unfinished(X, W1, b1, W2, b2):
    # YOUR CODE HERE
    raise NotImplementedError()


def test_forward_correct_passes(capsys):
    check_xor_forward(forward)
    out = capsys.readouterr().out
    assert out.startswith("PASSED: forward:")


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (forward_only_output, "must return two arrays"),
        (forward_keeps_z1, "is the pre-activation z1"),
        (forward_no_output_sigmoid, "the output layer has a sigmoid too"),
        (forward_no_hidden_bias, "the bias is missing"),
        (forward_no_output_bias, "the bias b2 is missing"),
        (forward_output_from_z1, "computed from z1"),
        (forward_wrong_order, "check the order of the products"),
        (forward_flat_output, "(N, N) matrix (R2's fault)"),
    ],
)
def test_forward_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_xor_forward(answer)
    assert phrase in str(info.value)


def test_forward_unfinished_propagates():
    with pytest.raises(NotImplementedError):
        check_xor_forward(forward_unfinished)


# ---------------------------------------------------------------------------------------------
# Exercise 2: backward
# ---------------------------------------------------------------------------------------------

def backward(X, y, a1, a2, W2):
    y = y.reshape(-1, 1)
    n = X.shape[0]
    delta2 = 2 * (a2 - y) / n * a2 * (1 - a2)
    dW2 = a1.T @ delta2
    db2 = delta2.sum(axis=0)
    delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
    return X.T @ delta1, delta1.sum(axis=0), dW2, db2


def _backward_variant(*, flat_ok=True, out_deriv=True, hidden_deriv=True, bias_axis=0, transpose_w2=False,
                      factor=2.0, sign=1.0, grad_on_activation=False):
    def answer(X, y, a1, a2, W2):
        if flat_ok:
            y = y.reshape(-1, 1)
        n = X.shape[0]
        d_out = sigmoid_grad(a2) if grad_on_activation else a2 * (1 - a2)
        delta2 = sign * factor * (a2 - y) / n * (d_out if out_deriv else 1.0)
        dW2 = a1.T @ delta2
        db2 = delta2.sum(axis=0)
        back = delta2 @ (W2 if transpose_w2 else W2.T)
        delta1 = back * (a1 * (1 - a1) if hidden_deriv else 1.0)
        return X.T @ delta1, delta1.sum(axis=bias_axis), dW2, db2
    return answer


def backward_unfinished(X, y, a1, a2, W2):
    # YOUR CODE HERE
    raise NotImplementedError()


def backward_returns_dict(X, y, a1, a2, W2):
    dW1, db1, dW2, db2 = backward(X, y, a1, a2, W2)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def backward_bias_mean(X, y, a1, a2, W2):
    dW1, _, dW2, db2 = backward(X, y, a1, a2, W2)
    y = y.reshape(-1, 1)
    delta1 = (2 * (a2 - y) / len(X) * a2 * (1 - a2)) @ W2.T * a1 * (1 - a1)
    return dW1, delta1.mean(axis=0), dW2, db2


def backward_transposed_dw1(X, y, a1, a2, W2):
    dW1, db1, dW2, db2 = backward(X, y, a1, a2, W2)
    return dW1.T, db1, dW2, db2


def test_backward_correct_passes(capsys):
    check_xor_backward(backward)
    out = capsys.readouterr().out
    assert out.startswith("PASSED: backward:")
    assert "also with targets of shape (N,)" in out


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (_backward_variant(out_deriv=False), "output layer's sigmoid derivative is missing (R2's fault)"),
        (_backward_variant(hidden_deriv=False), "hidden layer's sigmoid derivative is missing"),
        (_backward_variant(grad_on_activation=True), "expects the pre-activation z"),
        (_backward_variant(bias_axis=1), "summed over the wrong axis (axis=1, over the hidden units; R1's fault)"),
        (_backward_variant(bias_axis=None), "summed over all axes"),
        (_backward_variant(transpose_w2=True), "usually a missing transpose"),
        (_backward_variant(flat_ok=False), "(N,) vs (N, 1) broadcasting"),
        (_backward_variant(factor=1.0), "off by a constant factor 0.5"),
        (_backward_variant(sign=-1.0), "wrong sign"),
        (backward_bias_mean, "the mean of delta1 over the batch"),
        (backward_transposed_dw1, "transpose"),
        (backward_returns_dict, "must return four gradients"),
    ],
)
def test_backward_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_xor_backward(answer)
    assert phrase in str(info.value)


def test_backward_missing_one_over_n_is_named():
    def no_mean(X, y, a1, a2, W2):
        dW1, db1, dW2, db2 = backward(X, y, a1, a2, W2)
        n = X.shape[0]
        return dW1 * n, db1 * n, dW2 * n, db2 * n

    with pytest.raises(ExerciseFailed) as info:
        check_xor_backward(no_mean)
    assert "times too large: divide by the batch size" in str(info.value)


def test_backward_unfinished_propagates():
    with pytest.raises(NotImplementedError):
        check_xor_backward(backward_unfinished)


# ---------------------------------------------------------------------------------------------
# Exercise 3: hyperparameters
# ---------------------------------------------------------------------------------------------

def test_hyperparameters_that_learn_pass(capsys):
    def xor_hyperparameters():
        lr = 2.0
        hidden = 4
        epochs = 2000
        return lr, hidden, epochs

    check_xor_hyperparameters(xor_hyperparameters)
    assert "learned XOR for 20 of 20 seeds" in capsys.readouterr().out
    check_xor_hyperparameters(2.0, 4, 2000)    # the three values directly
    assert "learned XOR for 20 of 20 seeds" in capsys.readouterr().out


def test_hyperparameters_unfinished_propagates():
    def xor_hyperparameters():
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check_xor_hyperparameters(xor_hyperparameters)


def test_hyperparameters_function_must_return_three_values():
    with pytest.raises(ExerciseFailed, match="must return three values"):
        check_xor_hyperparameters(lambda: 2.0)


@pytest.mark.parametrize(
    ("lr", "hidden", "epochs", "phrase"),
    [
        (0.01, 4, 2000, "too small to learn"),          # R1's learning rate
        (100.0, 4, 2000, "too large"),
        (1.0, 1, 2000, "One hidden unit cannot represent XOR"),
        (2.0, 2, 2000, "local minimum"),
        (1.0, 4, 10_000, "more than the 2,000 allowed"),
        (5.0, 4, 60, "still falling"),
        (-1.0, 4, 2000, "positive number"),
        (1.0, 4.5, 2000, "positive integer"),
        (None, 4, 2000, "not set"),
    ],
)
def test_hyperparameter_mistakes_get_their_hint(lr, hidden, epochs, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_xor_hyperparameters(lambda: (lr, hidden, epochs))
    assert phrase in str(info.value)
