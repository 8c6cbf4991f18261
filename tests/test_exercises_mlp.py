"""Notebook 06's check of `mlp_backward`, with answers written as a learner writes them."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import ExerciseFailed, NotDoneYet, check_mlp_backward
from bplib.course.exercises.mlp import _bplib_backward, mlp_forward
from bplib.functions import mse, sigmoid_grad
from bplib.gradcheck import numerical_gradient, relative_error


def correct(params, cache, Y):
    X, Z1, A1, Z2, A2 = cache["X"], cache["Z1"], cache["A1"], cache["Z2"], cache["A2"]
    N, n2 = A2.shape
    dA2 = 2 * (A2 - Y) / (N * n2)
    dZ2 = dA2 * A2 * (1 - A2)
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0)
    dZ1 = (dZ2 @ params["W2"].T) * A1 * (1 - A1)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0)
    return {"dZ2": dZ2, "dW2": dW2, "db2": db2, "dZ1": dZ1, "dW1": dW1, "db1": db1}


def _with(**changes):
    """A learner's answer: the correct one with some lines written differently (each a function of the cache)."""

    def answer(params, cache, Y):
        X, Z1, A1, Z2, A2 = cache["X"], cache["Z1"], cache["A1"], cache["Z2"], cache["A2"]
        W2 = params["W2"]
        dA2 = changes["dA2"](A2, Y) if "dA2" in changes else 2 * (A2 - Y) / A2.size
        dZ2 = changes["dZ2"](dA2, Z2, A2) if "dZ2" in changes else dA2 * sigmoid_grad(Z2)
        dW2 = changes["dW2"](X, A1, A2, dZ2) if "dW2" in changes else A1.T @ dZ2
        db2 = changes["db2"](dZ2) if "db2" in changes else dZ2.sum(axis=0)
        dZ1 = changes["dZ1"](dZ2, W2, Z1, A1) if "dZ1" in changes else (dZ2 @ W2.T) * sigmoid_grad(Z1)
        dW1 = changes["dW1"](X, A1, dZ1) if "dW1" in changes else X.T @ dZ1
        db1 = dZ1.sum(axis=0)
        return {"dZ2": dZ2, "dW2": dW2, "db2": db2, "dZ1": dZ1, "dW1": dW1, "db1": db1}

    return answer


def unfinished(params, cache, Y):
    # YOUR CODE HERE
    raise NotImplementedError()


def test_correct_answer_passes(capsys):
    check_mlp_backward(correct)
    assert capsys.readouterr().out.startswith("PASSED: the four equations")


def test_reference_is_checked_against_finite_differences():
    """The reference (bplib's layers) agrees with central differences of the loss, every parameter."""
    rng = np.random.default_rng(3)
    params = {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4),
              "W2": rng.normal(size=(4, 2)), "b2": rng.normal(size=2)}
    X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    _, cache = mlp_forward(params, X)
    grads = _bplib_backward(params, cache, Y)
    for name in ("W1", "b1", "W2", "b2"):
        numeric = numerical_gradient(lambda _: float(mse(mlp_forward(params, X)[0], Y)), params[name])
        assert relative_error(grads["d" + name], numeric) < 1e-7, name
    z2 = cache["Z2"].copy()
    from bplib.functions import sigmoid
    numeric_dz2 = numerical_gradient(lambda z: float(mse(sigmoid(z), Y)), z2)
    assert relative_error(grads["dZ2"], numeric_dz2) < 1e-7


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (_with(dZ2=lambda dA2, Z2, A2: dA2 * sigmoid_grad(A2)), "of the activation A2 instead of the pre-activation"),
        (_with(dZ2=lambda dA2, Z2, A2: dA2), "the derivative of the output sigmoid is missing"),
        (_with(dA2=lambda A2, Y: 2 * (A2 - Y)), "N * n2 times too large"),
        (_with(dA2=lambda A2, Y: 2 * (A2 - Y) / A2.shape[0]), "you divided by N only"),
        (_with(dA2=lambda A2, Y: (A2 - Y) / A2.size), "the 2 is missing"),
        (_with(dA2=lambda A2, Y: 2 * (Y - A2) / A2.size), "wrong sign"),
        (_with(dW2=lambda X, A1, A2, dZ2: A1 @ dZ2), "dW2 looks like A1 @ dZ2: the transpose is missing"),
        (_with(dW2=lambda X, A1, A2, dZ2: A2.T @ dZ2), "wrong layer's activation, A2"),
        (_with(dW2=lambda X, A1, A2, dZ2: X.T @ dZ2), "uses X, the input of the network"),
        (_with(db2=lambda dZ2: dZ2.sum(axis=1)), "summed over the wrong axis"),
        (_with(db2=lambda dZ2: np.mean(dZ2, axis=0)), "the mean of dZ2"),
        (_with(dZ1=lambda dZ2, W2, Z1, A1: (dZ2 @ W2) * A1 * (1 - A1)), "the transpose of W2 is missing"),
        (_with(dZ1=lambda dZ2, W2, Z1, A1: dZ2 @ W2.T), "the derivative of the hidden sigmoid is missing"),
        (_with(dZ1=lambda dZ2, W2, Z1, A1: (dZ2 @ W2.T) * sigmoid_grad(A1)), "of the activation A1 instead"),
        (_with(dW1=lambda X, A1, dZ1: X @ dZ1), "dW1 looks like X @ dZ1"),
        (_with(dW1=lambda X, A1, dZ1: A1.T @ dZ1), "layer 1's OUTPUT"),
    ],
)
def test_typical_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_mlp_backward(answer)
    assert phrase in str(info.value)


def test_missing_key_is_named():
    def no_db1(params, cache, Y):
        grads = correct(params, cache, Y)
        del grads["db1"]
        return grads

    with pytest.raises(ExerciseFailed, match=r"grads\['db1'\] is None"):
        check_mlp_backward(no_db1)


def test_unfinished_is_not_done_yet():
    with pytest.raises(NotDoneYet, match="not done yet: complete `unfinished`"):
        check_mlp_backward(unfinished)
