"""Exercise of notebook 05 (vectorised layers): a linear layer's forward and backward pass.

The learner completes a class (``MyLinear`` in the notebook) with the layer protocol of
:mod:`bplib.nn`::

    layer = MyLinear(D_in, D_out, rng=rng)   # sets layer.params["W"] (D_in, D_out), ["b"] (D_out,)
    Z = layer.forward(X)      # X (N, D_in) -> Z = X @ W + b, (N, D_out); keeps X for backward
    dX = layer.backward(dZ)   # stores layer.grads["W"] = X.T @ dZ      (D_in, D_out)
                              #        layer.grads["b"] = dZ.sum(axis=0)  (D_out,)
                              # returns dX = dZ @ W.T                    (N, D_in)

The check gives the layer its own ``W`` and ``b`` and runs it on a square batch first
(N = D_in = D_out = 4, where even a wrong product runs, so its values name the mistake), then on a
batch whose sizes all differ (5, 3, 4: a transpose shows as a wrong shape), then backward a second
time (gradients are overwritten, not added up).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from bplib.course.exercises.engine import Exercise, ExerciseFailed, Mistake, snapshot

__all__ = ["LINEAR_LAYER", "check_linear_layer"]

_SQUARE = (4, 4, 4)  # N, D_in, D_out: every wrong product still runs, its values name the mistake
_RECT = (5, 3, 4)    # all different: shapes tell the products apart


def _problem(n: int, d_in: int, d_out: int, seed: int) -> tuple[np.ndarray, ...]:
    """A batch X, parameters W, b and an upstream gradient dZ (float64, no symmetry)."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, d_in)), rng.normal(size=(d_in, d_out)), rng.normal(size=d_out),
            rng.normal(size=(n, d_out)))


def _build(layer_class: Any, W: np.ndarray, b: np.ndarray) -> Any:
    """The learner's layer with our W and b (so the check does not depend on the initialisation)."""
    name = getattr(layer_class, "__name__", "the layer")
    layer = layer_class(*W.shape, rng=np.random.default_rng(0))
    for attribute in ("params", "grads"):
        if not isinstance(getattr(layer, attribute, None), dict):
            raise ExerciseFailed(f"{name}{W.shape} has no dict `{attribute}`: __init__ must set "
                                 f"self.{attribute} = {{...}} (see the cell's template).")
    layer.params["W"], layer.params["b"] = W.copy(), b.copy()
    return layer



def _run(layer_class: Any) -> Iterator[tuple[str, Any]]:
    """Forward and backward on a square, then a rectangular batch, then a second backward."""
    for where, sizes, seed in (("", _SQUARE, 52), (" (N, D_in, D_out = 5, 3, 4)", _RECT, 51)):
        X, W, b, dZ = _problem(*sizes, seed=seed)
        layer = _build(layer_class, W, b)
        yield f"forward(X){where}", snapshot(layer.forward(X.copy()))
        dX = layer.backward(dZ.copy())
        yield f"grads['W']{where}", snapshot(layer.grads.get("W"))
        yield f"grads['b']{where}", snapshot(layer.grads.get("b"))
        yield f"backward(dZ){where}", snapshot(dX)
    layer.forward(X.copy())
    layer.backward(dZ.copy())
    yield "grads['W'] after a second forward and backward", snapshot(layer.grads.get("W"))


class _Linear:
    """The reference answer, written as the learner writes it."""

    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator) -> None:
        self.params = {"W": rng.normal(0.0, np.sqrt(2.0 / in_features), size=(in_features, out_features)),
                       "b": np.zeros(out_features)}
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, X: np.ndarray) -> np.ndarray:
        self.X = X
        return X @ self.params["W"] + self.params["b"]

    def backward(self, dZ: np.ndarray) -> np.ndarray:
        self.grads["W"] = self.X.T @ dZ
        self.grads["b"] = dZ.sum(axis=0)
        return dZ @ self.params["W"].T


def _variant(forward: Any = None, dW: Any = None, db: Any = None, dX: Any = None, accumulate: bool = False) -> type:
    """A wrong layer: the reference with one formula replaced (each a function of X, W, dZ)."""

    class Wrong(_Linear):
        def forward(self, X: np.ndarray) -> np.ndarray:
            self.X = X
            W, b = self.params["W"], self.params["b"]
            return forward(X, W, b) if forward else X @ W + b

        def backward(self, dZ: np.ndarray) -> np.ndarray:
            X, W = self.X, self.params["W"]
            new_dW = dW(X, W, dZ) if dW else X.T @ dZ
            self.grads["W"] = self.grads.get("W", 0) + new_dW if accumulate else new_dW
            self.grads["b"] = db(dZ) if db else dZ.sum(axis=0)
            return dX(X, W, dZ) if dX else dZ @ W.T

    return Wrong


class _CopiesW(_Linear):
    """A typical wrong answer: keeps its own copy of W, so the parameters set later never reach forward."""

    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator) -> None:
        super().__init__(in_features, out_features, rng)
        self.W = self.params["W"].copy()

    def forward(self, X: np.ndarray) -> np.ndarray:
        self.X = X
        return X @ self.W + self.params["b"]


_SHAPES_DW = ("Shapes: X.T (D_in, N) @ dZ (N, D_out) is (D_in, D_out), the shape of W; it is the only product "
              "of X and dZ that is.")
_SHAPES_DX = "Shapes: dZ (N, D_out) @ W.T (D_out, D_in) is (N, D_in), the shape of X."
_SUM_B = ("sum dZ over the batch axis: db = dZ.sum(axis=0), shape (D_out,) like b (b is added to every example, "
          "so every example adds to its gradient).")

LINEAR_LAYER = Exercise(
    id="05-linear-layer",
    title="MyLinear: forward and backward",
    writes="`MyLinear.forward` and `MyLinear.backward`",
    names=("MyLinear",),
    run=_run,
    reference=_Linear,
    batch_size=4,
    mistakes=(
        Mistake("forward returns X @ W: the bias is missing, Z = X @ W + b.",
                _variant(forward=lambda X, W, b: X @ W)),
        Mistake("forward computes W @ X: the order of the product is reversed; with X (N, D_in) and W "
                "(D_in, D_out), Z = X @ W + b.", _variant(forward=lambda X, W, b: W @ X + b)),
        Mistake("forward computes X @ W.T: W is already (D_in, D_out), so Z = X @ W + b needs no transpose.",
                _variant(forward=lambda X, W, b: X @ W.T + b)),
        Mistake(f"grads['W'] looks like X @ dZ: the transpose is missing, dW = X.T @ dZ. {_SHAPES_DW}",
                _variant(dW=lambda X, W, dZ: X @ dZ)),
        Mistake(f"grads['W'] looks like dZ.T @ X, the transpose of dW: write dW = X.T @ dZ. {_SHAPES_DW}",
                _variant(dW=lambda X, W, dZ: dZ.T @ X)),
        Mistake("grads['W'] is X.T @ dZ / N: an extra 1/N. The layer must not average: the 1/N of a mean "
                "loss is already inside dZ.", _variant(dW=lambda X, W, dZ: X.T @ dZ / len(X))),
        Mistake("grads['W'] has the wrong sign: dW = X.T @ dZ (the minus sign belongs to the update "
                "W -= lr * dW, not to the gradient).", _variant(dW=lambda X, W, dZ: -(X.T @ dZ))),
        Mistake(f"grads['b'] is dZ itself, one row per example: {_SUM_B}", _variant(db=lambda dZ: dZ)),
        Mistake(f"grads['b'] is summed over the wrong axis (axis=1, the outputs of one example): {_SUM_B}",
                _variant(db=lambda dZ: dZ.sum(axis=1))),
        Mistake(f"grads['b'] has shape (1, D_out) (keepdims=True): {_SUM_B}",
                _variant(db=lambda dZ: dZ.sum(axis=0, keepdims=True))),
        Mistake("grads['b'] is the mean of dZ over the batch, N times too small: use the sum; the 1/N of a "
                "mean loss is already inside dZ.", _variant(db=lambda dZ: dZ.mean(axis=0))),
        Mistake(f"backward returned dZ @ W: the transpose is missing, dX = dZ @ W.T. {_SHAPES_DX}",
                _variant(dX=lambda X, W, dZ: dZ @ W)),
        Mistake("backward returned dZ unchanged: return dX = dZ @ W.T (the layer below needs it).",
                _variant(dX=lambda X, W, dZ: dZ)),
        Mistake("forward does not use the W and b in self.params (it kept a copy made in __init__?): the check "
                "puts its own W and b there, so forward must read self.params['W'] and self.params['b'] each time.",
                _CopiesW),
        Mistake("grads['W'] doubled on a second backward pass: assign the gradients (self.grads['W'] = ...) "
                "instead of adding to them (+=); each backward overwrites.", _variant(accumulate=True)),
    ),
    error_hint=("A matrix product with mismatched shapes is usually a missing transpose. With X (N, D_in), "
                "dZ (N, D_out) and W (D_in, D_out): dW = X.T @ dZ is (D_in, D_out) like W, db = dZ.sum(axis=0) "
                "is (D_out,) like b, and dX = dZ @ W.T is (N, D_in) like X."),
    passed=("forward gives Z = X @ W + b; backward gives dW = X.T @ dZ, db = dZ.sum(axis=0) and "
            "dX = dZ @ W.T, on a square and a rectangular batch, and overwrites the gradients."),
)

check_linear_layer = LINEAR_LAYER.check
