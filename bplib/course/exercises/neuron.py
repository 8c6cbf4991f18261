"""Exercise of notebook 03 (a single neuron): the gradient of one sigmoid neuron with MSE, for a batch.

The learner writes ``neuron_backward(X, Y, A)``: from the batch ``X`` (N, D), the targets ``Y`` (N,)
and the activations ``A = sigma(X @ w + b)`` (N,) that the forward pass kept, the gradients of
``L = mean((A - Y)**2)``::

    dZ = 2 / N * (A - Y) * A * (1 - A)     # Delta = dL/dZ, (N,)
    dw = X.T @ dZ                          # (D,), like w
    db = dZ.sum()                          # a number, like b

The check runs it on a square batch first (N = D = 3, where even ``X @ dZ`` runs and its values name
the mistake), then on a batch of N = 6 examples with D = 2 features, and compares the gradients with
the reference and with central differences of the loss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from bplib.course.exercises.engine import Exercise, ExerciseFailed, Mistake

__all__ = ["NEURON_GRADIENT", "check_neuron_gradient"]

_SQUARE = (3, 3)   # N, D: a transposed product still runs
_RECT = (6, 2)     # N != D: shapes tell the products apart


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def _problem(n: int, d: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """A batch X (N, D), 0/1 targets Y (N,), and a neuron's w (D,), b (float64, no symmetry)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    Y = (np.arange(n) % 2).astype(float)
    return X, Y, rng.normal(size=d), float(rng.normal())


def _run(neuron_backward: Callable[..., Any]) -> Iterator[tuple[str, Any]]:
    from bplib.gradcheck import numerical_gradient, relative_error

    for (n, d), seed in ((_SQUARE, 31), (_RECT, 32)):
        X, Y, w, b = _problem(n, d, seed)
        A = _sigmoid(X @ w + b)
        answer = neuron_backward(X.copy(), Y.copy(), A.copy())
        if not isinstance(answer, (tuple, list)) or len(answer) != 2:
            raise ExerciseFailed("neuron_backward should return two things: return dw, db.")
        dw, db = answer
        where = f" (N = {n}, D = {d})"
        yield f"dw{where}", None if dw is None else np.array(dw, dtype=float)
        yield f"db{where}", None if db is None else np.array(db, dtype=float)

    # the gradient check: central differences of the loss itself, at the last batch
    def loss(w_: np.ndarray, b_: float) -> float:
        return float(np.mean((_sigmoid(X @ w_ + b_) - Y) ** 2))

    numeric_w = numerical_gradient(lambda v: loss(v, b), w.copy())
    numeric_b = numerical_gradient(lambda v: loss(w, v[0]), np.array([b]))
    got = np.append(np.array(dw, dtype=float).reshape(-1), float(np.asarray(db).reshape(-1)[0]))
    yield "relative error of (dw, db) against central differences", relative_error(got, np.append(numeric_w, numeric_b))


def _reference(X: np.ndarray, Y: np.ndarray, A: np.ndarray) -> tuple[np.ndarray, float]:
    N = len(Y)
    dZ = 2 / N * (A - Y) * A * (1 - A)
    return X.T @ dZ, dZ.sum()


def _variant(dZ: Callable[[np.ndarray, np.ndarray, int], np.ndarray] | None = None,
             dw: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
             db: Callable[[np.ndarray], Any] | None = None) -> Callable[..., tuple[Any, Any]]:
    """A wrong answer: the reference with one formula replaced."""

    def wrong(X: np.ndarray, Y: np.ndarray, A: np.ndarray) -> tuple[Any, Any]:
        N = len(Y)
        delta = dZ(A, Y, N) if dZ else 2 / N * (A - Y) * A * (1 - A)
        return (dw(X, delta) if dw else X.T @ delta), (db(delta) if db else delta.sum())

    return wrong


_DZ = "dZ = 2 / N * (A - Y) * A * (1 - A)"

NEURON_GRADIENT = Exercise(
    id="03-neuron-gradient",
    title="neuron_backward: dL/dw and dL/db of a sigmoid neuron with MSE",
    writes="`neuron_backward`",
    names=("neuron_backward",),
    run=_run,
    reference=_reference,
    batch_size=3,
    mistakes=(
        Mistake(f"the sigmoid's derivative is missing: dL/dZ = dL/dA * sigma'(Z) with sigma'(Z) = A * (1 - A), "
                f"so {_DZ}.", _variant(dZ=lambda A, Y, N: 2 / N * (A - Y))),
        Mistake(f"sigma' is applied to A: A is already sigma(Z), so sigma'(Z) = A * (1 - A), not "
                f"sigma(A) * (1 - sigma(A)). {_DZ}.",
                _variant(dZ=lambda A, Y, N: 2 / N * (A - Y) * _sigmoid(A) * (1 - _sigmoid(A)))),
        Mistake(f"the factor 2 is missing: the derivative of (A - Y)**2 is 2 (A - Y). {_DZ}.",
                _variant(dZ=lambda A, Y, N: 1 / N * (A - Y) * A * (1 - A))),
        Mistake(f"the 1/N is missing: the loss is a MEAN over the N examples, so every dL/dA carries 1/N. {_DZ}.",
                _variant(dZ=lambda A, Y, N: 2 * (A - Y) * A * (1 - A))),
        Mistake(f"the sign is wrong: it uses (Y - A); the derivative of (A - Y)**2 with respect to A is "
                f"2 (A - Y). (The minus sign belongs to the update w -= lr * dw.) {_DZ}.",
                _variant(dZ=lambda A, Y, N: 2 / N * (Y - A) * A * (1 - A))),
        Mistake("dw looks like X @ dZ: the transpose is missing. With X (N, D) and dZ (N,), dw = X.T @ dZ is "
                "(D,), like w: each weight adds up one contribution per example.",
                _variant(dw=lambda X, delta: X @ delta)),
        Mistake("db is the mean of dZ: sum it, db = dZ.sum() (the 1/N of the mean loss is already inside dZ).",
                _variant(db=lambda delta: delta.mean())),
        Mistake("db is dZ itself, one number per example: b is used by every example, so its gradient is the "
                "sum, db = dZ.sum().", _variant(db=lambda delta: delta)),
    ),
    limits={"relative error of (dw, db) against central differences":
            (1e-7, "neuron_backward agrees with the reference but not with central differences.")},
    error_hint=("Shapes: X (N, D), Y (N,), A (N,); dZ = 2 / N * (A - Y) * A * (1 - A) is (N,), dw = X.T @ dZ is "
                "(D,) like w, db = dZ.sum() is a number like b."),
    passed=("dZ = 2/N (A - Y) A (1 - A), dw = X.T @ dZ and db = dZ.sum() on a square and a rectangular batch, "
            "and central differences agree (relative error < 1e-7: True)."),
)
check_neuron_gradient = NEURON_GRADIENT.check
