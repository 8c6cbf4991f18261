"""Exercises of notebook 10 (softmax and cross-entropy).

1. ``softmax_cross_entropy(logits, labels) -> (L, dZ)`` (:data:`SOFTMAX_CROSS_ENTROPY`): ``logits``
   ``Z`` is ``(N, C)``, ``labels`` holds integer classes ``(N,)``; ``L`` is the mean cross-entropy
   ``-1/N sum_n log P[n, y_n]`` computed stably (max shift and log-sum-exp) and ``dZ = (P - Y) / N``.
2. ``softmax_backward(P, dP) -> dZ`` (:data:`SOFTMAX_BACKWARD`): the backward pass of softmax as a
   vector-Jacobian product, without forming the Jacobian: for each row,
   ``dZ = P * (dP - sum(dP * P, axis=1, keepdims=True))``, which is ``J^T dP`` with
   ``J = diag(p) - p p^T``.

Each check runs the answer on a square batch first (N = C, where a missing ``keepdims`` still runs
and its values name the mistake), then on a rectangular one, then (cross-entropy) on logits near
1000, a confidently wrong batch and rows at very different levels. The references are bplib's
``cross_entropy``, ``cross_entropy_grad`` and ``softmax_jacobian``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from bplib.course.exercises.engine import Exercise, ExerciseFailed, Mistake, snapshot

__all__ = ["SOFTMAX_CROSS_ENTROPY", "SOFTMAX_BACKWARD", "check_softmax_cross_entropy", "check_softmax_backward",
           "softmax_cross_entropy_reference"]



# ---- Exercise 10.1: stable softmax cross-entropy ----------------------------------------------

def softmax_cross_entropy_reference(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean cross-entropy of ``softmax(logits)`` against integer ``labels`` and its gradient (bplib's).

    Parameters
    ----------
    logits : ndarray, shape (N, C)
    labels : ndarray of int, shape (N,)

    Returns
    -------
    L : float
        :math:`L = -\frac{1}{N}\sum_n \log P_{n, y_n}`, ``log P`` from log-sum-exp.
    dZ : ndarray, shape (N, C)
        :math:`\partial L / \partial Z = (P - Y) / N`.
    """
    from bplib.functions import cross_entropy, cross_entropy_grad  # log-sum-exp inside

    Z = np.asarray(logits, dtype=np.float64)
    return float(cross_entropy(Z, labels)), cross_entropy_grad(Z, labels)


def _ce_trials() -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(10)
    square = rng.normal(size=(3, 3))
    rect = rng.normal(size=(4, 3))   # N != C: a labels/one-hot mix-up cannot broadcast silently
    labels = np.array([0, 2, 1, 2])
    yield "", square, np.array([2, 0, 1])
    yield " (N, C = 4, 3)", rect, labels
    yield " (logits near 1000)", rect + 1000.0, labels
    yield " (true class 1000 below)", np.array([[0.0, -1000.0, 5.0], [2.0, 1.0, -1000.0]]), np.array([1, 2])
    yield " (rows near 0 and near -2000)", np.array([[0.0, 1.0, 2.0], [-2000.0, -2001.0, -2002.0]]), np.array([2, 0])


def _run_cross_entropy(fn: Callable) -> Iterator[tuple[str, Any]]:
    name = getattr(fn, "__name__", "softmax_cross_entropy")
    for where, Z, labels in _ce_trials():
        with np.errstate(all="ignore"):  # an overflow shows as inf/nan in the result and gets a hint
            result = fn(Z.copy(), labels.copy())
        if isinstance(result, np.ndarray) or not isinstance(result, (tuple, list)) or len(result) != 2:
            raise ExerciseFailed(f"{name} must return two values, `return L, dZ` (the loss and its gradient).")
        L, dZ = result
        yield f"L{where}", snapshot(L)
        yield f"dZ{where}", snapshot(dZ)


def _lse_variant(shift: str = "row", log_of_p: bool = False, keepdims: bool = True, axis: int = 1,
                 mean: bool = True, per_example: bool = False, one_hot_labels: bool = False,
                 gradient: str = "(P - Y) / N") -> Callable:
    """A wrong softmax cross-entropy: one step of the stable computation replaced."""

    def fn(Z: np.ndarray, labels: np.ndarray) -> tuple:
        N, C = Z.shape
        m = {"row": Z.max(axis=axis, keepdims=keepdims), "batch": Z.max(), "none": 0.0}[shift]
        shifted = Z - m
        E = np.exp(shifted)
        S = E.sum(axis=axis, keepdims=keepdims)
        log_P = np.log(E / S) if log_of_p else shifted - np.log(S)
        P = np.exp(log_P)
        Y = np.eye(C)[labels]
        if one_hot_labels:
            per = -(labels * log_P).sum(axis=1)
        else:
            per = -log_P[np.arange(N), labels]
        L = per if per_example else per.mean() if mean else per.sum()
        dZ = {"(P - Y) / N": (P - Y) / N, "P - Y": P - Y, "P / N": P / N, "(Y - P) / N": (Y - P) / N}[gradient]
        return L, dZ

    return fn


_LSE = "log P = (Z - m) - log(sum(exp(Z - m), axis=1, keepdims=True)) with m = Z.max(axis=1, keepdims=True)"

SOFTMAX_CROSS_ENTROPY = Exercise(
    id="10-softmax-cross-entropy",
    title="stable softmax cross-entropy",
    writes="`softmax_cross_entropy`",
    names=("softmax_cross_entropy",),
    run=_run_cross_entropy,
    reference=softmax_cross_entropy_reference,
    batch_size=3,
    mistakes=(
        Mistake("L is wrong although the shapes fit: keepdims=True is missing. Z.max(axis=1) has shape (N,), "
                "and (N, C) - (N,) lines the maxima up with the COLUMNS (it only runs because N = C here). "
                "Keep the row axis: Z.max(axis=1, keepdims=True) and .sum(axis=1, keepdims=True), shape (N, 1).",
                _lse_variant(keepdims=False)),
        Mistake("L looks like softmax taken down the columns (axis=0): the probabilities of each example are "
                "in its ROW, so the max, the sum and the softmax run along axis=1.", _lse_variant(axis=0)),
        Mistake("L has one value per example: the loss is a single number, the mean over the batch (.mean()).",
                _lse_variant(per_example=True)),
        Mistake("L is the sum over the batch, N times too large: take the mean (divide by N).",
                _lse_variant(mean=False)),
        Mistake("labels holds integer classes of shape (N,), not one-hot rows: labels * log P lines the "
                "labels up with the classes. Pick the true class's entry with log_P[np.arange(N), labels], "
                "or build Y = np.eye(C)[labels] first.", _lse_variant(one_hot_labels=True)),
        Mistake("dZ is P - Y: the 1/N of the mean is missing, dZ = (P - Y) / N.", _lse_variant(gradient="P - Y")),
        Mistake("dZ is P / N: the one-hot target is missing. The gradient is the error, dZ = (P - Y) / N: the "
                "true class's logit is pushed up by 1 - p.", _lse_variant(gradient="P / N")),
        Mistake("dZ has the wrong sign: (Y - P) / N is the direction to move, the gradient is (P - Y) / N.",
                _lse_variant(gradient="(Y - P) / N")),
        Mistake(f"L is inf for a confidently wrong prediction: exp(Z - m) underflows to 0 for the true class and "
                f"log(0) = -inf. Never take the log of P: {_LSE} (log-sum-exp).", _lse_variant(log_of_p=True)),
        Mistake("L is wrong (inf or nan) when one row of logits is near 0 and another near -2000: subtract the maximum "
                "of EACH ROW, Z.max(axis=1, keepdims=True), not the maximum of the whole batch; a row far below "
                "the batch maximum underflows to exp(...) = 0 everywhere.", _lse_variant(shift="batch")),
        Mistake("L is nan for logits near 1000: exp(1000) overflows to inf and inf / inf is nan. Subtract the "
                "maximum of each row first (the max shift): softmax does not change.", _lse_variant(shift="none", log_of_p=True)),
    ),
    error_hint=(f"logits Z is (N, C), labels (N,). A shape error is usually a missing keepdims=True (keep "
                f"(N, 1) so that it broadcasts against (N, C)) or labels used as one-hot rows. {_LSE}; "
                f"dZ = (P - Y) / N with Y = np.eye(C)[labels]."),
    passed=("L = mean of -log P[n, labels[n]] by log-sum-exp and dZ = (P - Y) / N, on a square and a rectangular "
            "batch, finite for logits near +1000, a true class 1000 below, and rows 2000 apart."),
)

check_softmax_cross_entropy = SOFTMAX_CROSS_ENTROPY.check


# ---- Exercise 10.2: softmax backward as a vector-Jacobian product -----------------------------

def _jacobian_backward(P: np.ndarray, dP: np.ndarray) -> np.ndarray:
    """The reference, by the definition: dZ row n = J_n^T dP row n, J_n = bplib's softmax_jacobian.

    (It forms J, which the learner must not: the check compares values only.)
    """
    from bplib.functions import softmax_jacobian

    Z = np.log(P)  # softmax(log P) = P for rows of probabilities
    return np.stack([softmax_jacobian(z).T @ g for z, g in zip(Z, dP)])


def _vjp_trials() -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    from bplib.functions import softmax

    rng = np.random.default_rng(1010)
    for where, (n, c) in (("", (3, 3)), (" (N, C = 4, 6)", (4, 6))):
        yield where, softmax(rng.normal(size=(n, c)), axis=1), rng.normal(size=(n, c))


def _run_softmax_backward(fn: Callable) -> Iterator[tuple[str, Any]]:
    for where, P, dP in _vjp_trials():
        yield f"dZ{where}", snapshot(fn(P.copy(), dP.copy()))


def _vjp_variant(kind: str) -> Callable:
    """A wrong softmax backward pass."""

    def fn(P: np.ndarray, dP: np.ndarray) -> np.ndarray:
        if kind == "diagonal":
            return P * (1 - P) * dP
        if kind == "keepdims":
            return P * (dP - (dP * P).sum(axis=1))
        if kind == "axis":
            return P * (dP - (dP * P).sum(axis=0, keepdims=True))
        if kind == "sign":
            return P * ((dP * P).sum(axis=1, keepdims=True) - dP)
        return dP - (dP * P).sum(axis=1, keepdims=True)  # "no P"

    return fn


_VJP = "dZ = P * (dP - (dP * P).sum(axis=1, keepdims=True))"

SOFTMAX_BACKWARD = Exercise(
    id="10-softmax-backward",
    title="softmax backward as a vector-Jacobian product",
    writes="`softmax_backward`",
    names=("softmax_backward",),
    run=_run_softmax_backward,
    reference=_jacobian_backward,
    mistakes=(
        Mistake(f"dZ uses only the diagonal of the Jacobian, p (1 - p) * dP, as if softmax were elementwise like "
                f"the sigmoid. Every p_i depends on every z_j: the off-diagonal -p_i p_j add -p_j sum_i dP_i p_i. "
                f"{_VJP}.", _vjp_variant("diagonal")),
        Mistake(f"dZ is wrong although the shapes fit: keepdims=True is missing. (dP * P).sum(axis=1) has shape "
                f"(N,) and lines up with the COLUMNS of dP (it only runs because N = C here). {_VJP}.",
                _vjp_variant("keepdims")),
        Mistake(f"dZ sums over the wrong axis (axis=0, over the batch): the sum of the vector-Jacobian product "
                f"runs over the classes of each example, axis=1. {_VJP}.", _vjp_variant("axis")),
        Mistake(f"dZ has the wrong sign: J = diag(p) - p p^T, so the row's sum is subtracted from dP. {_VJP}.",
                _vjp_variant("sign")),
        Mistake(f"dZ misses the factor P: J^T dP = p * dP - p (p . dP), so P multiplies the whole bracket. {_VJP}.",
                _vjp_variant("no P")),
    ),
    error_hint=f"P and dP are (N, C); dZ is (N, C) too: {_VJP}.",
    passed=f"{_VJP} equals J^T dP row by row (J = diag(p) - p p^T), without forming J.",
)

check_softmax_backward = SOFTMAX_BACKWARD.check
