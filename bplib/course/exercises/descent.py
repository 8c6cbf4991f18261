"""Exercise of notebook 04 (gradient descent): gradient descent on a 2-D surface, returning its path.

The learner writes ``descend(grad, w0, lr, steps)``::

    path = descend(grad, w0, lr, steps)   # grad: w (2,) -> the gradient of L at w, (2,)
                                          # w0: the start (a tuple or an array of 2 numbers)
    # path: (steps + 1, 2), path[0] = w0 and path[t + 1] = path[t] - lr * grad(path[t])

The check runs the answer on the ill-conditioned bowl of the notebook and on the four-wells surface,
from fixed starts, and compares every point of the path with the reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from bplib.course.exercises.engine import Exercise, Mistake
from bplib.course.surfaces import four_wells_grad, quadratic_grad

__all__ = ["DESCENT", "check_descent"]

Grad = Callable[[np.ndarray], np.ndarray]

# (surface, its gradient, start, learning rate, steps): a few steps each, so a wrong path differs early
_TRIALS = (("the bowl", quadratic_grad, (-4.0, 1.5), 0.15, 6),
           ("four wells", four_wells_grad, (1.7, -0.4), 0.05, 5))


def _run(descend: Any) -> Iterator[tuple[str, Any]]:
    """The path on each trial surface, then the start array after the call (it must be unchanged)."""
    for name, grad, start, lr, steps in _TRIALS:
        w0 = np.array(start)
        path = descend(lambda w: grad(np.array(w, dtype=np.float64)), w0, lr, steps)
        yield f"descend(grad, w0={start}, lr={lr}, steps={steps}) on {name}", (
            None if path is None else np.array([np.array(p, dtype=np.float64) for p in path]))
        yield f"w0 after descend(...) on {name} (the caller's start)", w0.copy()


def _descent(update: Callable[[np.ndarray, np.ndarray, float], np.ndarray]) -> Callable[..., np.ndarray]:
    """``descend`` with the update ``w = update(w, grad(w), lr)``: the reference, or a wrong update rule."""

    def descend(grad: Grad, w0: Any, lr: float, steps: int) -> np.ndarray:
        w = np.array(w0, dtype=np.float64)
        path = [w.copy()]
        for _ in range(steps):
            w = update(w, grad(w), lr)
            path.append(w.copy())
        return np.array(path)

    return descend


#: The reference: ``steps`` updates ``w <- w - lr * grad(w)``, every point kept, the start first.
_descend = _descent(lambda w, g, lr: w - lr * g)


# Wrong numbers of points: the reference's path without its start or its end, or with one update too many.
def _no_start(grad: Grad, w0: Any, lr: float, steps: int) -> np.ndarray:
    return _descend(grad, w0, lr, steps)[1:]


def _no_last(grad: Grad, w0: Any, lr: float, steps: int) -> np.ndarray:
    return _descend(grad, w0, lr, steps)[:-1]


def _one_too_many(grad: Grad, w0: Any, lr: float, steps: int) -> np.ndarray:
    return _descend(grad, w0, lr, steps + 1)


# Aliasing: written out, since the mistake is in where the arrays live.
def _same_object(grad: Grad, w0: Any, lr: float, steps: int) -> list[np.ndarray]:
    w = np.array(w0, dtype=np.float64)
    path = [w]
    for _ in range(steps):
        w -= lr * grad(w)
        path.append(w)
    return path


def _moves_caller_start(grad: Grad, w0: np.ndarray, lr: float, steps: int) -> np.ndarray:
    w = w0
    path = [w.copy()]
    for _ in range(steps):
        w -= lr * grad(w)
        path.append(w.copy())
    return np.array(path)


_COPY = ("keep a copy of each point (path.append(w.copy())), or update with w = w - lr * grad(w), which makes "
         "a new array each step")

DESCENT = Exercise(
    id="04-descent",
    title="Gradient descent returning its path",
    writes="`descend`",
    names=("descend",),
    run=_run,
    reference=_descend,
    mistakes=(
        Mistake("the path climbs: w + lr * grad(w) is gradient ASCENT. The gradient points uphill, so step "
                "against it: w = w - lr * grad(w).", _descent(lambda w, g, lr: w + lr * g)),
        Mistake("the learning rate multiplies the point instead of the gradient (lr * w - grad(w)): the update "
                "is w = w - lr * grad(w), the point minus a small step along the gradient.",
                _descent(lambda w, g, lr: lr * w - g)),
        Mistake("the path has `steps` points and leaves out the start: it must have steps + 1 points, "
                "path[0] = w0, then one point after each update.", _no_start),
        Mistake("the path has `steps` points and leaves out the last one: it must have steps + 1 points, the "
                "start and one point after each of the `steps` updates (append after the update).", _no_last),
        Mistake("the path has steps + 2 points: the loop makes one update too many (range(steps) updates "
                "`steps` times).", _one_too_many),
        Mistake(f"every point of the path is the same (the last) point: the list holds the same array again "
                f"and again, changed in place by w -= .... {_COPY}.", _same_object),
        Mistake(f"descend changed the caller's w0 (w = w0, then w -= ... in place): start from a copy, "
                f"w = np.array(w0, dtype=float), and {_COPY}.", _moves_caller_start),
    ),
    error_hint=("grad(w) takes and returns an array of 2 numbers; descend returns the path as an array of "
                "shape (steps + 1, 2): the start, then the point after each update."),
    passed=("path[0] = w0 and path[t + 1] = path[t] - lr * grad(path[t]), steps + 1 points, on the bowl "
            "and on the four wells; the caller's start is left as it was."),
)

check_descent = DESCENT.check
"""The notebook-04 check: ``check_descent(descend)``."""
