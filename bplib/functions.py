"""Activations, losses and their derivatives, as pure functions on NumPy arrays.

Conventions used throughout the course:

* Batches are rows: a batch of ``N`` examples with ``D`` features is an array of shape ``(N, D)``;
  logits for ``C`` classes have shape ``(N, C)``.
* Every function keeps the input's float dtype: float32 in, float32 out (float64 in, float64 out).
  Integer inputs are converted to float64. For losses, the target is cast to the dtype of the
  prediction, and the loss is a NumPy scalar of that dtype.
* Every function is numerically stable for inputs up to ``|z| = 1e4`` in float32 and float64: no
  overflow warning, no NaN, no infinity. The tricks used are explained where they appear
  (``sigmoid`` through ``exp(-|z|)``, ``softmax`` with a max shift, the log-sum-exp trick).

The derivative of an elementwise activation ``f`` is returned elementwise (``f'(z)``, same shape as
``z``): backpropagation multiplies it with the upstream gradient, ``dL/dz = dL/da * f'(z)``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad",
    "softmax", "log_softmax", "softmax_jacobian",
    "mse", "mse_grad", "binary_cross_entropy", "binary_cross_entropy_grad",
    "cross_entropy", "cross_entropy_grad",
]


def _as_float(x: ArrayLike) -> np.ndarray:
    """``x`` as a float array: float arrays are returned as they are (no copy), anything else becomes float64."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


def _pred_and_target(pred: ArrayLike, target: ArrayLike, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Float ``pred`` and ``target`` cast to the dtype of ``pred``; their shapes must be equal.

    Equal shapes are required on purpose: ``pred`` of shape ``(N, 1)`` minus ``target`` of shape
    ``(N,)`` would silently broadcast to ``(N, N)`` and give a wrong loss.
    """
    pred = _as_float(pred)
    target = np.asarray(target, dtype=pred.dtype)
    if pred.shape != target.shape:
        raise ValueError(f"{name}: pred has shape {pred.shape} but target has shape {target.shape}; "
                         f"they must be equal (e.g. use y.reshape(-1, 1) for a column of targets)")
    return pred, target


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
    z = _as_float(z)
    e = np.exp(-np.abs(z))          # in (0, 1]: cannot overflow
    r = 1.0 / (1.0 + e)
    return np.where(z >= 0, r, e * r)


def sigmoid_grad(z: ArrayLike) -> np.ndarray:
    """Derivative of the sigmoid, elementwise: ``s'(z) = s(z) * (1 - s(z))``.

    ``z``: array of any shape; returns the same shape and float dtype. Values lie in ``[0, 0.25]``.
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: ArrayLike) -> np.ndarray:
    """Hyperbolic tangent, elementwise: ``tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z))``.

    ``z``: array of any shape; returns the same shape and float dtype, values in ``[-1, 1]``.
    (``np.tanh`` is already stable for large ``|z|``.)
    """
    return np.tanh(_as_float(z))


def tanh_grad(z: ArrayLike) -> np.ndarray:
    """Derivative of tanh, elementwise: ``tanh'(z) = 1 - tanh(z)**2``.

    ``z``: array of any shape; returns the same shape and float dtype, values in ``[0, 1]``.
    """
    t = np.tanh(_as_float(z))
    return 1.0 - t * t


def relu(z: ArrayLike) -> np.ndarray:
    """Rectified linear unit, elementwise: ``relu(z) = max(z, 0)``.

    ``z``: array of any shape; returns the same shape and float dtype.
    """
    z = _as_float(z)
    return np.maximum(z, 0)


def relu_grad(z: ArrayLike) -> np.ndarray:
    """Derivative of ReLU, elementwise: ``1`` where ``z > 0``, ``0`` where ``z <= 0``.

    At ``z = 0`` the derivative does not exist; we use 0 (as PyTorch and Keras do).
    ``z``: array of any shape; returns the same shape and float dtype.
    """
    z = _as_float(z)
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
    z = _as_float(z)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


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
    z = _as_float(z)
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
    jac = -s[..., :, None] * s[..., None, :]                 # -s_i s_j
    diagonal = np.einsum("...ii->...i", jac)                  # a writable view of the diagonals
    diagonal += s                                             # + s_i on the diagonal
    return jac


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
    pred, target = _pred_and_target(pred, target, "mse")
    diff = pred - target
    return np.mean(diff * diff)


def mse_grad(pred: ArrayLike, target: ArrayLike) -> np.ndarray:
    """Gradient of :func:`mse` with respect to ``pred``: ``dL/dpred = 2 * (pred - target) / n``.

    ``n = pred.size`` is the number of elements (the mean is over all of them).
    ``pred``, ``target``: same shape; returns that shape in the dtype of ``pred``.
    """
    pred, target = _pred_and_target(pred, target, "mse_grad")
    return (pred - target) * (2.0 / pred.size)


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
    p, y = _pred_and_target(p, y, "binary_cross_entropy")
    eps = _bce_eps(p.dtype)
    p = np.clip(p, eps, 1.0 - eps)
    return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))


def binary_cross_entropy_grad(p: ArrayLike, y: ArrayLike) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy` with respect to ``p``:

    ``dL/dp = (p - y) / (p * (1 - p)) / n``   (``n = p.size``; the same as ``-(y/p - (1-y)/(1-p)) / n``)

    ``p`` is clipped to ``[eps, 1 - eps]`` as in the loss, so the result is finite everywhere.
    Where ``p`` is clipped, this is the formula at the clipped value (as PyTorch does), not the zero
    slope of the flat clipped loss: a confidently wrong prediction still gets pushed back, but a
    finite-difference check disagrees there. ``p``, ``y``: same shape; returns that shape in the
    dtype of ``p``.
    """
    p, y = _pred_and_target(p, y, "binary_cross_entropy_grad")
    eps = _bce_eps(p.dtype)
    p = np.clip(p, eps, 1.0 - eps)
    return (p - y) / (p * (1.0 - p)) / p.size


def _labels_or_onehot(target: ArrayLike, logits: np.ndarray, name: str) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Check a classification target against logits of shape ``(N, C)``.

    Returns ``(labels, None)`` for integer labels of shape ``(N,)`` (values checked to lie in
    ``[0, C)``), or ``(None, onehot)`` for a one-hot (or probability) matrix of shape ``(N, C)``
    cast to the dtype of the logits (each row checked to sum to 1).
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
        return target, None
    if target.shape != logits.shape:
        raise ValueError(f"{name}: target of shape {target.shape} does not match logits of shape "
                         f"{logits.shape}; pass integer labels of shape ({n},) or one-hot targets of "
                         f"shape ({n}, {c})")
    onehot = np.asarray(target, dtype=logits.dtype)
    row_sums = onehot.sum(axis=1)
    wrong = np.abs(row_sums - 1.0) > 1e-3
    if wrong.any():
        row = int(np.argmax(wrong))
        raise ValueError(f"{name}: each row of a one-hot target must sum to 1, but row {row} sums "
                         f"to {row_sums[row]:g}")
    return None, onehot


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
    """
    logits = _as_float(logits)
    labels, onehot = _labels_or_onehot(target, logits, "cross_entropy")
    log_probs = log_softmax(logits, axis=1)
    n = logits.shape[0]
    if labels is not None:
        return -np.mean(log_probs[np.arange(n), labels])   # pick log p of the true class in each row
    return -np.sum(onehot * log_probs) / n


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
    With integer labels no one-hot matrix is built: subtracting 1 at ``[n, y_n]`` in each row of the
    probabilities is the same as subtracting ``Y``.
    """
    logits = _as_float(logits)
    labels, onehot = _labels_or_onehot(target, logits, "cross_entropy_grad")
    n = logits.shape[0]
    grad = softmax(logits, axis=1)
    if labels is not None:
        grad[np.arange(n), labels] -= 1
    else:
        grad -= onehot
    grad /= n
    return grad
