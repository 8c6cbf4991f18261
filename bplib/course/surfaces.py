"""Small 2-D loss surfaces for watching gradient descent move (notebooks 04 and 11).

A real network's loss lives in millions of dimensions; these two-parameter functions are the
pictures we reason with:

* :func:`quadratic` -- an ill-conditioned bowl ``L(w) = 1/2 (l_1 w_1^2 + l_2 w_2^2)`` with
  curvatures ``(l_1, l_2) = (1, 10)``: steep across, flat along. Gradient descent converges only
  for ``lr < 2 / l_max = 0.2`` and zig-zags across the steep direction.
* :func:`four_wells` -- a non-convex surface ``(w_1^2 - 1)^2 + (w_2^2 - 1)^2 + 0.3 w_1`` with four
  minima (two global, two local), four saddle points and one maximum.

Points are arrays whose LAST axis holds the two coordinates, so the same function evaluates one
point ``w`` of shape ``(2,)``, a path of shape ``(T, 2)`` or a whole grid of shape ``(H, W, 2)``.
All arithmetic is elementwise (no matrix products), so results are identical on every machine.

:func:`gradient_descent` runs plain gradient descent on any of them (it is
:func:`bplib.course.experiments.optimiser_path` with ``SGD``); :func:`plot_contours` and
:func:`plot_path` draw a surface's contour lines and a trajectory on them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np

from bplib.course.experiments import optimiser_path
from bplib.optim import SGD

__all__ = [
    "QUADRATIC_CURVATURES",
    "QUADRATIC_START",
    "WELLS_START",
    "FOUR_WELLS_TILT",
    "quadratic",
    "quadratic_grad",
    "four_wells",
    "four_wells_grad",
    "four_wells_critical_points",
    "gradient_descent",
    "plot_contours",
    "plot_path",
]

#: Curvatures (Hessian eigenvalues) of :func:`quadratic`: condition number 10.
QUADRATIC_CURVATURES: tuple[float, float] = (1.0, 10.0)
#: The starting point used for :func:`quadratic` throughout notebook 04.
QUADRATIC_START: tuple[float, float] = (-4.0, 1.5)
#: Where notebook 11's paths start on :func:`four_wells`: next to the shallow (local) right-hand wells.
WELLS_START: tuple[float, float] = (1.4, 0.6)
#: The tilt of :func:`four_wells` along ``w_1``: it makes the left wells deeper than the right ones.
FOUR_WELLS_TILT: float = 0.3


def quadratic(w: np.ndarray, curvatures: Sequence[float] = QUADRATIC_CURVATURES) -> np.ndarray:
    """Ill-conditioned quadratic bowl ``L(w) = 1/2 * sum_i l_i * w_i**2``.

    Parameters
    ----------
    w : array of shape (..., 2)
        Point(s); the last axis holds ``(w_1, w_2)``.
    curvatures : pair of float
        ``(l_1, l_2)``, the second derivatives along each axis (default ``(1, 10)``).

    Returns
    -------
    array of shape (...)
        The loss at each point (a 0-d array for a single point).
    """
    w = np.asarray(w, dtype=np.float64)
    lam = np.asarray(curvatures, dtype=np.float64)
    return 0.5 * np.sum(lam * w**2, axis=-1)


def quadratic_grad(w: np.ndarray, curvatures: Sequence[float] = QUADRATIC_CURVATURES) -> np.ndarray:
    """Gradient of :func:`quadratic`: ``dL/dw_i = l_i * w_i``; same shape as ``w``."""
    w = np.asarray(w, dtype=np.float64)
    lam = np.asarray(curvatures, dtype=np.float64)
    return lam * w


def four_wells(w: np.ndarray, tilt: float = FOUR_WELLS_TILT) -> np.ndarray:
    """Non-convex surface ``L(w) = (w_1**2 - 1)**2 + (w_2**2 - 1)**2 + tilt * w_1``.

    Each coordinate is a double well; the sum has four minima near ``(+-1, +-1)``. The tilt makes
    the two wells at ``w_1 < 0`` deeper (global minima) than the two at ``w_1 > 0`` (local minima).
    Where one coordinate sits at a minimum of its well and the other at the top of its bump
    (``w_2 = 0`` exactly, or ``w_1`` near 0.075), the gradient vanishes without a minimum: a saddle.

    Parameters
    ----------
    w : array of shape (..., 2)
    tilt : float
        Slope added along ``w_1`` (default 0.3).

    Returns
    -------
    array of shape (...)
    """
    w = np.asarray(w, dtype=np.float64)
    w1, w2 = w[..., 0], w[..., 1]
    return (w1**2 - 1.0) ** 2 + (w2**2 - 1.0) ** 2 + tilt * w1


def four_wells_grad(w: np.ndarray, tilt: float = FOUR_WELLS_TILT) -> np.ndarray:
    """Gradient of :func:`four_wells`: ``(4 w_1 (w_1**2 - 1) + tilt, 4 w_2 (w_2**2 - 1))``."""
    w = np.asarray(w, dtype=np.float64)
    w1, w2 = w[..., 0], w[..., 1]
    return np.stack([4.0 * w1 * (w1**2 - 1.0) + tilt, 4.0 * w2 * (w2**2 - 1.0)], axis=-1)


def four_wells_critical_points(tilt: float = FOUR_WELLS_TILT) -> dict[str, np.ndarray]:
    """The nine points where the gradient of :func:`four_wells` vanishes, sorted by kind.

    The surface is a sum of one function of ``w_1`` and one of ``w_2``, so a critical point pairs a
    critical value of each: ``w_1`` solves ``4 w_1^3 - 4 w_1 + tilt = 0`` (three real roots: two
    minima of the ``w_1`` well and the bump between them) and ``w_2`` is -1, 0 or 1.
    Minimum x minimum is a minimum, bump x bump a maximum, and a minimum in one coordinate with a
    bump in the other is a saddle.

    Returns
    -------
    dict
        ``"global minima"``, ``"local minima"``, ``"saddles"``, ``"maxima"``: arrays of shape (k, 2).
    """
    roots = np.sort(np.roots([4.0, 0.0, -4.0, tilt]).real)  # left minimum, bump, right minimum
    # one Newton step polishes the roots (np.roots goes through an eigenvalue solver)
    roots = roots - (4 * roots**3 - 4 * roots + tilt) / (12 * roots**2 - 4)
    left, bump, right = roots
    mins2, bump2 = (-1.0, 1.0), 0.0
    return {
        "global minima": np.array([[left, y] for y in mins2]),
        "local minima": np.array([[right, y] for y in mins2]),
        "saddles": np.array([[left, bump2], [right, bump2], [bump, -1.0], [bump, 1.0]]),
        "maxima": np.array([[bump, bump2]]),
    }


def gradient_descent(grad: Callable[[np.ndarray], np.ndarray], w0: Sequence[float] | np.ndarray, lr: float,
                     steps: int, *, max_norm: float = 1e6) -> np.ndarray:
    """Plain gradient descent ``w <- w - eta * grad(w)`` from ``w0`` (``eta`` is ``lr``), keeping every point.

    This is :func:`bplib.course.experiments.optimiser_path` with bplib's ``SGD(lr)``, the one loop
    that moves a point with an optimiser; only the divergence limit is larger here.

    Parameters
    ----------
    grad : callable
        ``grad(w)`` returns the gradient at ``w`` (shape (D,)).
    w0 : array of shape (D,)
        Starting point (copied, never modified).
    lr : float
        Learning rate ``eta`` (step size), positive.
    steps : int
        Number of updates.
    max_norm : float
        Stop early once ``||w||`` exceeds this: the run has diverged, and going on would only
        overflow.

    Returns
    -------
    array of shape (T, D)
        The path ``w_0, w_1, ..., w_steps``; ``T = steps + 1`` unless the run stopped early.
    """
    return optimiser_path(SGD(lr), grad, w0, steps, max_norm=max_norm)


def plot_contours(loss: Callable[[np.ndarray], np.ndarray], ax: plt.Axes | None = None, *,
                  xlim: tuple[float, float] = (-5.0, 5.0), ylim: tuple[float, float] = (-3.0, 3.0),
                  levels: int | Sequence[float] = 12, log_levels: bool = True, resolution: int = 200,
                  title: str | None = None) -> plt.Axes:
    """Draw contour lines of a 2-D loss on ``ax`` (a new 6x4 figure when ``ax`` is None).

    Parameters
    ----------
    loss : callable
        ``loss(w)`` for ``w`` of shape (..., 2), e.g. :func:`quadratic` or :func:`four_wells`.
    xlim, ylim : pair of float
        The window in ``(w_1, w_2)``; the axes are fixed to it, so paths that leave it are clipped.
    levels : int or sequence of float
        Number of contour levels, or the levels themselves.
    log_levels : bool
        Space the levels geometrically between the smallest and largest loss in the window (useful
        for bowls, where the interesting contours are near the minimum). Needs a positive minimum
        loss; otherwise levels are spaced linearly.
    resolution : int
        Grid points per axis.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    x = np.linspace(*xlim, resolution)
    y = np.linspace(*ylim, resolution)
    grid = np.stack(np.meshgrid(x, y), axis=-1)  # (resolution, resolution, 2)
    values = loss(grid)
    if isinstance(levels, int):
        lo, hi = float(values.min()), float(values.max())
        if log_levels and lo > 0:
            levels = np.geomspace(lo, hi, levels)
        elif log_levels and lo == 0:
            levels = np.geomspace(hi * 1e-4, hi, levels)
        else:
            levels = np.linspace(lo, hi, levels)
    ax.contour(x, y, values, levels=levels, cmap="viridis", linewidths=0.8)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")  # one scale on both axes, so a gradient looks perpendicular to its contour line
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    if title:
        ax.set_title(title)
    return ax


def plot_path(ax: plt.Axes, path: np.ndarray, *, label: str | None = None, color: str | None = None,
              markersize: float = 3.0) -> plt.Axes:
    """Draw a descent path (shape (T, 2)) as dots joined by lines, its start as a hollow circle."""
    path = np.asarray(path)
    (line,) = ax.plot(path[:, 0], path[:, 1], "o-", color=color, markersize=markersize, linewidth=1.0,
                      label=label)
    ax.plot(path[0, 0], path[0, 1], "o", markersize=8, markerfacecolor="none", color=line.get_color())
    return ax
