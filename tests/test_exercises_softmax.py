"""Notebook 10's checks, with answers written as a learner writes them: each typical mistake gets its hint."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import (ExerciseFailed, NotDoneYet, check_softmax_backward,
                                    check_softmax_cross_entropy)
from bplib.course.exercises.softmax import softmax_cross_entropy_reference


def _fails_with(check, answer, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check(answer)
    assert phrase in str(info.value)


# ---- stable softmax cross-entropy ------------------------------------------------------------

def correct(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dlogits = np.exp(log_p)
    dlogits[np.arange(n), labels] -= 1.0
    return -log_p[np.arange(n), labels].mean(), dlogits / n


def no_max_shift(logits, labels):
    n = logits.shape[0]
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    return -np.log(p[np.arange(n), labels]).mean(), (p - np.eye(logits.shape[1])[labels]) / n


def log_of_softmax(logits, labels):
    n = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return -np.log(p[np.arange(n), labels]).mean(), (p - np.eye(logits.shape[1])[labels]) / n


def missing_one_over_n(logits, labels):
    loss, dlogits = correct(logits, labels)
    return loss, dlogits * logits.shape[0]


def p_instead_of_p_minus_y(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(n), labels].mean(), np.exp(log_p) / n


def missing_keepdims(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1))
    return -log_p[np.arange(n), labels].mean(), (np.exp(log_p) - np.eye(logits.shape[1])[labels]) / n


def wrong_sign(logits, labels):
    loss, dlogits = correct(logits, labels)
    return loss, -dlogits


def summed_loss(logits, labels):
    loss, dlogits = correct(logits, labels)
    return loss * logits.shape[0], dlogits


def batch_maximum(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max()
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(n), labels].mean(), (np.exp(log_p) - np.eye(logits.shape[1])[labels]) / n


def labels_as_one_hot(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.sum(labels * log_p) / n, (np.exp(log_p) - labels) / n


def test_reference_is_p_minus_y_over_n():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    loss, grad = softmax_cross_entropy_reference(logits, np.array([2, 0]))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert np.isclose(loss, -(np.log(p[0, 2]) + np.log(p[1, 0])) / 2)
    assert np.allclose(grad, (p - np.eye(3)[[2, 0]]) / 2)


def test_cross_entropy_correct_answer_passes(capsys):
    check_softmax_cross_entropy(correct)
    assert capsys.readouterr().out.startswith("PASSED")


@pytest.mark.parametrize(("answer", "phrase"), [
    (no_max_shift, "Subtract the maximum of each row first"),
    (log_of_softmax, "log-sum-exp"),
    (missing_one_over_n, "the 1/N of the mean is missing"),
    (p_instead_of_p_minus_y, "the one-hot target is missing"),
    (missing_keepdims, "keepdims=True is missing"),
    (wrong_sign, "wrong sign"),
    (summed_loss, "N times too large"),
    (batch_maximum, "maximum of EACH ROW"),
    (labels_as_one_hot, "not one-hot rows"),
])
def test_cross_entropy_mistakes_get_their_hint(answer, phrase):
    _fails_with(check_softmax_cross_entropy, answer, phrase)


def test_cross_entropy_unfinished_is_not_done_yet():
    def softmax_cross_entropy(logits, labels):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotDoneYet):
        check_softmax_cross_entropy(softmax_cross_entropy)


# ---- softmax backward as a vector-Jacobian product -------------------------------------------

def softmax_backward(P, dP):
    return P * (dP - np.sum(dP * P, axis=1, keepdims=True))


def with_the_jacobian(P, dP):
    """Correct, but forms J for every row: the values are right, so it passes (the check compares values)."""
    return np.stack([(np.diag(p) - np.outer(p, p)).T @ g for p, g in zip(P, dP)])


def diagonal_only(P, dP):
    return P * (1 - P) * dP


def keepdims_missing(P, dP):
    return P * (dP - np.sum(dP * P, axis=1))


def over_the_batch(P, dP):
    return P * (dP - np.sum(dP * P, axis=0, keepdims=True))


def flipped_sign(P, dP):
    return P * (np.sum(dP * P, axis=1, keepdims=True) - dP)


def without_p(P, dP):
    return dP - np.sum(dP * P, axis=1, keepdims=True)


@pytest.mark.parametrize("answer", [softmax_backward, with_the_jacobian])
def test_softmax_backward_correct_passes(answer, capsys):
    check_softmax_backward(answer)
    assert capsys.readouterr().out.startswith("PASSED")


@pytest.mark.parametrize(("answer", "phrase"), [
    (diagonal_only, "only the diagonal of the Jacobian"),
    (keepdims_missing, "keepdims=True is missing"),
    (over_the_batch, "wrong axis (axis=0"),
    (flipped_sign, "wrong sign"),
    (without_p, "misses the factor P"),
])
def test_softmax_backward_mistakes_get_their_hint(answer, phrase):
    _fails_with(check_softmax_backward, answer, phrase)
