"""Mini-batches: cut a data set into batches of rows, shuffled or in order."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

__all__ = ["minibatches"]


def minibatches(
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int,
    rng: np.random.Generator | None,
    shuffle: bool = True,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(Xb, yb)`` mini-batches that together cover every row once (one epoch).

    Call it once per epoch: with ``shuffle=True`` each call draws a new random
    order from ``rng``.

    Parameters
    ----------
    X : ndarray of shape (N, ...)
        Inputs, one example per row.
    y : ndarray of shape (N, ...)
        Targets, row ``i`` belongs to ``X[i]`` (labels ``(N,)``, one-hot
        ``(N, C)``, or ``(N, 1)`` columns all work).
    batch_size : int
        Rows per batch. The last batch holds the ``N % batch_size`` rows that
        are left over, when there are any, so it may be smaller.
    rng : numpy.random.Generator or None
        Source of the random order (e.g. ``np.random.default_rng(0)``);
        required when ``shuffle=True``, ignored (may be ``None``) otherwise.
    shuffle : bool, default True
        Visit the rows in a random order. With ``False`` the order is kept:
        the batches are ``X[0:B], X[B:2B], ...``.

    Yields
    ------
    Xb : ndarray of shape (B, ...)
        ``B = batch_size``, or fewer for the last batch.
    yb : ndarray of shape (B, ...)

    Notes
    -----
    With ``shuffle=True`` the batches are copies (fancy indexing); with
    ``shuffle=False`` they are views of ``X`` and ``y`` (slicing, no copy):
    do not modify them in place unless you mean to change the data.

    Raises
    ------
    ValueError
        If ``X`` and ``y`` have different numbers of rows, ``batch_size`` is
        not a positive integer, or ``shuffle=True`` and ``rng`` is ``None``.
        The checks run when ``minibatches`` is called, not at the first batch.
    """
    # Checked here, eagerly; the generator itself is the inner function below.
    n = len(X)
    if n != len(y):
        raise ValueError(
            f"minibatches: X and y must have the same number of rows, "
            f"got X with {n} rows (shape {np.shape(X)}) and y with {len(y)} rows (shape {np.shape(y)})"
        )
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"minibatches: batch_size must be a positive integer, got {batch_size!r}")
    if shuffle and rng is None:
        raise ValueError(
            "minibatches: shuffle=True needs rng, a numpy.random.Generator such as "
            "np.random.default_rng(0) (or pass shuffle=False)"
        )
    order = rng.permutation(n) if shuffle else None
    return _batches(X, y, int(batch_size), order)


def _batches(
    X: np.ndarray, y: np.ndarray, batch_size: int, order: np.ndarray | None
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The generator behind :func:`minibatches`; ``order`` is a permutation of the rows or ``None``."""
    for start in range(0, len(X), batch_size):
        if order is None:
            rows = slice(start, start + batch_size)
        else:
            rows = order[start : start + batch_size]
        yield X[rows], y[rows]
