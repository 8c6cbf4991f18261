"""Layers with ``forward``/``backward``, a ``Sequential`` container and loss objects.

The layer protocol (the same for every layer, including the ones you write yourself):

* ``forward(x)`` computes the output and **caches** what ``backward`` will need (the input, a mask,
  the output...).
* ``backward(grad_out)`` receives ``dL/d(output)`` (same shape as the output), stores the gradients
  of the parameters in ``self.grads`` and returns ``dL/d(input)`` (same shape as the input).
* ``params`` and ``grads`` are dicts with the same keys (``"W"`` and ``"b"`` for :class:`Linear`,
  empty for activations). Gradients are **overwritten** by each ``backward``, never accumulated
  (unlike PyTorch's ``.grad``): there is nothing to zero between steps. A gradient is ``None``
  until the first ``backward``.
* ``parameters()`` yields ``(name, param, grad)`` triples; that is what the optimisers use.

A loss has ``forward(pred, target) -> float`` (the mean over the batch) and ``backward()`` which
returns ``dL/d(pred)``, the gradient that starts backpropagation through the model::

    out = model.forward(X)
    value = loss.forward(out, y)
    model.backward(loss.backward())
    optimizer.step(model)

Batches are rows: ``X`` has shape ``(N, D)``. Parameters are created in float64 and follow the
data: the first ``forward`` with float32 input casts them (and their gradients) to float32, so a
model trains in float32 on float32 data and gradient checks run in float64.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from bplib import functions as F
from bplib.functions import _as_float, _labels_or_onehot, _pred_and_target

__all__ = ["Layer", "Linear", "Sigmoid", "Tanh", "ReLU", "Sequential",
           "Loss", "MSELoss", "BCELoss", "SoftmaxCrossEntropy"]


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------

class Layer:
    """Base class of all layers.

    Subclasses implement ``forward(x)`` and ``backward(grad_out, need_input_grad=True)`` and put
    their parameters in ``self.params`` (gradients in ``self.grads``, same keys).

    Attributes
    ----------
    params : dict[str, np.ndarray]
        The learnable arrays, e.g. ``{"W": W, "b": b}``; ``{}`` for a layer without parameters.
    grads : dict[str, np.ndarray | None]
        ``dL/d(param)`` for each key of ``params``, **overwritten** by each ``backward``
        (``None`` before the first one).
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray | None] = {}

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Compute the output for the batch ``x`` and cache what ``backward`` needs."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward(x)")

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """Store ``dL/d(param)`` in ``self.grads`` and return ``dL/d(input)`` (``None`` if not needed)."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward(grad_out)")

    def __call__(self, x: ArrayLike) -> np.ndarray:
        """``layer(x)`` is ``layer.forward(x)``."""
        return self.forward(x)

    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray | None]]:
        """Yield ``(name, param, grad)`` for each parameter, e.g. ``("W", W, dW)``."""
        for name, param in self.params.items():
            yield name, param, self.grads.get(name)

    def _cached(self, value: object) -> None:
        """Raise a clear error when ``backward`` is called before ``forward`` (the cache is empty)."""
        if value is None:
            raise RuntimeError(f"{self!r}: backward() was called before forward(); "
                               f"run a forward pass first (it caches what backward needs)")

    def _check_grad_out(self, grad_out: ArrayLike, expected_shape: tuple[int, ...]) -> np.ndarray:
        """``grad_out`` as an array; its shape must be the shape of the last output."""
        grad_out = np.asarray(grad_out)
        if grad_out.shape != expected_shape:
            raise ValueError(f"{self!r}: expected grad_out of shape {expected_shape} (the shape of the "
                             f"output), got {grad_out.shape}")
        return grad_out

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Layer):
    """Fully connected (affine) layer: ``out = x @ W + b``.

    Shapes: ``x`` is ``(N, in_features)``, ``W`` is ``(in_features, out_features)``, ``b`` is
    ``(out_features,)`` (added to every row), ``out`` is ``(N, out_features)``.

    Backward, with ``g = dL/d(out)`` of shape ``(N, out_features)``::

        dL/dW = x.T @ g          (in_features, out_features)
        dL/db = g.sum(axis=0)    (out_features,)
        dL/dx = g @ W.T          (N, in_features)

    Parameters
    ----------
    in_features, out_features : sizes of the input and output
    init : how ``W`` is drawn (``b`` always starts at zero)
        ``"he"`` (default): ``N(0, 2 / in_features)``, suited to ReLU;
        ``"xavier"``: ``N(0, 2 / (in_features + out_features))`` (Glorot normal), suited to tanh/sigmoid;
        ``"normal"``: ``N(0, 1)``, like ``np.random.randn`` in the classic reference programs.
    rng : ``np.random.Generator`` used to draw ``W`` (default: a fresh ``np.random.default_rng()``)

    Notes
    -----
    ``W`` and ``b`` are created in float64. They follow the data: when ``forward`` gets input of
    another float dtype (e.g. float32), ``W``, ``b`` and their gradients are cast to that dtype
    (new arrays replace the old ones in ``params``), so the whole layer then runs in float32.
    Gradients in ``grads`` are overwritten by each ``backward`` (and reused as buffers when the
    shape and dtype allow), never accumulated.
    """

    _STDS = {
        "he": lambda fan_in, fan_out: np.sqrt(2.0 / fan_in),
        "xavier": lambda fan_in, fan_out: np.sqrt(2.0 / (fan_in + fan_out)),
        "normal": lambda fan_in, fan_out: 1.0,
    }

    def __init__(self, in_features: int, out_features: int, *, init: str = "he",
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        if int(in_features) != in_features or in_features < 1 or int(out_features) != out_features or out_features < 1:
            raise ValueError(f"Linear: in_features and out_features must be positive integers, "
                             f"got {in_features} and {out_features}")
        if init not in self._STDS:
            raise ValueError(f"Linear: unknown init {init!r}; choose one of {sorted(self._STDS)}")
        self.in_features, self.out_features, self.init = int(in_features), int(out_features), init
        rng = np.random.default_rng() if rng is None else rng
        std = self._STDS[init](self.in_features, self.out_features)
        self.params = {"W": rng.standard_normal((self.in_features, self.out_features)) * std,
                       "b": np.zeros(self.out_features)}
        self.grads = {"W": None, "b": None}
        self._x: np.ndarray | None = None   # cached input of the last forward

    @property
    def W(self) -> np.ndarray:
        """The weight matrix ``params["W"]``, shape ``(in_features, out_features)``."""
        return self.params["W"]

    @property
    def b(self) -> np.ndarray:
        """The bias ``params["b"]``, shape ``(out_features,)``."""
        return self.params["b"]

    def _cast_params(self, dtype: np.dtype) -> None:
        """Cast the parameters (and any gradients) to ``dtype``: parameters follow the data."""
        for key in self.params:
            self.params[key] = self.params[key].astype(dtype)
            if self.grads.get(key) is not None:
                self.grads[key] = self.grads[key].astype(dtype)

    def forward(self, x: ArrayLike) -> np.ndarray:
        """``out = x @ W + b``: ``x`` is ``(N, in_features)``, ``out`` is ``(N, out_features)``.

        Caches a reference to ``x`` (not a copy) for ``backward``. If ``x`` is float32 and the
        parameters are float64 (or the other way round), the parameters are cast to ``x.dtype`` first.
        """
        x = _as_float(x)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"{self!r}: expected input of shape (N, {self.in_features}), got {x.shape}")
        if x.dtype != self.params["W"].dtype:
            self._cast_params(x.dtype)
        self._x = x
        out = x @ self.params["W"]
        out += self.params["b"]           # in place: broadcasts b over the N rows
        return out

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """Store ``dL/dW = x.T @ g`` and ``dL/db = g.sum(axis=0)``; return ``dL/dx = g @ W.T``.

        Parameters
        ----------
        grad_out : ``g = dL/d(out)``, shape ``(N, out_features)``
        need_input_grad : when False, ``dL/dx`` is not computed and ``None`` is returned (a training
            loop skips it for the first layer: nobody needs the gradient with respect to the data,
            and it is a matrix product as big as the others).

        Returns
        -------
        ``dL/dx`` of shape ``(N, in_features)``, or ``None``.

        The gradients in ``self.grads`` are overwritten, not accumulated.
        """
        x = self._x
        self._cached(x)
        W = self.params["W"]
        g = self._check_grad_out(grad_out, (x.shape[0], self.out_features))
        g = g.astype(W.dtype, copy=False)     # no copy when the dtype already matches

        # Reuse last step's gradient arrays as output buffers when they fit (saves allocations).
        dW, db = self.grads["W"], self.grads["b"]
        if dW is not None and dW.shape == W.shape and dW.dtype == W.dtype:
            np.matmul(x.T, g, out=dW)
        else:
            self.grads["W"] = x.T @ g
        if db is not None and db.shape == self.params["b"].shape and db.dtype == W.dtype:
            np.sum(g, axis=0, out=db)
        else:
            self.grads["b"] = g.sum(axis=0)

        if not need_input_grad:
            return None
        return g @ W.T

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features})"


class Sigmoid(Layer):
    """Sigmoid activation, elementwise: ``out = 1 / (1 + exp(-x))``; any shape.

    Backward uses the cached output: ``dL/dx = g * out * (1 - out)``.
    """

    def __init__(self) -> None:
        super().__init__()
        self._out: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """``out = sigmoid(x)``, same shape and dtype as ``x``; caches ``out``."""
        self._out = F.sigmoid(x)
        return self._out

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """``dL/dx = grad_out * out * (1 - out)`` (same shape as the input)."""
        out = self._out
        self._cached(out)
        g = self._check_grad_out(grad_out, out.shape)
        if not need_input_grad:
            return None
        return g * out * (1.0 - out)


class Tanh(Layer):
    """Tanh activation, elementwise: ``out = tanh(x)``; any shape.

    Backward uses the cached output: ``dL/dx = g * (1 - out**2)``.
    """

    def __init__(self) -> None:
        super().__init__()
        self._out: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """``out = tanh(x)``, same shape and dtype as ``x``; caches ``out``."""
        self._out = F.tanh(x)
        return self._out

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """``dL/dx = grad_out * (1 - out**2)`` (same shape as the input)."""
        out = self._out
        self._cached(out)
        g = self._check_grad_out(grad_out, out.shape)
        if not need_input_grad:
            return None
        return g * (1.0 - out * out)


class ReLU(Layer):
    """ReLU activation, elementwise: ``out = max(x, 0)``; any shape.

    Forward caches the boolean mask ``x > 0``; backward lets the gradient through where the mask is
    True and blocks it elsewhere: ``dL/dx = g * (x > 0)`` (the derivative at 0 is taken as 0).
    """

    def __init__(self) -> None:
        super().__init__()
        self._mask: np.ndarray | None = None

    def forward(self, x: ArrayLike) -> np.ndarray:
        """``out = max(x, 0)``, same shape and dtype as ``x``; caches the mask ``x > 0``."""
        x = _as_float(x)
        self._mask = x > 0
        return np.maximum(x, 0)

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """``dL/dx = grad_out * mask`` (same shape and dtype as ``grad_out``)."""
        mask = self._mask
        self._cached(mask)
        g = self._check_grad_out(grad_out, mask.shape)
        if not need_input_grad:
            return None
        return g * mask      # multiplying by a boolean array keeps g's dtype


def _accepts_need_input_grad(layer: object) -> bool:
    """Whether ``layer.backward`` has a ``need_input_grad`` argument (a learner's layer may not)."""
    backward = getattr(type(layer), "backward", None)
    return backward is not None and _signature_has_need_input_grad(backward)


@functools.lru_cache(maxsize=None)
def _signature_has_need_input_grad(backward: object) -> bool:
    """Looked up once per ``backward`` function (inspecting a signature on every step costs time)."""
    try:
        parameters = inspect.signature(backward).parameters
    except (TypeError, ValueError):
        return False
    return "need_input_grad" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


class Sequential(Layer):
    """A chain of layers: ``forward`` runs them in order, ``backward`` in reverse order.

    ``Sequential(Linear(2, 4), Tanh(), Linear(4, 1), Sigmoid())``

    Parameter names are prefixed with the index of their layer: ``parameters()`` yields
    ``("0.W", W, dW)``, ``("0.b", b, db)``, ``("2.W", ...)``... ``params`` and ``grads`` are
    dicts with these names, built on the fly from the layers.

    Attributes
    ----------
    layers : list of the layers; ``model[i]``, ``len(model)`` and ``for layer in model`` work too.
    """

    def __init__(self, *layers: Layer) -> None:
        # No super().__init__(): params and grads are properties computed from the layers.
        for i, layer in enumerate(layers):
            if not (hasattr(layer, "forward") and hasattr(layer, "backward")):
                raise TypeError(f"Sequential: argument {i} ({layer!r}) is not a layer "
                                f"(it needs forward and backward methods)")
        self.layers: list[Layer] = list(layers)

    @property
    def params(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        """All parameters by name (``"0.W"``, ...); a new dict of the layers' arrays (not copies)."""
        return {name: param for name, param, _ in self.parameters()}

    @property
    def grads(self) -> dict[str, np.ndarray | None]:  # type: ignore[override]
        """All gradients by name (``"0.W"``, ...), as stored by the last ``backward``."""
        return {name: grad for name, _, grad in self.parameters()}

    def forward(self, x: ArrayLike) -> np.ndarray:
        """Run ``x`` through every layer in order; returns the last layer's output."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_out: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """Backpropagate ``grad_out = dL/d(output)`` through the layers in reverse order.

        Each layer stores its parameter gradients (overwriting the previous ones) and hands
        ``dL/d(its input)`` to the layer before it. ``need_input_grad`` is passed to the first
        layer only: with False, the gradient with respect to the model's input is not computed and
        ``None`` is returned (what a training loop wants). Returns ``dL/dx`` otherwise.
        """
        g = grad_out
        for i in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[i]
            if i == 0 and not need_input_grad and _accepts_need_input_grad(layer):
                g = layer.backward(g, need_input_grad=False)
            else:
                g = layer.backward(g)
        return g if need_input_grad else None

    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray | None]]:
        """Yield ``(name, param, grad)`` for every parameter, names prefixed with the layer index."""
        for i, layer in enumerate(self.layers):
            if hasattr(layer, "parameters"):
                items = layer.parameters()
            else:  # a duck-typed layer with params/grads dicts but no parameters() method
                params, grads = getattr(layer, "params", {}), getattr(layer, "grads", {})
                items = ((key, value, grads.get(key)) for key, value in params.items())
            for name, param, grad in items:
                yield f"{i}.{name}", param, grad

    def __getitem__(self, index: int | slice) -> Layer:
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Layer]:
        return iter(self.layers)

    def __repr__(self) -> str:
        lines = ["Sequential("]
        for i, layer in enumerate(self.layers):
            child = repr(layer).replace("\n", "\n  ")   # indent nested containers
            lines.append(f"  ({i}): {child}")
        lines.append(")")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------------------------

class Loss:
    """Base class of the losses: ``forward(pred, target) -> float`` and ``backward() -> dL/dpred``.

    ``forward`` caches what ``backward`` needs; ``backward`` returns a new array of the shape and
    dtype of ``pred`` (the target is cast to the dtype of ``pred``).
    """

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        """The loss value for predictions ``pred`` and targets ``target`` (a mean over the batch)."""
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """``dL/d(pred)`` for the last ``forward``, same shape and dtype as ``pred``."""
        raise NotImplementedError

    def __call__(self, pred: ArrayLike, target: ArrayLike) -> float:
        """``loss(pred, target)`` is ``loss.forward(pred, target)``."""
        return self.forward(pred, target)

    def _check_shapes(self, pred: ArrayLike, target: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Float ``pred`` and ``target`` (cast to pred's dtype), which must have the same shape."""
        return _pred_and_target(pred, target, repr(self))

    def _cached(self, value: object) -> None:
        if value is None:
            raise RuntimeError(f"{self!r}: backward() was called before forward(pred, target)")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSELoss(Loss):
    """Mean squared error over all elements (Keras): ``L = mean((pred - target)**2)``.

    ``pred`` and ``target`` have the same shape, e.g. ``(N, K)``. ``backward`` returns
    ``dL/dpred = 2 * (pred - target) / pred.size``.
    """

    def __init__(self) -> None:
        self._diff: np.ndarray | None = None

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        """``mean((pred - target)**2)``; caches ``pred - target``."""
        pred, target = self._check_shapes(pred, target)
        self._diff = pred - target
        return float(np.mean(self._diff * self._diff))

    def backward(self) -> np.ndarray:
        """``2 * (pred - target) / pred.size``, shape and dtype of ``pred``."""
        diff = self._diff
        self._cached(diff)
        return diff * (2.0 / diff.size)


class BCELoss(Loss):
    """Binary cross-entropy on probabilities (e.g. after a :class:`Sigmoid`), mean over all elements:

    ``L = -mean(y * log(p) + (1 - y) * log(1 - p))``

    ``p`` (the prediction) and ``y`` (targets in ``[0, 1]``) have the same shape, usually ``(N, 1)``.
    ``backward`` returns ``dL/dp = (p - y) / (p * (1 - p)) / p.size``. ``p`` is clipped to
    ``[eps, 1 - eps]`` (``eps = 1e-7`` in float32, ``1e-12`` in float64), so the loss stays finite
    when ``p`` is exactly 0 or 1.
    """

    def __init__(self) -> None:
        self._p: np.ndarray | None = None
        self._y: np.ndarray | None = None

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        """The mean binary cross-entropy; caches ``p`` and ``y``."""
        p, y = self._check_shapes(pred, target)
        self._p, self._y = p, y
        return float(F.binary_cross_entropy(p, y))

    def backward(self) -> np.ndarray:
        """``(p - y) / (p * (1 - p)) / p.size`` with ``p`` clipped, shape and dtype of ``p``."""
        self._cached(self._p)
        return F.binary_cross_entropy_grad(self._p, self._y)


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy, on logits, mean over the batch.

    ``L = -(1/N) * sum_n log softmax(z_n)[y_n]``

    ``forward(logits, target)``: ``logits`` has shape ``(N, C)`` (the raw output of the last
    :class:`Linear`, no softmax layer before it); ``target`` is integer labels of shape ``(N,)`` with
    values in ``[0, C)`` or one-hot targets of shape ``(N, C)``. A label outside ``[0, C)`` raises
    ``ValueError`` naming the label.

    ``backward()`` returns ``dL/dz = (softmax(z) - Y) / N`` (``Y`` one-hot), in the dtype of the
    logits. Softmax and cross-entropy together have this simple gradient, which is why they are one
    object; it is also numerically stable (log-sum-exp).
    """

    def __init__(self) -> None:
        self._probs: np.ndarray | None = None
        self._labels: np.ndarray | None = None
        self._onehot: np.ndarray | None = None

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        """The mean cross-entropy of ``softmax(pred)`` against ``target``; caches the probabilities."""
        logits = _as_float(pred)
        labels, onehot = _labels_or_onehot(target, logits, repr(self))
        log_probs = F.log_softmax(logits, axis=1)     # (N, C), stable (log-sum-exp)
        self._probs = np.exp(log_probs)                # softmax(logits), needed by backward
        self._labels, self._onehot = labels, onehot
        n = logits.shape[0]
        if labels is not None:
            return float(-np.mean(log_probs[np.arange(n), labels]))
        return float(-np.sum(onehot * log_probs) / n)

    def backward(self) -> np.ndarray:
        """``(softmax(z) - Y) / N``, shape ``(N, C)`` and dtype of the logits."""
        probs = self._probs
        self._cached(probs)
        n = probs.shape[0]
        grad = probs.copy()            # keep the cache intact: backward may be called again
        if self._labels is not None:
            grad[np.arange(n), self._labels] -= 1   # subtract the one-hot Y without building it
        else:
            grad -= self._onehot
        grad /= n
        return grad
