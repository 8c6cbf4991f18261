"""The notebook-10 check: a stable softmax-cross-entropy passes, typical mistakes get their own hint."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import ExerciseFailed, check_softmax_cross_entropy
from bplib.course.exercises.softmax import softmax_cross_entropy_reference


def _one_hot(labels, c):
    return np.eye(c)[labels]


def correct(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), labels].mean()
    return loss, (np.exp(log_p) - _one_hot(labels, logits.shape[1])) / n


def no_max_shift(logits, labels):
    n = logits.shape[0]
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), labels]).mean()
    return loss, (p - _one_hot(labels, logits.shape[1])) / n


def log_of_softmax(logits, labels):
    """Max shift, but the log of the probabilities: log(0) = -inf when p underflows."""
    n = logits.shape[0]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(n), labels]).mean()
    return loss, (p - _one_hot(labels, logits.shape[1])) / n


def missing_one_over_n(logits, labels):
    loss, dlogits = correct(logits, labels)
    return loss, dlogits * logits.shape[0]


def wrong_sign(logits, labels):
    loss, dlogits = correct(logits, labels)
    return loss, -dlogits


def summed_loss(logits, labels):
    loss, dlogits = correct(logits, labels)
    return loss * logits.shape[0], dlogits


def labels_as_one_hot(logits, labels):
    """Treats the integer labels as if they were one-hot rows: shapes (N, C) and (N,) do not broadcast."""
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -np.sum(labels * log_p) / n
    return loss, (np.exp(log_p) - labels) / n


def label_index_subtracted(logits, labels):
    """Loss right, but the gradient subtracts the label index instead of a one-hot row."""
    loss, _ = correct(logits, labels)
    n = logits.shape[0]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return loss, (p - labels[:, None]) / n


def per_example_loss(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(n), labels], (np.exp(log_p) - _one_hot(labels, logits.shape[1])) / n


def batch_maximum(logits, labels):
    """Log-sum-exp, but shifted by the maximum of the whole batch instead of each row's."""
    n = logits.shape[0]
    shifted = logits - logits.max()
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(n), labels].mean()
    return loss, (np.exp(log_p) - _one_hot(labels, logits.shape[1])) / n


def missing_keepdims(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1))
    return -log_p[np.arange(n), labels].mean(), (np.exp(log_p) - _one_hot(labels, logits.shape[1])) / n


def softmax_down_the_columns(logits, labels):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=0, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    return -log_p[np.arange(n), labels].mean(), (np.exp(log_p) - _one_hot(labels, logits.shape[1])) / n


def unfinished(logits, labels):
    raise NotImplementedError()


def test_reference_is_p_minus_y_over_n():
    logits = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    loss, grad = softmax_cross_entropy_reference(logits, np.array([2, 0]))
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert np.isclose(loss, -(np.log(p[0, 2]) + np.log(p[1, 0])) / 2)
    assert np.allclose(grad, (p - np.eye(3)[[2, 0]]) / 2)


def test_correct_answer_passes(capsys):
    check_softmax_cross_entropy(correct)
    assert capsys.readouterr().out.startswith("PASSED")


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (no_max_shift, "Subtract the row maximum"),
        (log_of_softmax, "log-sum-exp"),
        (missing_one_over_n, "N = 4 times too large"),
        (wrong_sign, "wrong sign"),
        (summed_loss, "take the mean"),
        (labels_as_one_hot, "not one-hot"),
        (label_index_subtracted, "label index was subtracted"),
        (per_example_loss, "one value per example"),
        (batch_maximum, "maximum of EACH ROW"),
        (missing_keepdims, "keepdims=True is missing"),
        (softmax_down_the_columns, "axis=0"),
    ],
)
def test_typical_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed, match=phrase):
        check_softmax_cross_entropy(answer)


def test_unfinished_exercise_propagates_not_implemented():
    with pytest.raises(NotImplementedError):
        check_softmax_cross_entropy(unfinished)
