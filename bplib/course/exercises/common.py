"""What every exercise check shares: how a pass is reported and how a mistake is named.

A check calls the learner's code, compares it with the reference, and either prints one line
starting with ``PASSED`` or raises :class:`ExerciseFailed` whose message names the likely mistake
(wrong shape or transpose, missing factor, sign, missing activation derivative) and what to look at.
``NotImplementedError`` from an unfinished exercise (the student edition) is never caught: it
propagates, so an unsolved exercise can never pass.
"""

from __future__ import annotations

import numpy as np


from bplib.course.exercises.engine import ExerciseFailed  # one exception class for every check


def passed(message: str) -> None:
    """Report a passed check with one line that nbval can compare."""
    print(f"PASSED: {message}")


def fail(message: str) -> None:
    """Stop the check with a message that names the likely mistake."""
    raise ExerciseFailed(message)


def as_array(value: object, what: str) -> np.ndarray:
    """Turn the learner's answer into a float array, or fail saying what type was expected."""
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        fail(f"{what} should be a number or a NumPy array, got {type(value).__name__}.")
        raise  # unreachable, keeps type checkers happy


def check_shape(answer: np.ndarray, expected: tuple[int, ...], what: str) -> None:
    """Fail with a shape hint (transpose? missing sum over the batch?) when shapes differ."""
    if answer.shape == tuple(expected):
        return
    hint = ""
    if answer.shape == tuple(reversed(expected)):
        hint = " It is the transpose of what is expected: check the order of the matrix product or add .T."
    elif answer.ndim == len(expected) + 1:
        hint = " It has one axis too many: did you forget to sum over the batch axis (axis=0)?"
    elif answer.ndim + 1 == len(expected):
        hint = " It has one axis too few: did you sum over an axis that should stay?"
    fail(f"{what} has shape {answer.shape}, expected {tuple(expected)}.{hint}")


def diagnose_values(answer: np.ndarray, expected: np.ndarray, what: str, *, batch_size: int | None = None,
                    rtol: float = 1e-6, atol: float = 1e-9) -> None:
    """Fail naming the typical mistake when ``answer`` differs from ``expected`` (same shapes).

    Recognised: the opposite sign, a constant factor (2, 1/2, or the batch size N: a missing or
    extra 1/N), and otherwise a generic mismatch with the largest difference.
    """
    if np.allclose(answer, expected, rtol=rtol, atol=atol):
        return
    if np.allclose(answer, -expected, rtol=rtol, atol=atol):
        fail(f"{what} has the right size but the wrong sign: check a minus sign (gradient descent "
             f"subtracts the gradient; the derivative of -x is -1).")
    nonzero = np.abs(expected) > 1e-12
    if nonzero.any():
        ratios = answer[nonzero] / expected[nonzero]
        ratio = float(np.median(ratios))
        if np.allclose(ratios, ratio, rtol=1e-6):
            if batch_size and np.isclose(ratio, batch_size):
                fail(f"{what} is N = {batch_size} times too large: divide by the batch size (the loss is a mean).")
            if batch_size and np.isclose(ratio, 1 / batch_size):
                fail(f"{what} is N = {batch_size} times too small: you divided by the batch size once too often.")
            fail(f"{what} is off by a constant factor {ratio:.4g}: look for a missing or extra factor "
                 f"(a 2 from a square, a 1/N from a mean).")
    worst = float(np.max(np.abs(answer - expected)))
    fail(f"{what} does not match the reference (largest difference {worst:.3g}).")
