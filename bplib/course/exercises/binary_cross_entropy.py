"""Exercise of notebook 09: binary cross-entropy from logits, stable, with its gradient.

The learner writes ``bce_with_logits(Z, Y) -> (L, dZ)``: ``Z`` the logits (pre-activations) of a
sigmoid output, ``(N, 1)``, ``Y`` the 0/1 targets, ``(N, 1)``, and with ``P = sigmoid(Z)``::

    L  = -1/N sum_n [ y_n log p_n + (1 - y_n) log(1 - p_n) ]
       =  1/N sum_n [ max(z_n, 0) - z_n y_n + log(1 + exp(-|z_n|)) ]     (the stable form)
    dZ = (P - Y) / N

The check runs it on moderate logits, then on logits of +-40 and +-800, where the log of a
probability rounded to 0 or 1 gives inf, ``exp(-z)`` overflows, and a clipped probability caps the
loss. It names: the log of a rounded probability, a clipped probability, the sign, a missing 1/N,
the sum instead of the mean, and the MSE gradient instead of the cross-entropy's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from bplib.course.exercises.engine import Exercise, ExerciseFailed, Mistake

__all__ = ["BCE_WITH_LOGITS", "check_bce_with_logits", "bce_with_logits_reference"]


def bce_with_logits_reference(Z: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean binary cross-entropy of ``sigmoid(Z)`` against 0/1 targets ``Y``, from the logits, and its gradient.

    Parameters
    ----------
    Z : ndarray (N, 1), logits
    Y : ndarray (N, 1), targets 0 or 1

    Returns
    -------
    L : float
        :math:`\frac1N \sum_n \max(z_n, 0) - z_n y_n + \log(1 + e^{-|z_n|})`, finite for every finite z.
    dZ : ndarray (N, 1)
        :math:`(\sigma(Z) - Y) / N`, with bplib's overflow-free sigmoid.
    """
    from bplib.functions import sigmoid

    Z, Y = np.asarray(Z, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    N = Z.shape[0]
    L = np.mean(np.maximum(Z, 0.0) - Z * Y + np.log1p(np.exp(-np.abs(Z))))
    return float(L), (sigmoid(Z) - Y) / N


def _trials() -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(909)
    Z = rng.uniform(-4.0, 4.0, size=(6, 1))
    Y = np.array([[0.0], [1.0], [1.0], [0.0], [1.0], [0.0]])
    yield "", Z, Y
    extreme = np.array([[40.0], [-40.0], [800.0], [-800.0], [40.0], [-40.0]])
    yield " (z = +-40, +-800)", extreme, np.array([[0.0], [1.0], [0.0], [1.0], [1.0], [0.0]])


def _run(fn: Callable) -> Iterator[tuple[str, Any]]:
    name = getattr(fn, "__name__", "bce_with_logits")
    for where, Z, Y in _trials():
        with np.errstate(all="ignore"):  # an overflow shows as inf/nan in the result and gets a hint
            result = fn(Z.copy(), Y.copy())
        if isinstance(result, np.ndarray) or not isinstance(result, (tuple, list)) or len(result) != 2:
            raise ExerciseFailed(f"{name} must return two values, `return L, dZ` (the loss and its gradient).")
        L, dZ = result
        yield f"L{where}", None if L is None else np.array(L, dtype=np.float64)
        yield f"dZ{where}", None if dZ is None else np.array(dZ, dtype=np.float64)


def _from_probability(clip: float | None = None, gradient: str = "(P - Y) / N", mean: bool = True) -> Callable:
    """A wrong answer: the loss from P = 1 / (1 + exp(-Z)) (optionally clipped), or a wrong gradient."""

    def fn(Z: np.ndarray, Y: np.ndarray) -> tuple:
        N = Z.shape[0]
        P = 1.0 / (1.0 + np.exp(-Z))
        Pc = np.clip(P, clip, 1.0 - clip) if clip else P
        per = -(Y * np.log(Pc) + (1 - Y) * np.log(1 - Pc))
        L = per.mean() if mean else per.sum()
        dZ = {"(P - Y) / N": (P - Y) / N, "P - Y": P - Y, "(Y - P) / N": (Y - P) / N,
              "MSE": 2 * (P - Y) * P * (1 - P) / N}[gradient]
        return L, dZ

    return fn


def _stable(gradient: str = "(P - Y) / N", mean: bool = True) -> Callable:
    """The stable loss with a wrong gradient (or the sum instead of the mean)."""

    def fn(Z: np.ndarray, Y: np.ndarray) -> tuple:
        L, dZ = bce_with_logits_reference(Z, Y)
        N = Z.shape[0]
        P = dZ * N + Y
        dZ = {"(P - Y) / N": dZ, "P - Y": P - Y, "(Y - P) / N": (Y - P) / N,
              "MSE": 2 * (P - Y) * P * (1 - P) / N}[gradient]
        return (L if mean else L * N), dZ

    return fn


_STABLE = "L = mean(np.maximum(Z, 0) - Z * Y + np.log1p(np.exp(-np.abs(Z))))"

BCE_WITH_LOGITS = Exercise(
    id="09-bce-with-logits",
    title="binary cross-entropy from logits",
    writes="`bce_with_logits`",
    names=("bce_with_logits",),
    run=_run,
    reference=bce_with_logits_reference,
    batch_size=6,
    mistakes=(
        Mistake("L is the sum over the batch, N times too large: the loss is the mean (divide by N).",
                _stable(mean=False)),
        Mistake("dZ is P - Y: the 1/N of the mean is missing, dZ = (P - Y) / N.", _stable(gradient="P - Y")),
        Mistake("dZ has the wrong sign: (Y - P) / N is the direction to move; the gradient is (P - Y) / N.",
                _stable(gradient="(Y - P) / N")),
        Mistake("dZ is the gradient of the MSE, 2 (P - Y) P (1 - P) / N: with the cross-entropy the factor "
                "P (1 - P) = sigma'(z) cancels, dZ = (P - Y) / N.", _stable(gradient="MSE")),
        Mistake(f"L is inf at large |z|: it takes the log of a probability that has rounded. sigmoid(40) is "
                f"exactly 1.0 in float64 (1 - 4e-18 is not representable), so log(1 - p) = log(0) = -inf, and "
                f"at z = -800 p underflows to 0. Compute the loss from z, never from p: {_STABLE}.",
                _from_probability()),
        Mistake(f"L is too small at large |z|: clipping p to [1e-12, 1 - 1e-12] caps each example's loss at "
                f"-log(1e-12) = 27.6, but a logit of -40 for a 1 costs 40 and -800 costs 800. Compute the loss "
                f"from z, without a clip: {_STABLE}.", _from_probability(clip=1e-12)),
    ),
    error_hint="Z and Y are (N, 1); L is a number and dZ is (N, 1).",
    passed=(f"{_STABLE} and dZ = (P - Y) / N, exact for logits of +-40 and +-800 too."),
)

check_bce_with_logits = BCE_WITH_LOGITS.check
