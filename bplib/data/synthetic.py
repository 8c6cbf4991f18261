"""Small synthetic data sets for the first notebooks: XOR, two moons, spirals.

Every generator that draws random numbers takes a ``rng`` argument, a
:class:`numpy.random.Generator` such as ``np.random.default_rng(0)``. It is
required (no hidden global state), so that the same seed always gives the same
data and a notebook can be re-run to the same picture.

Shapes follow the course convention: one example per row, ``X`` is ``(N, 2)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["xor", "two_moons", "spirals"]


def _check_rng(rng: object, func: str) -> np.random.Generator:
    """Return ``rng`` if it is a NumPy ``Generator``, else raise a helpful ``TypeError``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{func}: rng must be a numpy.random.Generator, e.g. np.random.default_rng(0); "
            f"got {type(rng).__name__}"
        )
    return rng


def _check_positive_int(value: object, name: str, func: str) -> int:
    """Return ``value`` as an ``int`` if it is a positive integer, else raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{func}: {name} must be a positive integer, got {value!r}")
    return int(value)


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four points of the XOR problem.

    Returns
    -------
    X : ndarray of shape (4, 2), float64
        ``[[0, 0], [0, 1], [1, 0], [1, 1]]``.
    y : ndarray of shape (4, 1), float64
        ``[[0], [1], [1], [0]]``: ``y = x1 XOR x2``. A column, so that it has
        the same shape as the output of a network with one output unit.
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return X, y


def two_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (like scikit-learn's ``make_moons``).

    The upper moon (class 0) is the half circle of radius 1 centred at
    ``(0, 0)``; the lower moon (class 1) is the same half circle turned upside
    down and centred at ``(1, 0.5)``. Gaussian noise of standard deviation
    ``noise`` is added to every coordinate, then the rows are shuffled.

    Parameters
    ----------
    n : int
        Total number of points; class 0 gets ``n // 2`` of them, class 1 the
        rest (so the classes differ by at most one point).
    noise : float
        Standard deviation of the Gaussian noise (0 gives clean half circles;
        0.1 to 0.3 is typical).
    rng : numpy.random.Generator
        Source of randomness (required), e.g. ``np.random.default_rng(0)``.

    Returns
    -------
    X : ndarray of shape (n, 2), float64
        The points, one per row.
    y : ndarray of shape (n,), int64
        The class of each point, 0 or 1.
    """
    n = _check_positive_int(n, "n", "two_moons")
    rng = _check_rng(rng, "two_moons")
    if noise < 0:
        raise ValueError(f"two_moons: noise must be >= 0, got {noise!r}")
    n_upper = n // 2
    n_lower = n - n_upper
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.column_stack([np.cos(t_upper), np.sin(t_upper)])  # (n_upper, 2)
    lower = np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])  # (n_lower, 2)
    X = np.concatenate([upper, lower])  # (n, 2)
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n_lower, dtype=np.int64)])
    X += noise * rng.standard_normal(X.shape)
    order = rng.permutation(n)  # shuffle, so that the classes are mixed
    return X[order], y[order]


def spirals(
    n: int, classes: int, rng: np.random.Generator, *, noise: float = 0.2
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the cs231n "spiral" data set).

    Arm ``k`` has ``n`` points with radius ``r`` going evenly from 0 to 1 and
    angle ``t = linspace(4k, 4(k+1), n) + noise * N(0, 1)``; the point is
    ``(r sin t, r cos t)``. No linear classifier separates the arms, which is
    what makes the data set a good first test of a hidden layer.

    Parameters
    ----------
    n : int
        Number of points per class.
    classes : int
        Number of classes (spiral arms), e.g. 3.
    rng : numpy.random.Generator
        Source of randomness (required), e.g. ``np.random.default_rng(0)``.
    noise : float, keyword-only
        Standard deviation of the noise added to the angle (default 0.2, as in
        cs231n).

    Returns
    -------
    X : ndarray of shape (n * classes, 2), float64
        The points, arm after arm (rows ``k*n`` to ``(k+1)*n - 1`` are class ``k``).
    y : ndarray of shape (n * classes,), int64
        The class of each point, in ``0 .. classes - 1``.
    """
    n = _check_positive_int(n, "n", "spirals")
    classes = _check_positive_int(classes, "classes", "spirals")
    rng = _check_rng(rng, "spirals")
    if noise < 0:
        raise ValueError(f"spirals: noise must be >= 0, got {noise!r}")
    X = np.empty((n * classes, 2), dtype=np.float64)
    y = np.empty(n * classes, dtype=np.int64)
    r = np.linspace(0.0, 1.0, n)  # radius, the same for every arm
    for k in range(classes):
        rows = slice(k * n, (k + 1) * n)
        t = np.linspace(4.0 * k, 4.0 * (k + 1), n) + noise * rng.standard_normal(n)
        X[rows, 0] = r * np.sin(t)
        X[rows, 1] = r * np.cos(t)
        y[rows] = k
    return X, y
