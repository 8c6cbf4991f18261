"""Input checks shared by :mod:`bplib.functions` and :mod:`bplib.nn`: each returns clean arrays or raises a
``ValueError`` that names the function or layer, the shapes, and what to do."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["as_float", "pred_and_target", "one_hot_target"]


def as_float(x: ArrayLike) -> np.ndarray:
    """``x`` as a float array: a float array is returned as it is (no copy), anything else becomes float64."""
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


def pred_and_target(pred: ArrayLike, target: ArrayLike, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Float ``pred``, and ``target`` cast to the dtype of ``pred``; their shapes must be equal.

    Equal shapes are required on purpose: ``pred`` of shape ``(N, 1)`` minus ``target`` of shape ``(N,)``
    would silently broadcast to ``(N, N)`` and give a wrong loss.
    """
    pred = as_float(pred)
    target = np.asarray(target, dtype=pred.dtype)
    if pred.shape != target.shape:
        raise ValueError(f"{name}: pred has shape {pred.shape} but target has shape {target.shape}; "
                         f"they must be equal (e.g. use y.reshape(-1, 1) for a column of targets)")
    return pred, target


def one_hot_target(target: ArrayLike, logits: np.ndarray, name: str) -> np.ndarray:
    """The classification target ``Y`` for ``logits`` of shape ``(N, C)``, as rows of shape ``(N, C)``.

    ``target`` is either integer labels ``y`` of shape ``(N,)`` with values in ``[0, C)`` (each becomes a
    one-hot row: ``Y[n, y_n] = 1``), or one-hot (or probability) rows of shape ``(N, C)`` that sum to 1.
    ``Y`` has the dtype of ``logits``.
    """
    if logits.ndim != 2:
        raise ValueError(f"{name}: expected logits of shape (N, C), got {logits.shape}")
    n, c = logits.shape
    target = np.asarray(target)
    if target.ndim == 1:
        if target.shape[0] != n:
            raise ValueError(f"{name}: {target.shape[0]} labels for {n} rows of logits {logits.shape}")
        if not np.issubdtype(target.dtype, np.integer):
            # Accept float labels such as 3.0 (e.g. read from a file), but nothing like 2.5.
            if not (np.issubdtype(target.dtype, np.floating) and np.all(target == np.round(target))):
                raise ValueError(f"{name}: labels of shape (N,) must be whole numbers (class indices), "
                                 f"got dtype {target.dtype}")
            target = target.astype(np.int64)
        bad = (target < 0) | (target >= c)
        if bad.any():
            index = int(np.argmax(bad))
            raise ValueError(f"{name}: label {target[index]} (at index {index}) is outside [0, {c}): "
                             f"the logits have {c} classes")
        return np.eye(c, dtype=logits.dtype)[target]         # row n is the one-hot vector of y_n
    if target.shape != logits.shape:
        raise ValueError(f"{name}: target of shape {target.shape} does not match logits of shape "
                         f"{logits.shape}; pass integer labels of shape ({n},) or one-hot targets of "
                         f"shape ({n}, {c})")
    Y = np.asarray(target, dtype=logits.dtype)
    row_sums = Y.sum(axis=1)
    wrong = np.abs(row_sums - 1.0) > 1e-3
    if wrong.any():
        row = int(np.argmax(wrong))
        raise ValueError(f"{name}: each row of a one-hot target must sum to 1, but row {row} sums "
                         f"to {row_sums[row]:g}")
    return Y
