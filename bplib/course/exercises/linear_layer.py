"""Checks for notebook 05 (vectorised layers): a linear layer's forward and backward pass.

The learner completes a class (called ``MyLinear`` in the notebook) with the layer protocol of
:mod:`bplib.nn`::

    layer = MyLinear(in_features, out_features, rng=rng)   # sets layer.params["W"], ["b"]
    Y = layer.forward(X)          # X (N, D_in) -> Y = X @ W + b (N, D_out); caches X
    dX = layer.backward(dY)       # sets layer.grads["W"] = X.T @ dY   (D_in, D_out)
                                  #      layer.grads["b"] = dY.sum(axis=0)  (D_out,)
                                  # returns dX = dY @ W.T                (N, D_in)

:func:`check_linear_layer` builds the learner's layer, puts its own ``W`` and ``b`` into
``layer.params`` and checks, in this order:

1. the forward pass on a batch whose sizes all differ (N = 5, D_in = 3, D_out = 4), so that a
   wrong product or a missing transpose shows up as a wrong shape;
2. the backward pass on a square batch (N = D_in = D_out = 4), where even wrong products run,
   so the check can recognise the typical mistake from the values: ``X @ dY`` instead of
   ``X.T @ dY``, ``dY @ W`` instead of ``dY @ W.T``, ``db`` not summed over the batch or summed over
   the wrong axis, an extra ``1/N`` (the mean's ``1/N`` is already inside ``dY``), the wrong sign;
3. the backward pass on the rectangular batch again: shapes of ``dW``, ``db`` and ``dX``;
4. a gradient check: every gradient against central differences
   (:func:`bplib.gradcheck.numerical_gradient`) of ``L = sum(forward(X) * dY)``, whose gradient
   with respect to ``Y`` is exactly ``dY``;
5. that a second backward pass overwrites the gradients instead of adding to them.

``NotImplementedError`` (the student edition's unfinished methods) is never caught.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bplib.course.exercises.common import ExerciseFailed, check_shape, diagnose_values, fail, passed

__all__ = ["check_linear_layer"]

_RECT = (5, 3, 4)  # N, D_in, D_out: all different, so shapes tell products apart
_SQUARE = (4, 4, 4)  # N = D_in = D_out: every wrong product still runs, its values name the mistake


def _problem(n: int, d_in: int, d_out: int, seed: int) -> tuple[np.ndarray, ...]:
    """A batch X, parameters W, b and an upstream gradient dY, all float64 and generic (no symmetry)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d_in))
    W = rng.normal(size=(d_in, d_out))
    b = rng.normal(size=d_out)
    dY = rng.normal(size=(n, d_out))
    return X, W, b, dY


def _build(layer_class: Any, W: np.ndarray, b: np.ndarray) -> Any:
    """Create the learner's layer and give it our parameters (so the check does not depend on the init)."""
    d_in, d_out = W.shape
    name = getattr(layer_class, "__name__", "the layer")
    layer = layer_class(d_in, d_out, rng=np.random.default_rng(0))
    if not isinstance(getattr(layer, "params", None), dict):
        fail(f"{name}({d_in}, {d_out}) has no dict `params`: __init__ must set self.params = {{'W': ..., 'b': ...}}.")
    if not isinstance(getattr(layer, "grads", None), dict):
        fail(f"{name}({d_in}, {d_out}) has no dict `grads`: __init__ must set self.grads = {{}}.")
    layer.params["W"] = W.copy()
    layer.params["b"] = b.copy()
    return layer


def _as_result(value: Any, what: str, hint: str) -> np.ndarray:
    """The learner's returned/stored array as float64, or a failure naming what is missing."""
    if value is None:
        fail(f"{what} is None: {hint}")
    try:
        return np.array(value, dtype=np.float64)  # a copy: a later backward may overwrite the layer's buffers
    except (TypeError, ValueError):
        fail(f"{what} should be a NumPy array, got {type(value).__name__}.")
        raise  # unreachable


def _forward(layer: Any, X: np.ndarray, name: str) -> np.ndarray:
    W, b = layer.params["W"], layer.params["b"]
    try:
        Y = layer.forward(X.copy())
    except ValueError as err:  # a shape mismatch inside a matrix product (never NotImplementedError)
        fail(f"{name}.forward raised ValueError ({err}). X is (N, D_in) = {X.shape} and W is "
             f"(D_in, D_out) = {W.shape}, so Y = X @ W + b has shape (N, D_out) = {(X.shape[0], W.shape[1])}: "
             f"check the order of the product (X @ W, not W @ X) and that W is not transposed.")
        raise  # unreachable
    Y = _as_result(Y, f"{name}.forward(X)", "return the output Y = X @ W + b.")
    check_shape(Y, (X.shape[0], W.shape[1]), f"{name}.forward(X)")
    expected = X @ W + b
    if np.allclose(Y, X @ W, atol=1e-9) and not np.allclose(b, 0):
        fail(f"{name}.forward(X) equals X @ W: the bias is missing, Y = X @ W + b.")
    try:
        diagnose_values(Y, expected, f"{name}.forward(X)", batch_size=X.shape[0])
    except ExerciseFailed as err:
        raise ExerciseFailed(f"{err} Y = X @ W + b with W = self.params['W'] and b = self.params['b']: the "
                             f"check puts its own W and b there, so forward must read them from self.params.") from None
    return Y


def _backward(layer: Any, dY: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run backward and return (dW, db, dX) as arrays; fail if something is missing."""
    try:
        dX = layer.backward(dY.copy())
    except ValueError as err:  # a shape mismatch inside a matrix product
        n, d_out = dY.shape
        d_in = layer.params["W"].shape[0]
        fail(f"{name}.backward raised ValueError ({err}): a matrix product has mismatched shapes, usually a "
             f"missing transpose. With X (N, D_in) = {(n, d_in)}, dY (N, D_out) = {(n, d_out)} and "
             f"W (D_in, D_out) = {(d_in, d_out)}: dW = X.T @ dY is {(d_in, d_out)} like W, and "
             f"dX = dY @ W.T is {(n, d_in)} like X.")
        raise  # unreachable
    for key in ("W", "b"):
        if key not in layer.grads:
            fail(f"{name}.backward did not set self.grads[{key!r}]: store dL/d{key} there "
                 f"(self.grads[{key!r}] = ...).")
    dW = _as_result(layer.grads["W"], f"{name}.grads['W']", "store dW = X.T @ dY.")
    db = _as_result(layer.grads["b"], f"{name}.grads['b']", "store db = dY.sum(axis=0).")
    dX = _as_result(dX, f"{name}.backward(dY)",
                    "return dX = dY @ W.T (the layer below needs it to continue the backward pass).")
    return dW, db, dX


def _name_mistake(answer: np.ndarray, candidates: list[tuple[np.ndarray, str]]) -> None:
    """Fail with the hint of the first typical wrong answer that ``answer`` equals."""
    for wrong, hint in candidates:
        if answer.shape == wrong.shape and np.allclose(answer, wrong, rtol=1e-6, atol=1e-9):
            fail(hint)


def _diagnose_square(dW: np.ndarray, db: np.ndarray, dX: np.ndarray, X: np.ndarray, W: np.ndarray,
                     dY: np.ndarray, name: str) -> None:
    """On the square batch every wrong product runs: recognise the typical mistakes by their values."""
    n = X.shape[0]
    shapes = ("Shapes: X.T (D_in, N) @ dY (N, D_out) gives (D_in, D_out), W's shape; it is the only "
              "product of X and dY that does.")
    _name_mistake(dW, [
        (X @ dY, f"{name}.grads['W'] looks like X @ dY: the transpose is missing, dW = X.T @ dY. {shapes}"),
        (dY.T @ X, f"{name}.grads['W'] looks like dY.T @ X, the transpose of dW (shape (D_out, D_in)): "
                   f"write dW = X.T @ dY. {shapes}"),
        (X.T @ dY / n, f"{name}.grads['W'] is X.T @ dY / N: an extra 1/N. The layer must not average: the "
                       f"1/N of a mean loss is already inside dY."),
        (-(X.T @ dY), f"{name}.grads['W'] has the wrong sign: dW = X.T @ dY (the minus sign belongs to the "
                      f"update w -= lr * dW, not to the gradient)."),
    ])
    check_shape(dW, W.shape, f"{name}.grads['W']")
    diagnose_values(dW, X.T @ dY, f"{name}.grads['W']", batch_size=n)

    summed = ("sum dY over the batch axis: db = dY.sum(axis=0), shape (D_out,) like b (the bias is "
              "added to every example, so every example contributes to its gradient).")
    _name_mistake(db, [
        (dY, f"{name}.grads['b'] is dY itself, one row per example (shape (N, D_out)): {summed}"),
        (dY.sum(axis=0, keepdims=True), f"{name}.grads['b'] has shape (1, D_out) (keepdims=True): "
                                        f"{summed}"),
        (dY.sum(axis=1), f"{name}.grads['b'] is summed over the wrong axis (axis=1, over the outputs "
                         f"of one example): {summed}"),
        (dY.sum(axis=1, keepdims=True), f"{name}.grads['b'] is summed over the wrong axis (axis=1): "
                                        f"{summed}"),
        (dY.mean(axis=0), f"{name}.grads['b'] is the mean of dY over the batch, N times too small: use "
                          f"the sum; the 1/N of a mean loss is already inside dY."),
        (np.asarray(dY.sum()), f"{name}.grads['b'] is a single number (the sum over all axes): {summed}"),
        (-dY.sum(axis=0), f"{name}.grads['b'] has the wrong sign: db = dY.sum(axis=0)."),
    ])
    check_shape(db, (W.shape[1],), f"{name}.grads['b']")
    diagnose_values(db, dY.sum(axis=0), f"{name}.grads['b']", batch_size=n)

    dx_shapes = ("Shapes: dY (N, D_out) @ W.T (D_out, D_in) gives (N, D_in), X's shape.")
    _name_mistake(dX, [
        (dY @ W, f"{name}.backward returned dY @ W: the transpose is missing, dX = dY @ W.T. {dx_shapes}"),
        (W @ dY.T, f"{name}.backward returned W @ dY.T, the transpose of dX: write dX = dY @ W.T. "
                   f"{dx_shapes}"),
        (dY @ W.T / n, f"{name}.backward returned dY @ W.T / N: an extra 1/N (the 1/N of a mean loss is "
                       f"already inside dY)."),
        (-(dY @ W.T), f"{name}.backward returned dX with the wrong sign: dX = dY @ W.T."),
        (dY, f"{name}.backward returned dY unchanged: return dX = dY @ W.T."),
    ])
    check_shape(dX, X.shape, f"{name}.backward(dY)")
    diagnose_values(dX, dY @ W.T, f"{name}.backward(dY)", batch_size=n)


def check_linear_layer(layer_class: Any) -> None:
    """Check a learner's linear layer class: forward, backward (shapes, values, gradient check).

    Parameters
    ----------
    layer_class : class
        Called as ``layer_class(in_features, out_features, rng=rng)``; instances must have dicts
        ``params`` (``"W"`` of shape (D_in, D_out), ``"b"`` of shape (D_out,)) and ``grads``,
        ``forward(x)`` returning ``x @ W + b`` and ``backward(grad_out)`` storing ``grads["W"]``,
        ``grads["b"]`` and returning the gradient with respect to ``x``. The check sets its own
        ``params["W"]`` and ``params["b"]``, so the layer must read them from ``self.params``.

    Raises
    ------
    ExerciseFailed
        With a message naming the likely mistake (missing transpose, ``db`` not summed over the
        batch or summed over the wrong axis, extra ``1/N``, wrong sign, ...).
    """
    from bplib.gradcheck import numerical_gradient, relative_error  # keeps importing bplib.course.exercises light

    name = getattr(layer_class, "__name__", "the layer")

    # 1. forward on a rectangular batch
    X, W, b, dY = _problem(*_RECT, seed=51)
    layer = _build(layer_class, W, b)
    _forward(layer, X, name)

    # 2. backward on a square batch: recognise the typical mistakes by their values
    Xs, Ws, bs, dYs = _problem(*_SQUARE, seed=52)
    square = _build(layer_class, Ws, bs)
    _forward(square, Xs, name)
    _diagnose_square(*_backward(square, dYs, name), Xs, Ws, dYs, name)

    # 3. backward on the rectangular batch: shapes and values
    dW, db, dX = _backward(layer, dY, name)
    check_shape(dW, W.shape, f"{name}.grads['W']")
    check_shape(db, b.shape, f"{name}.grads['b']")
    check_shape(dX, X.shape, f"{name}.backward(dY)")
    diagnose_values(dW, X.T @ dY, f"{name}.grads['W']", batch_size=X.shape[0])
    diagnose_values(db, dY.sum(axis=0), f"{name}.grads['b']", batch_size=X.shape[0])
    diagnose_values(dX, dY @ W.T, f"{name}.backward(dY)", batch_size=X.shape[0])

    # 4. gradient check: L = sum(Y * dY) has dL/dY = dY exactly
    X_probe = X.copy()

    def loss(*_: Any) -> float:
        # numerical_gradient perturbs the array in place; the layer reads params and X afresh
        return float(np.sum(layer.forward(X_probe) * dY))

    numeric = {
        "grads['W']": numerical_gradient(loss, layer.params["W"]),
        "grads['b']": numerical_gradient(loss, layer.params["b"]),
        "backward(dY)": numerical_gradient(loss, X_probe),
    }
    analytic = {"grads['W']": dW, "grads['b']": db, "backward(dY)": dX}
    for key, num in numeric.items():
        err = relative_error(analytic[key], num)
        if not err < 1e-7:
            fail(f"{name}.{key} disagrees with finite differences (relative error {err:.1e} >= 1e-7). "
                 f"Does forward read self.params['W'] and self.params['b'] each time it is called?")

    # 5. a second backward pass overwrites the gradients
    layer.forward(X.copy())
    layer.backward(dY.copy())
    dW2 = np.asarray(layer.grads["W"], dtype=np.float64)
    if np.allclose(dW2, 2 * dW):
        fail(f"{name}.grads['W'] doubled on a second backward pass: assign the gradients "
             f"(self.grads['W'] = ...) instead of adding to them (+=); each backward overwrites.")
    diagnose_values(dW2, dW, f"{name}.grads['W'] after a second forward/backward on the same batch")

    passed(f"{name}: forward gives X @ W + b; backward gives dW = X.T @ dY {W.shape}, db = dY.sum(axis=0) "
           f"{b.shape} and dX = dY @ W.T {X.shape}, all matching finite differences.")
