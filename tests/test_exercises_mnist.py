"""The notebook-13 checks (the capstone's parts), with answers written as a learner writes them:
each typical mistake gets its hint, the correct answers pass, unfinished answers are "not done yet"."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import (ExerciseFailed, NotDoneYet, check_capstone_linear, check_capstone_loss,
                                    check_capstone_relu, check_capstone_rmsprop, check_most_confidently_wrong)


def _fails_with(check, *answers, phrase: str) -> None:
    with pytest.raises(ExerciseFailed) as info:
        check(*answers)
    assert not isinstance(info.value, NotDoneYet)
    assert phrase in str(info.value), str(info.value)


def _passes(check, *answers, capsys) -> None:
    check(*answers)
    assert capsys.readouterr().out.startswith("PASSED: ")


# ---- 13.1 linear_forward, linear_backward ------------------------------------------------------

def linear_forward(X, W, b):
    return X @ W + b


def linear_backward(dZ, X, W):
    dX = dZ @ W.T
    dW = X.T @ dZ
    db = np.sum(dZ, axis=0)
    return dX, dW, db


def forward_no_bias(X, W, b):
    return np.dot(X, W)


def backward_no_transpose(dZ, X, W):
    return dZ @ W.T, X @ dZ, dZ.sum(axis=0)


def backward_dw_transposed(dZ, X, W):
    return dZ @ W.T, (X.T @ dZ).T, dZ.sum(axis=0)


def backward_averages(dZ, X, W):
    N = X.shape[0]
    return dZ @ W.T, X.T @ dZ / N, dZ.sum(axis=0)


def backward_db_wrong_axis(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)


def backward_db_mean(dZ, X, W):
    return dZ @ W.T, X.T @ dZ, np.mean(dZ, axis=0)


def backward_dx_no_transpose(dZ, X, W):
    return dZ @ W, X.T @ dZ, dZ.sum(axis=0)


def backward_wrong_order(dZ, X, W):
    dW = X.T @ dZ
    db = dZ.sum(axis=0)
    dX = dZ @ W.T
    return dW, db, dX


def backward_forgets_return(dZ, X, W):
    dX, dW, db = dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def unfinished(*args):
    # YOUR CODE HERE
    raise NotImplementedError()


def test_linear_correct_answer_passes(capsys):
    _passes(check_capstone_linear, linear_forward, linear_backward, capsys=capsys)


@pytest.mark.parametrize(("forward", "backward", "phrase"), [
    (forward_no_bias, linear_backward, "the bias is missing"),
    (linear_forward, backward_no_transpose, "dW looks like X @ dZ: the transpose is missing"),
    (linear_forward, backward_dw_transposed, "the transpose of dW"),
    (linear_forward, backward_averages, "an extra 1/N"),
    (linear_forward, backward_db_wrong_axis, "summed over the wrong axis"),
    (linear_forward, backward_db_mean, "the mean of dZ over the batch"),
    (linear_forward, backward_dx_no_transpose, "dX looks like dZ @ W"),
    (linear_forward, backward_wrong_order, "in the order (dX, dW, db)"),
    (linear_forward, backward_forgets_return, "must return the tuple (dX, dW, db), got None"),
])
def test_linear_mistakes_get_their_hint(forward, backward, phrase):
    _fails_with(check_capstone_linear, forward, backward, phrase=phrase)


def test_linear_unfinished_is_not_done_yet():
    with pytest.raises(NotDoneYet, match="not done yet: complete `unfinished`"):
        check_capstone_linear(linear_forward, unfinished)


# ---- 13.2 relu_forward, relu_backward --------------------------------------------------------

def relu_forward(Z):
    return np.maximum(Z, 0)


def relu_backward(dA, Z):
    return dA * (Z > 0)


def relu_backward_where(dA, Z):            # another correct way
    return np.where(Z > 0, dA, 0.0)


def relu_backward_geq(dA, Z):              # >= instead of > : the same away from Z = 0
    return dA * (Z >= 0)


def relu_forward_max(Z):
    return np.max(Z, 0)


def relu_backward_identity(dA, Z):
    return dA


def relu_backward_mask_only(dA, Z):
    return (Z > 0).astype(np.float64)


def relu_backward_times_z(dA, Z):
    return dA * Z


def relu_backward_mask_from_da(dA, Z):
    dZ = dA.copy()
    dZ[dA < 0] = 0
    return dZ


@pytest.mark.parametrize("backward", [relu_backward, relu_backward_where, relu_backward_geq])
def test_relu_correct_answers_pass(backward, capsys):
    _passes(check_capstone_relu, relu_forward, backward, capsys=capsys)


@pytest.mark.parametrize(("forward", "backward", "phrase"), [
    (relu_forward_max, relu_backward, "np.maximum(Z, 0)"),
    (relu_forward, relu_backward_identity, "the activation's derivative is missing"),
    (relu_forward, relu_backward_mask_only, "the mask (Z > 0) alone"),
    (relu_forward, relu_backward_times_z, "multiplied dA by Z"),
    (relu_forward, relu_backward_mask_from_da, "masked dA by its own sign"),
])
def test_relu_mistakes_get_their_hint(forward, backward, phrase):
    _fails_with(check_capstone_relu, forward, backward, phrase=phrase)


def test_relu_unfinished_is_not_done_yet():
    with pytest.raises(NotDoneYet):
        check_capstone_relu(relu_forward, unfinished)


# ---- 13.3 softmax_cross_entropy --------------------------------------------------------------

def softmax_cross_entropy(Z, y):
    N = Z.shape[0]
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    L = -np.mean(np.log(P[np.arange(N), y]))
    dZ = P.copy()
    dZ[np.arange(N), y] -= 1
    return L, dZ / N


def sce_no_shift(Z, y):
    N = Z.shape[0]
    P = np.exp(Z) / np.sum(np.exp(Z), axis=1, keepdims=True)
    L = -np.mean(np.log(P[np.arange(N), y]))
    Y = np.eye(Z.shape[1])[y]
    return L, (P - Y) / N


def sce_p_instead_of_p_minus_y(Z, y):
    L, _ = softmax_cross_entropy(Z, y)
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return L, P / len(Z)


def sce_no_one_over_n(Z, y):
    L, dZ = softmax_cross_entropy(Z, y)
    return L, dZ * len(Z)


def sce_sum_loss(Z, y):
    L, dZ = softmax_cross_entropy(Z, y)
    return L * len(Z), dZ


def sce_per_example(Z, y):
    N = Z.shape[0]
    Z = Z - Z.max(axis=1, keepdims=True)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    Y = np.eye(Z.shape[1])[y]
    return -np.log(P[np.arange(N), y]), (P - Y) / N


def sce_wrong_sign(Z, y):
    L, dZ = softmax_cross_entropy(Z, y)
    return L, -dZ


def sce_axis0(Z, y):
    N = Z.shape[0]
    Z = Z - Z.max(axis=0, keepdims=True)
    P = np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True)
    L = -np.mean(np.log(P[np.arange(N), y]))
    Y = np.eye(Z.shape[1])[y]
    return L, (P - Y) / N


def test_softmax_cross_entropy_correct_answer_passes(capsys):
    _passes(check_capstone_loss, softmax_cross_entropy, capsys=capsys)


@pytest.mark.parametrize(("answer", "phrase"), [
    (sce_no_shift, "np.exp(1000) overflows"),
    (sce_p_instead_of_p_minus_y, "forgot to subtract the one-hot targets"),
    (sce_no_one_over_n, "dZ is P - Y, N times too large"),
    (sce_sum_loss, "N times too large: the loss is their mean"),
    (sce_per_example, "one loss per example"),
    (sce_wrong_sign, "wrong sign"),
    (sce_axis0, "along axis 0"),
])
def test_softmax_cross_entropy_mistakes_get_their_hint(answer, phrase):
    with np.errstate(all="ignore"):
        _fails_with(check_capstone_loss, answer, phrase=phrase)


def test_softmax_cross_entropy_unfinished_is_not_done_yet():
    with pytest.raises(NotDoneYet, match="not done yet"):
        check_capstone_loss(unfinished)


# ---- 13.4 rmsprop_update ---------------------------------------------------------------------

def rmsprop_update(param, grad, s, lr, rho, eps):
    s = rho * s + (1 - rho) * grad**2
    param = param - lr * grad / np.sqrt(s + eps)
    return param, s


def rmsprop_in_place(param, grad, s, lr, rho, eps):   # also correct: updates the arrays in place
    s *= rho
    s += (1 - rho) * grad * grad
    param -= lr * grad / np.sqrt(s + eps)
    return param, s


def rmsprop_g_not_squared(param, grad, s, lr, rho, eps):
    s = rho * s + (1 - rho) * grad
    return param - lr * grad / np.sqrt(s + eps), s


def rmsprop_eps_outside(param, grad, s, lr, rho, eps):
    s = rho * s + (1 - rho) * grad**2
    return param - lr * grad / (np.sqrt(s) + eps), s


def rmsprop_old_s(param, grad, s, lr, rho, eps):
    param = param - lr * grad / np.sqrt(s + eps)
    s = rho * s + (1 - rho) * grad**2
    return param, s


def rmsprop_swapped_rho(param, grad, s, lr, rho, eps):
    s = (1 - rho) * s + rho * grad**2
    return param - lr * grad / np.sqrt(s + eps), s


def rmsprop_no_sqrt(param, grad, s, lr, rho, eps):
    s = rho * s + (1 - rho) * grad**2
    return param - lr * grad / (s + eps), s


def rmsprop_plus(param, grad, s, lr, rho, eps):
    s = rho * s + (1 - rho) * grad**2
    return param + lr * grad / np.sqrt(s + eps), s


@pytest.mark.parametrize("answer", [rmsprop_update, rmsprop_in_place])
def test_rmsprop_correct_answers_pass(answer, capsys):
    _passes(check_capstone_rmsprop, answer, capsys=capsys)


@pytest.mark.parametrize(("answer", "phrase"), [
    (rmsprop_g_not_squared, "instead of its square"),
    (rmsprop_eps_outside, "PyTorch's placement"),
    (rmsprop_old_s, "the s of the previous step"),
    (rmsprop_swapped_rho, "rho and 1 - rho are swapped"),
    (rmsprop_no_sqrt, "the square root is missing"),
    (rmsprop_plus, "moved uphill"),
])
def test_rmsprop_mistakes_get_their_hint(answer, phrase):
    with np.errstate(invalid="ignore"):   # s may go negative when g is not squared
        _fails_with(check_capstone_rmsprop, answer, phrase=phrase)


def test_rmsprop_matches_bplib():
    """The reference formula is bplib's RMSprop (the optimiser R5 and the cross-check in 13 use)."""
    from bplib.nn import Linear
    from bplib.optim import RMSprop

    rng = np.random.default_rng(3)
    layer = Linear(3, 2, rng=rng)
    param, s = layer.params["W"].copy(), np.zeros((3, 2))
    optimiser = RMSprop(lr=0.01, rho=0.9, eps=1e-4)
    for _ in range(3):
        grad = rng.normal(size=(3, 2))
        layer.grads["W"], layer.grads["b"] = grad.copy(), np.zeros(2)
        optimiser.step(layer)
        param, s = rmsprop_update(param, grad, s, 0.01, 0.9, 1e-4)
    np.testing.assert_allclose(layer.params["W"], param, rtol=1e-12)


# ---- 13.5 most_confidently_wrong -------------------------------------------------------------

def _softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def most_confidently_wrong(logits, labels, k):
    probs = _softmax(logits)
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probs[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence)][:k]


def mcw_keeps_correct(logits, labels, k):
    return np.argsort(-_softmax(logits).max(axis=1))[:k]


def mcw_ascending(logits, labels, k):
    probs = _softmax(logits)
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    return wrong[np.argsort(probs[wrong, predicted[wrong]])][:k]


def mcw_by_logit(logits, labels, k):
    predicted = logits.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    return wrong[np.argsort(-logits[wrong].max(axis=1))][:k]


def mcw_true_class(logits, labels, k):
    probs = _softmax(logits)
    wrong = np.flatnonzero(probs.argmax(axis=1) != labels)
    return wrong[np.argsort(probs[wrong, labels[wrong]])][:k]


def mcw_subset_indices(logits, labels, k):
    probs = _softmax(logits)
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    return np.argsort(-probs[wrong, predicted[wrong]])[:k]


def mcw_with_probabilities(logits, labels, k):
    indices = most_confidently_wrong(logits, labels, k)
    return indices, _softmax(logits)[indices].max(axis=1)


def test_most_confidently_wrong_correct_answer_passes(capsys):
    _passes(check_most_confidently_wrong, most_confidently_wrong, capsys=capsys)


@pytest.mark.parametrize(("answer", "phrase"), [
    (mcw_keeps_correct, "predicted correctly"),
    (mcw_ascending, "least confident"),
    (mcw_by_logit, "largest logit"),
    (mcw_true_class, "probability of the true label"),
    (mcw_subset_indices, "within the wrong predictions only"),
    (mcw_with_probabilities, "only a 1-D array"),
])
def test_most_confidently_wrong_mistakes_get_their_hint(answer, phrase):
    _fails_with(check_most_confidently_wrong, answer, phrase=phrase)


def test_most_confidently_wrong_unfinished_is_not_done_yet():
    with pytest.raises(NotDoneYet):
        check_most_confidently_wrong(unfinished)
