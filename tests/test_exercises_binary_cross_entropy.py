"""Notebook 09's check, with answers written as a learner writes them: each typical mistake gets its hint."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import ExerciseFailed, NotDoneYet, check_bce_with_logits
from bplib.course.exercises.binary_cross_entropy import bce_with_logits_reference


def bce_with_logits(Z, Y):
    N = Z.shape[0]
    L = np.mean(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z))))
    P = np.where(Z >= 0, 1 / (1 + np.exp(-np.abs(Z))), np.exp(-np.abs(Z)) / (1 + np.exp(-np.abs(Z))))
    return L, (P - Y) / N


def from_probability(Z, Y):
    P = 1 / (1 + np.exp(-Z))
    L = -np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P))
    return L, (P - Y) / len(Z)


def clipped(Z, Y):
    P = 1 / (1 + np.exp(-Z))
    Pc = np.clip(P, 1e-12, 1 - 1e-12)
    L = -np.mean(Y * np.log(Pc) + (1 - Y) * np.log(1 - Pc))
    return L, (P - Y) / len(Z)


def _stable_loss(Z, Y):
    return np.mean(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z))))


def _p(Z):
    return np.exp(-np.logaddexp(0, -Z))


def wrong_sign(Z, Y):
    return _stable_loss(Z, Y), (Y - _p(Z)) / len(Z)


def missing_one_over_n(Z, Y):
    return _stable_loss(Z, Y), _p(Z) - Y


def mse_gradient(Z, Y):
    P = _p(Z)
    return _stable_loss(Z, Y), 2 * (P - Y) * P * (1 - P) / len(Z)


def summed_loss(Z, Y):
    return np.sum(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z)))), (_p(Z) - Y) / len(Z)


def test_reference_is_the_mean_bce_and_p_minus_y_over_n():
    Z, Y = np.array([[0.3], [-1.2], [2.0]]), np.array([[1.0], [0.0], [0.0]])
    P = 1 / (1 + np.exp(-Z))
    L, dZ = bce_with_logits_reference(Z, Y)
    assert np.isclose(L, -np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P)))
    assert np.allclose(dZ, (P - Y) / 3)
    L_far, _ = bce_with_logits_reference(np.array([[40.0], [-800.0]]), np.array([[0.0], [1.0]]))
    assert np.isclose(L_far, (40 + 800) / 2)


def test_correct_answer_passes(capsys):
    check_bce_with_logits(bce_with_logits)
    assert capsys.readouterr().out.startswith("PASSED")


@pytest.mark.parametrize(("answer", "phrase"), [
    (from_probability, "log of a probability that has rounded"),
    (clipped, "clipping p"),
    (wrong_sign, "wrong sign"),
    (missing_one_over_n, "the 1/N of the mean is missing"),
    (mse_gradient, "gradient of the MSE"),
    (summed_loss, "N times too large"),
])
def test_typical_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_bce_with_logits(answer)
    assert phrase in str(info.value)


def test_unfinished_is_not_done_yet():
    def bce_with_logits(Z, Y):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotDoneYet):
        check_bce_with_logits(bce_with_logits)
