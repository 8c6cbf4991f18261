"""Activations, losses and their derivatives, as pure functions on NumPy arrays.

Conventions used throughout the course:

* Batches are rows: a batch of ``N`` examples with ``D`` features is an array of shape ``(N, D)``;
  logits for ``C`` classes have shape ``(N, C)``.
* Every function keeps the input's float dtype: float32 in, float32 out (float64 in, float64 out).
  Integer inputs are converted to float64. For losses, the target is cast to the dtype of the
  prediction, and the loss is a NumPy scalar of that dtype. The result is cast to that dtype
  explicitly (``.astype(z.dtype)``), because NumPy 1.x turns a float32 *scalar* combined with a
  Python number into float64 (NumPy 2 keeps float32).
* Every function is numerically stable for inputs up to ``|z| = 1e4`` in float32 and float64: no
  overflow warning, no NaN, no infinity. The tricks used are explained where they appear
  (``sigmoid`` through ``exp(-|z|)``, ``softmax`` with a max shift, the log-sum-exp trick).

The derivative of an elementwise activation ``f`` is returned elementwise (``f'(z)``, same shape as
``z``): backpropagation multiplies it with the upstream gradient, ``dL/dz = dL/da * f'(z)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from bplib.validate import as_float, one_hot_target, pred_and_target

__all__ = [
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad",
    "softmax", "log_softmax", "softmax_jacobian",
    "mse", "mse_grad", "binary_cross_entropy", "binary_cross_entropy_grad",
    "cross_entropy", "cross_entropy_grad",
]


# ---------------------------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------------------------

def sigmoid(z: ArrayLike) -> np.ndarray:
    """Logistic sigmoid, elementwise: ``s(z) = 1 / (1 + exp(-z))``.

    Parameters
    ----------
    z : array of any shape

    Returns
    -------
    array of the same shape and float dtype as ``z``, values in ``[0, 1]``.

    Notes
    -----
    ``exp(-z)`` overflows for large negative ``z`` (float32 already at ``z < -89``). We only ever
    compute ``e = exp(-|z|)``, which lies in ``(0, 1]``, and use the two equal forms
    ``s(z) = 1 / (1 + e)`` for ``z >= 0`` and ``s(z) = e / (1 + e)`` for ``z < 0``.
    """
    z = as_float(z)
    e = np.exp(-np.abs(z))          # in (0, 1]: cannot overflow
    r = 1 / (1 + e)
    return np.where(z >= 0, r, e * r).astype(z.dtype, copy=False)


def sigmoid_grad(z: ArrayLike) -> np.ndarray:
    """Derivative of the sigmoid, elementwise: ``s'(z) = s(z) * (1 - s(z))``.

    ``z``: array of any shape; returns the same shape and float dtype. Values lie in ``[0, 0.25]``.
    """
    s = sigmoid(z)
    return (s * (1 - s)).astype(s.dtype, copy=False)


def tanh(z: ArrayLike) -> np.ndarray:
    """Hyperbolic tangent, elementwise: ``tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z))``.

    ``z``: array of any shape; returns the same shape and float dtype, values in ``[-1, 1]``.
    (``np.tanh`` is already stable for large ``|z|``.)
    """
    return np.tanh(as_float(z))


def tanh_grad(z: ArrayLike) -> np.ndarray:
    """Derivative of tanh, elementwise: ``tanh'(z) = 1 - tanh(z)**2``.

    ``z``: array of any shape; returns the same shape and float dtype, values in ``[0, 1]``.
    """
    t = tanh(z)
    return (1 - t**2).astype(t.dtype, copy=False)


def relu(z: ArrayLike) -> np.ndarray:
    """Rectified linear unit, elementwise: ``relu(z) = max(z, 0)``.

    ``z``: array of any shape; returns the same shape and float dtype.
    """
    z = as_float(z)
    return np.maximum(z, 0).astype(z.dtype, copy=False)


def relu_grad(z: ArrayLike) -> np.ndarray:
    """Derivative of ReLU, elementwise: ``1`` where ``z > 0``, ``0`` where ``z <= 0``.

    At ``z = 0`` the derivative does not exist; we use 0 (as PyTorch and Keras do).
    ``z``: array of any shape; returns the same shape and float dtype.
    """
    z = as_float(z)
    return (z > 0).astype(z.dtype)


def softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``: ``softmax(z)_i = exp(z_i) / sum_j exp(z_j)``.

    Parameters
    ----------
    z : array, e.g. logits of shape ``(N, C)``
    axis : the axis that holds the classes (default: the last one)

    Returns
    -------
    array of the same shape and float dtype as ``z``; the values along ``axis`` are in ``[0, 1]``
    and sum to 1.

    Notes
    -----
    Softmax does not change when the same number is subtracted from every ``z_i``. Subtracting the
    maximum makes every exponent ``<= 0``, so ``exp`` cannot overflow and the largest term is 1
    (the sum is ``>= 1``, so the division is safe).
    """
    z = as_float(z)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(z: ArrayLike, axis: int = -1) -> np.ndarray:
    """Logarithm of the softmax along ``axis``: ``log_softmax(z)_i = z_i - log(sum_j exp(z_j))``.

    Parameters
    ----------
    z : array, e.g. logits of shape ``(N, C)``
    axis : the axis that holds the classes (default: the last one)

    Returns
    -------
    array of the same shape and float dtype as ``z``, values ``<= 0``.

    Notes
    -----
    ``log(softmax(z))`` would give ``log(0) = -inf`` when a probability underflows. The log-sum-exp
    trick computes ``log(sum_j exp(z_j)) = m + log(sum_j exp(z_j - m))`` with ``m = max_j z_j``,
    so ``log_softmax(z) = (z - m) - log(sum_j exp(z_j - m))``: every exponent is ``<= 0`` and the
    sum is ``>= 1``, so nothing overflows and the logarithm is finite.
    """
    z = as_float(z)
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax_jacobian(z: ArrayLike) -> np.ndarray:
    """Jacobian of the softmax over the last axis: ``J[..., i, j] = d s_i / d z_j = s_i * (delta_ij - s_j)``.

    In matrix form, for one example: ``J = diag(s) - s s^T`` with ``s = softmax(z)``.

    Parameters
    ----------
    z : array of shape ``(C,)`` or ``(..., C)`` (e.g. ``(N, C)`` logits)

    Returns
    -------
    array of shape ``(..., C, C)``, same float dtype as ``z`` (one ``C x C`` matrix per example).
    """
    s = softmax(z, axis=-1)
    diag_s = s[..., :, None] * np.eye(s.shape[-1], dtype=s.dtype)       # diag(s), one per example
    return diag_s - s[..., :, None] * s[..., None, :]                   # diag(s) - s s^T


# ---------------------------------------------------------------------------------------------
# Losses (each a mean, so the value does not grow with the batch size)
# ---------------------------------------------------------------------------------------------

def mse(pred: ArrayLike, target: ArrayLike) -> np.floating:
    """Mean squared error over **all** elements (as Keras): ``L = mean((pred - target)**2)``.

    Parameters
    ----------
    pred, target : arrays of the same shape, e.g. ``(N, K)``

    Returns
    -------
    NumPy scalar of the dtype of ``pred``.
    """
    pred, target = pred_and_target(pred, target, "mse")
    return pred.dtype.type(np.mean((pred - target) ** 2))


def mse_grad(pred: ArrayLike, target: ArrayLike) -> np.ndarray:
    """Gradient of :func:`mse` with respect to ``pred``: ``dL/dpred = 2 * (pred - target) / n``.

    ``n = pred.size`` is the number of elements (the mean is over all of them).
    ``pred``, ``target``: same shape; returns that shape in the dtype of ``pred``.
    """
    pred, target = pred_and_target(pred, target, "mse_grad")
    return (2 / pred.size * (pred - target)).astype(pred.dtype, copy=False)


def _bce_eps(dtype: np.dtype) -> float:
    """Clipping margin for probabilities: 1e-7 in float32 (its spacing near 1 is 6e-8), 1e-12 in float64."""
    return 1e-12 if np.finfo(dtype).eps < 1e-10 else 1e-7


def binary_cross_entropy(p: ArrayLike, y: ArrayLike) -> np.floating:
    """Binary cross-entropy on probabilities, mean over all elements:

    ``L = -mean(y * log(p) + (1 - y) * log(1 - p))``

    Parameters
    ----------
    p : predicted probabilities (e.g. a sigmoid output), shape ``(N, K)`` (often ``(N, 1)``)
    y : targets in ``[0, 1]`` (usually 0 or 1), same shape as ``p``

    Returns
    -------
    NumPy scalar of the dtype of ``p``.

    Notes
    -----
    ``p`` is clipped to ``[eps, 1 - eps]`` (``eps = 1e-7`` in float32, ``1e-12`` in float64) so that
    ``p = 0`` or ``p = 1`` gives a large but finite loss instead of ``log(0) = -inf``.
    """
    p, y = pred_and_target(p, y, "binary_cross_entropy")
    eps = _bce_eps(p.dtype)
    p = np.clip(p, eps, 1 - eps)
    return p.dtype.type(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def binary_cross_entropy_grad(p: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy` with respect to ``p``:

    ``dL/dp = (p - y) / (p * (1 - p)) / n``   (``n = p.size``; the same as ``-(y/p - (1-y)/(1-p)) / n``)

    ``p`` is clipped to ``[eps, 1 - eps]`` as in the loss, so the result is finite everywhere.
    Where ``p`` is clipped, this is the formula at the clipped value (as PyTorch does), not the zero
    slope of the flat clipped loss: a confidently wrong prediction still gets pushed back, but a
    finite-difference check disagrees there. ``p``, ``y``: same shape; returns that shape in the
    dtype of ``p``.
    """
    p, y = pred_and_target(p, y, "binary_cross_entropy_grad")
    eps = _bce_eps(p.dtype)
    p = np.clip(p, eps, 1 - eps)
    return ((p - y) / (p * (1 - p)) / p.size).astype(p.dtype, copy=False)


def cross_entropy(logits: ArrayLike, target: ArrayLike) -> np.floating:
    """Softmax cross-entropy on logits, mean over the batch:

    ``L = -(1/N) * sum_n log softmax(z_n)[y_n]``            (integer labels ``y_n``)
    ``L = -(1/N) * sum_n sum_c Y_nc * log softmax(z_n)_c``  (one-hot targets ``Y``)

    Parameters
    ----------
    logits : array of shape ``(N, C)`` (raw scores, *not* probabilities)
    target : integer labels of shape ``(N,)`` with values in ``[0, C)``, or one-hot targets of
        shape ``(N, C)`` (rows that are probability distributions also work).

    Returns
    -------
    NumPy scalar of the dtype of ``logits``.

    Raises
    ------
    ValueError
        if a label lies outside ``[0, C)`` (the message names it) or the shapes do not match.

    Notes
    -----
    Computed with :func:`log_softmax` (log-sum-exp), so it stays finite for any finite logits.
    Integer labels are turned into one-hot rows ``Y`` first, so both forms use the second formula.
    """
    logits = as_float(logits)
    Y = one_hot_target(target, logits, "cross_entropy")          # (N, C)
    log_P = log_softmax(logits, axis=1)                           # (N, C), log of the probabilities P
    return logits.dtype.type(-np.mean(np.sum(Y * log_P, axis=1)))


def cross_entropy_grad(logits: ArrayLike, target: ArrayLike) -> np.ndarray:
    """Gradient of :func:`cross_entropy` with respect to the logits:

    ``dL/dz = (softmax(z) - Y) / N``   with ``Y`` the one-hot targets.

    Parameters
    ----------
    logits : array of shape ``(N, C)``
    target : integer labels ``(N,)`` or one-hot ``(N, C)``, as in :func:`cross_entropy`

    Returns
    -------
    array of shape ``(N, C)`` in the dtype of ``logits``.

    Notes
    -----
    ``P = exp(log_softmax(z))``: the probabilities from the same log-sum-exp as the loss.
    """
    logits = as_float(logits)
    Y = one_hot_target(target, logits, "cross_entropy_grad")     # (N, C)
    P = np.exp(log_softmax(logits, axis=1))                      # softmax(z), (N, C)
    return ((P - Y) / len(logits)).astype(logits.dtype, copy=False)
