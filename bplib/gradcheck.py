"""Gradient checking: compare the gradients of backpropagation with finite differences.

Backpropagation is easy to get subtly wrong (a missing transpose, a forgotten ``1/N``, a sign).
The cure is to compare the *analytic* gradient it computes with a *numerical* one:

    dL/dx_i  ~  (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)        (central differences)

and to measure their agreement with a relative error. In float64 with ``eps = 1e-6`` a correct
gradient typically gives a relative error around ``1e-9``–``1e-11``; a bug gives ``1e-2`` or more.

One-line checks:

* :func:`check_layer` ``(layer, x)``: one layer, ``dL/dx`` and each parameter, with ``L = sum(layer(x) * R)``.
* :func:`check_model` ``(model, loss, X, y)``: every parameter of a model under a loss.

Both return a :class:`GradCheckReport`, which prints as a small table. Use small sizes: every
element costs two forward passes.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["numerical_gradient", "relative_error", "check_model", "check_layer",
           "GradCheckReport", "GradCheckRow"]


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Gradient of the scalar function ``f`` at ``x`` by central differences.

    For each element ``x_i``:  ``df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)``.

    Parameters
    ----------
    f : called as ``f(x)``; returns a number (a float or an array with one element). It may also
        ignore its argument and read ``x`` through a model that holds it (e.g. a weight matrix):
        ``x`` is perturbed **in place**, one element at a time, and restored afterwards.
    x : float array of any shape (float64 recommended: in float32, ``eps = 1e-6`` is below the
        precision and the result is mostly rounding noise)
    eps : the step

    Returns
    -------
    float64 array of the shape of ``x``.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError("numerical_gradient: x must be a float NumPy array (it is perturbed in place), "
                        f"got {type(x).__name__}" + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""))
    if x.dtype != np.float64:
        warnings.warn(f"numerical_gradient: x has dtype {x.dtype}; finite differences need float64 "
                      f"to be accurate", UserWarning, stacklevel=2)
    grad = np.zeros(x.shape, dtype=np.float64)
    for index in np.ndindex(x.shape):
        old = x[index]
        try:
            x[index] = old + eps
            f_plus = float(np.asarray(f(x)).item())
            x[index] = old - eps
            f_minus = float(np.asarray(f(x)).item())
        finally:
            x[index] = old          # restore exactly, even if f raised
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a: ArrayLike, b: ArrayLike) -> float:
    """Norm-based relative error ``||a - b|| / (||a|| + ||b||)`` (Euclidean norms over all elements).

    0 when ``a == b`` (also when both are zero), at most 1, symmetric in ``a`` and ``b``, and
    unchanged when both are multiplied by the same non-zero number. ``a`` and ``b`` must have the
    same shape.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} and {b.shape}")
    denominator = max(float(np.linalg.norm(a) + np.linalg.norm(b)), 1e-300)   # avoid 0/0
    return float(np.linalg.norm(a - b)) / denominator


@dataclass
class GradCheckRow:
    """One checked array: its name (``"input"``, ``"W"``, ``"0.W"``...), shape, relative error
    between the analytic and numerical gradients, and whether that error is below the threshold."""

    name: str
    shape: tuple[int, ...]
    error: float
    passed: bool


@dataclass
class GradCheckReport:
    """The result of :func:`check_model` or :func:`check_layer`: one row per checked array.

    ``report.passed`` is True when every row passed (``bool(report)`` is the same);
    ``report.max_error`` is the largest relative error; ``print(report)`` shows a table.
    """

    rows: list[GradCheckRow]
    threshold: float
    eps: float = 1e-6
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every row's relative error is below the threshold."""
        return all(row.passed for row in self.rows)

    @property
    def max_error(self) -> float:
        """The largest relative error over the rows (0.0 when there are none)."""
        return max((row.error for row in self.rows), default=0.0)

    def __bool__(self) -> bool:
        return self.passed

    def verdicts(self) -> str:
        """One line per checked array: pass, or FAIL with its error rounded to one digit.

        The relative errors of *passing* rows (around 1e-10) are rounding noise: their digits differ
        between machines and BLAS libraries, so this summary shows them only as ``< threshold``.
        A failing error (a bug: 1e-3 and up) is stable to the digit shown. Notebooks print this,
        not the full table, where the output is compared.
        """
        lines = []
        for row in self.rows:
            verdict = f"pass  (error < {self.threshold:.0e})" if row.passed else f"FAIL  (error {row.error:.0e})"
            lines.append(f"{row.name:<6} {str(row.shape):<7} {verdict}")
        return "\n".join(lines)

    def __iter__(self) -> Iterator[GradCheckRow]:
        return iter(self.rows)

    def __str__(self) -> str:
        header = ("name", "shape", "relative error", "passed")
        body = [(row.name, str(row.shape), f"{row.error:.2e}", "yes" if row.passed else "NO")
                for row in self.rows]
        widths = [max(len(line[i]) for line in [header, *body]) for i in range(4)]

        def format_line(cells: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

        lines = [f"Gradient check (central differences, eps={self.eps:g}): "
                 f"passes when relative error < {self.threshold:g}",
                 format_line(header),
                 format_line(tuple("-" * width for width in widths))]
        lines += [format_line(cells) for cells in body]
        verdict = "PASSED" if self.passed else "FAILED"
        lines.append(f"{verdict}: max relative error {self.max_error:.2e} over {len(self.rows)} "
                     f"array{'' if len(self.rows) == 1 else 's'}")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


def _walk_layers(model: object) -> Iterator[object]:
    """The model itself, or the leaves of nested containers (anything with a ``layers`` list)."""
    if hasattr(model, "layers"):
        for layer in model.layers:
            yield from _walk_layers(layer)
    else:
        yield model


def _float64_copy(model: object) -> tuple[object, bool]:
    """A deep copy of ``model`` with every parameter in float64 (gradients reset to None).

    Returns the copy and whether any parameter had to be cast.
    """
    model = copy.deepcopy(model)
    cast = False
    for layer in _walk_layers(model):
        params = getattr(layer, "params", None)
        grads = getattr(layer, "grads", None)
        if not isinstance(params, dict):
            continue
        for key, value in list(params.items()):
            if isinstance(value, np.ndarray) and value.dtype != np.float64:
                params[key] = value.astype(np.float64)
                if isinstance(grads, dict):
                    grads[key] = None
                cast = True
    return model, cast


def _target_as_float64(y: ArrayLike) -> np.ndarray:
    """Float targets become float64; integer labels stay integers."""
    y = np.asarray(y)
    return y.astype(np.float64) if np.issubdtype(y.dtype, np.floating) else y


def _compare(name: str, analytic: object, numeric: np.ndarray, threshold: float,
             notes: list[str]) -> GradCheckRow:
    """One report row; a missing gradient or one of the wrong shape fails with error ``inf`` and a note."""
    if analytic is None:
        notes.append(f"{name}: backward gave no gradient (None)")
        return GradCheckRow(name, numeric.shape, float("inf"), False)
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != numeric.shape:
        notes.append(f"{name}: the gradient has shape {analytic.shape}, expected {numeric.shape}")
        return GradCheckRow(name, numeric.shape, float("inf"), False)
    error = relative_error(analytic, numeric)
    return GradCheckRow(name, numeric.shape, error, bool(error < threshold))


def check_model(model: object, loss: object, X: ArrayLike, y: ArrayLike, eps: float = 1e-5,
                threshold: float = 1e-7) -> GradCheckReport:
    """Check every parameter gradient of ``model`` under ``loss`` against central differences.

    Runs ``loss.forward(model.forward(X), y)``, then ``model.backward(loss.backward())`` for the
    analytic gradients, and compares each parameter's gradient with :func:`numerical_gradient`
    of the loss with respect to that parameter.

    The check always runs in float64 on a **deep copy** of the model and the loss: the model you
    pass is left untouched (its parameters, gradients and caches). If its parameters are float32
    (e.g. after training on float32 data), the copy's parameters are cast to float64 (float32 is far
    too imprecise for finite differences); the report notes it. ``X`` is cast to float64, a float
    ``y`` too (integer labels stay integers).

    Parameters
    ----------
    model : a layer or a :class:`~bplib.nn.Sequential` (anything with forward, backward, parameters)
    loss : a loss object (``forward(pred, target)``, ``backward()``)
    X : inputs of shape ``(N, D)``; y : targets as the loss expects them
    eps : finite-difference step. The default 1e-5 (not the 1e-6 of :func:`numerical_gradient`): the
        loss of a whole network carries rounding noise of about 1e-16 times its size, which a step of
        1e-6 turns into relative errors of up to a few 1e-7 on correct networks now and then; at
        1e-5 that noise is ten times smaller and the truncation error (about eps**2) still negligible.
    threshold : a row passes when its relative error is below it

    Returns
    -------
    :class:`GradCheckReport` with one row per parameter (name as in ``model.parameters()``, e.g.
    ``"0.W"``), its shape, the norm-based relative error (:func:`relative_error`) and pass/fail.
    Keep the model and batch small: each parameter element costs two forward passes.
    """
    model64, cast = _float64_copy(model)
    loss64 = copy.deepcopy(loss)
    X64 = np.array(X, dtype=np.float64)
    y64 = _target_as_float64(y)

    loss64.forward(model64.forward(X64), y64)
    model64.backward(loss64.backward())
    analytic = {name: grad for name, _, grad in model64.parameters()}

    def loss_value(_: np.ndarray) -> float:   # reads the (perturbed) parameter through the model
        return loss64.forward(model64.forward(X64), y64)

    notes = ["the model's parameters are not float64: a float64 copy was checked"] if cast else []
    rows = [_compare(name, analytic[name], numerical_gradient(loss_value, param, eps), threshold, notes)
            for name, param, _ in model64.parameters()]
    return GradCheckReport(rows, threshold, eps, notes)


def check_layer(layer: object, x: ArrayLike, threshold: float = 1e-7, rng: np.random.Generator | None = None,
                eps: float = 1e-5) -> GradCheckReport:
    """Check one layer's ``backward``: ``dL/dx`` and each parameter gradient, against central differences.

    Uses the scalar ``L = sum(layer.forward(x) * R)`` with a fixed random ``R`` of the output's
    shape, so ``dL/d(out) = R`` is what ``backward`` receives: every output element gets a
    different weight, so a gradient that is wrong for some elements cannot cancel out.

    Runs in float64 on a **deep copy** of the layer (the layer you pass is untouched; float32
    parameters are cast to float64 in the copy, and the report notes it).

    Parameters
    ----------
    layer : anything with ``forward(x)``, ``backward(grad_out)`` and optionally ``params``/``grads``
    x : an input batch for the layer (cast to a float64 copy)
    threshold : a row passes when its relative error is below it
    rng : generator for ``R`` (default: ``np.random.default_rng(0)``, so the check is reproducible)
    eps : finite-difference step

    Returns
    -------
    :class:`GradCheckReport` with a row ``"input"`` for ``dL/dx`` and one row per parameter.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    layer64, cast = _float64_copy(layer)
    x64 = np.array(x, dtype=np.float64)       # a copy: numerical_gradient perturbs it in place

    out = np.asarray(layer64.forward(x64))
    R = rng.standard_normal(out.shape)
    dx = layer64.backward(R)
    params = getattr(layer64, "params", {}) or {}
    grads = getattr(layer64, "grads", {}) or {}
    analytic = {"input": dx, **{key: grads.get(key) for key in params}}

    def loss_value(_: np.ndarray) -> float:
        return float(np.sum(np.asarray(layer64.forward(x64)) * R))

    notes = ["the layer's parameters are not float64: a float64 copy was checked"] if cast else []
    rows = [_compare(name, analytic[name], numerical_gradient(loss_value, array, eps), threshold, notes)
            for name, array in [("input", x64), *params.items()]]
    return GradCheckReport(rows, threshold, eps, notes)
