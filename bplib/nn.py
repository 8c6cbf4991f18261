"""Layers with ``forward``/``backward``, a ``Sequential`` container and loss objects.

The layer protocol (the same for every layer, including the ones you write yourself):

* ``forward(X)`` computes the output and **caches** what ``backward`` will need (the input, a mask,
  the output...).
* ``backward(dOut, need_input_grad=True)`` receives ``dL/d(output)`` (same shape as the output),
  stores the gradients of the parameters in ``self.grads`` and returns ``dL/d(input)`` (same shape
  as the input), or ``None`` when ``need_input_grad`` is False.
* ``params`` and ``grads`` are dicts with the same keys (``"W"`` and ``"b"`` for :class:`Linear`,
  empty for activations). Each ``backward`` puts **new** arrays in ``grads`` (never accumulated,
  unlike PyTorch's ``.grad``, and never reused: a gradient you keep stays as it was). A gradient
  is ``None`` until the first ``backward``.
* ``parameters()`` yields ``(name, param, grad)`` triples; that is what the optimisers use.

A loss has ``forward(pred, target) -> float`` (the mean over the batch) and ``backward()`` which
returns ``dL/d(pred)``, the gradient that starts backpropagation through the model::

    out = model.forward(X)
    L = loss.forward(out, y)
    model.backward(loss.backward())
    optimizer.step(model)

Notation (notebook 00): batches are rows, ``X`` is ``(N, D)``; a linear layer computes
``Z = X W + b``, an activation ``A = sigma(Z)``; ``dZ``, ``dA``, ``dW``, ``db`` are the gradients
of the loss ``L`` with respect to them. Parameters are created in float64 and follow the data: the
first ``forward`` with float32 input casts them to float32, so a model trains in float32 on float32
data and gradient checks run in float64.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

from bplib import functions as F
from bplib.validate import as_float, one_hot_target, pred_and_target

__all__ = ["Layer", "Linear", "Sigmoid", "Tanh", "ReLU", "Sequential",
           "Loss", "MSELoss", "BCELoss", "SoftmaxCrossEntropy"]


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------

class Layer:
    """Base class of all layers.

    Subclasses implement ``forward(X)`` and ``backward(dOut, need_input_grad=True)`` and put their
    parameters in ``self.params`` (gradients in ``self.grads``, same keys).

    ``need_input_grad=False`` asks a layer not to compute ``dL/d(input)`` and to return ``None``: a
    training loop does not need the gradient with respect to the data, so :class:`Sequential` passes it
    to its first layer and ``bplib.train.fit`` to the model. A layer you write for ``fit`` must accept
    this argument (it may ignore it and return ``dL/d(input)`` anyway).

    Attributes
    ----------
    params : dict[str, np.ndarray]
        The learnable arrays, e.g. ``{"W": W, "b": b}``; ``{}`` for a layer without parameters.
    grads : dict[str, np.ndarray | None]
        ``dL/d(param)`` for each key of ``params``, replaced by each ``backward`` (``None`` before the first one).
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray | None] = {}

    def forward(self, X: ArrayLike) -> np.ndarray:
        """Compute the output for the batch ``X`` and cache what ``backward`` needs."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward(X)")

    def backward(self, dOut: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """Store ``dL/d(param)`` in ``self.grads`` and return ``dL/d(input)`` (``None`` if not needed)."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward(dOut, need_input_grad=True)")

    def __call__(self, X: ArrayLike) -> np.ndarray:
        """``layer(X)`` is ``layer.forward(X)``."""
        return self.forward(X)

    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray | None]]:
        """Yield ``(name, param, grad)`` for each parameter, e.g. ``("W", W, dW)``."""
        for name, param in self.params.items():
            yield name, param, self.grads.get(name)

    def _cached(self, value: object) -> None:
        """Raise a clear error when ``backward`` is called before ``forward`` (the cache is empty)."""
        if value is None:
            raise RuntimeError(f"{self!r}: backward() was called before forward(); "
                               f"run a forward pass first (it caches what backward needs)")

    def _check_grad(self, dOut: ArrayLike, expected_shape: tuple[int, ...]) -> np.ndarray:
        """``dOut`` as an array; its shape must be the shape of the last output."""
        dOut = np.asarray(dOut)
        if dOut.shape != expected_shape:
            raise ValueError(f"{self!r}: expected a gradient of shape {expected_shape} (the shape of the "
                             f"output), got {dOut.shape}")
        return dOut

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Linear(Layer):
    """Fully connected (affine) layer: ``Z = X W + b``.

    Shapes: ``X`` is ``(N, D_in)``, ``W`` is ``(D_in, D_out)``, ``b`` is ``(D_out,)`` (added to every
    row), ``Z`` is ``(N, D_out)``.

    Backward, with ``dZ = dL/dZ`` of shape ``(N, D_out)``::

        dW = X^T dZ             (D_in, D_out)
        db = sum_n dZ[n, :]     (D_out,)
        dX = dZ W^T             (N, D_in)

    Parameters
    ----------
    in_features, out_features : ``D_in`` and ``D_out``
    init : how ``W`` is drawn (``b`` always starts at zero)
        ``"he"`` (default): ``N(0, 2 / D_in)``, suited to ReLU;
        ``"xavier"``: ``N(0, 2 / (D_in + D_out))`` (Glorot normal), suited to tanh/sigmoid;
        ``"normal"``: ``N(0, 1)``, like ``np.random.randn`` in the classic reference programs.
    rng : ``np.random.Generator`` used to draw ``W`` (default: a fresh ``np.random.default_rng()``)

    Notes
    -----
    ``W`` and ``b`` are created in float64. They follow the data: when ``forward`` gets input of
    another float dtype (e.g. float32), ``W``, ``b`` and their gradients are cast to that dtype (new
    arrays replace the old ones in ``params``; the optimisers cast their state along), so the layer then runs in float32.
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
        self._X: np.ndarray | None = None   # the input of the last forward, kept for backward

    @property
    def W(self) -> np.ndarray:
        """The weight matrix ``params["W"]``, shape ``(D_in, D_out)``."""
        return self.params["W"]

    @property
    def b(self) -> np.ndarray:
        """The bias ``params["b"]``, shape ``(D_out,)``."""
        return self.params["b"]

    def forward(self, X: ArrayLike) -> np.ndarray:
        """``Z = X W + b``: ``X`` is ``(N, D_in)``, ``Z`` is ``(N, D_out)``.

        Keeps a reference to ``X`` (not a copy) for ``backward``. If ``X`` is float32 and the
        parameters are float64 (or the other way round), the parameters are cast to ``X.dtype`` first.
        """
        X = as_float(X)
        if X.ndim != 2 or X.shape[1] != self.in_features:
            raise ValueError(f"{self!r}: expected input of shape (N, {self.in_features}), got {X.shape}")
        if X.dtype != self.W.dtype:                   # parameters (and gradients) follow the data
            for key in self.params:
                self.params[key] = self.params[key].astype(X.dtype)
                if self.grads.get(key) is not None:
                    self.grads[key] = self.grads[key].astype(X.dtype)
        self._X = X
        return X @ self.W + self.b

    def backward(self, dZ: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """Store ``dW = X^T dZ`` and ``db = sum_n dZ[n, :]``; return ``dX = dZ W^T``.

        Parameters
        ----------
        dZ : ``dL/dZ``, shape ``(N, D_out)``
        need_input_grad : when False, ``dX`` is not computed and ``None`` is returned (nobody needs the
            gradient with respect to the data, and it is a matrix product as big as ``dW``'s).

        Returns
        -------
        ``dX`` of shape ``(N, D_in)``, or ``None``.
        """
        X = self._X
        self._cached(X)
        dZ = self._check_grad(dZ, (X.shape[0], self.out_features)).astype(self.W.dtype, copy=False)
        self.grads = {"W": X.T @ dZ, "b": dZ.sum(axis=0)}
        if not need_input_grad:
            return None
        return dZ @ self.W.T

    def __repr__(self) -> str:
        return f"Linear({self.in_features}, {self.out_features})"


class Sigmoid(Layer):
    """Sigmoid activation, elementwise: ``A = sigma(Z) = 1 / (1 + exp(-Z))``; any shape.

    Backward uses the cached output: ``dZ = dA * A * (1 - A)``.
    """

    def __init__(self) -> None:
        super().__init__()
        self._A: np.ndarray | None = None

    def forward(self, Z: ArrayLike) -> np.ndarray:
        """``A = sigma(Z)``, same shape and dtype as ``Z``; caches ``A``."""
        self._A = F.sigmoid(Z)
        return self._A

    def backward(self, dA: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """``dZ = dA * A * (1 - A)`` (same shape as ``Z``)."""
        A = self._A
        self._cached(A)
        dA = self._check_grad(dA, A.shape)
        return dA * A * (1 - A) if need_input_grad else None


class Tanh(Layer):
    """Tanh activation, elementwise: ``A = tanh(Z)``; any shape.

    Backward uses the cached output: ``dZ = dA * (1 - A**2)``.
    """

    def __init__(self) -> None:
        super().__init__()
        self._A: np.ndarray | None = None

    def forward(self, Z: ArrayLike) -> np.ndarray:
        """``A = tanh(Z)``, same shape and dtype as ``Z``; caches ``A``."""
        self._A = F.tanh(Z)
        return self._A

    def backward(self, dA: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """``dZ = dA * (1 - A**2)`` (same shape as ``Z``)."""
        A = self._A
        self._cached(A)
        dA = self._check_grad(dA, A.shape)
        return dA * (1 - A**2) if need_input_grad else None


class ReLU(Layer):
    """ReLU activation, elementwise: ``A = max(Z, 0)``; any shape.

    Forward caches the mask ``Z > 0``; backward lets the gradient through where it is True:
    ``dZ = dA * (Z > 0)`` (the derivative at 0 is taken as 0).
    """

    def __init__(self) -> None:
        super().__init__()
        self._mask: np.ndarray | None = None

    def forward(self, Z: ArrayLike) -> np.ndarray:
        """``A = max(Z, 0)``, same shape and dtype as ``Z``; caches the mask ``Z > 0``."""
        Z = as_float(Z)
        self._mask = Z > 0
        return F.relu(Z)

    def backward(self, dA: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """``dZ = dA * (Z > 0)`` (same shape and dtype as ``dA``: a boolean mask keeps the dtype)."""
        mask = self._mask
        self._cached(mask)
        dA = self._check_grad(dA, mask.shape)
        return dA * mask if need_input_grad else None


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

    def forward(self, X: ArrayLike) -> np.ndarray:
        """``A^(0) = X``, then ``A^(l) = layer_l(A^(l-1))`` for every layer in order; returns the last output."""
        A = X
        for layer in self.layers:
            A = layer.forward(A)
        return A

    def backward(self, dOut: ArrayLike, need_input_grad: bool = True) -> np.ndarray | None:
        """Backpropagate ``dOut = dL/d(output)`` through the layers in reverse order.

        Each layer stores its parameter gradients and hands ``dL/d(its input)`` to the layer before it.
        ``need_input_grad`` goes to the first layer only: with False, ``dL/dX`` (the gradient with
        respect to the model's input) is not computed and ``None`` is returned, as a training loop wants.
        """
        grad = dOut
        for layer in reversed(self.layers[1:]):
            grad = layer.backward(grad)
        if need_input_grad:
            return self.layers[0].backward(grad)
        self.layers[0].backward(grad, need_input_grad=False)
        return None

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
# Losses: objects around the functions of bplib.functions, which hold the formulas
# ---------------------------------------------------------------------------------------------

class Loss:
    """Base class of the losses: ``forward(pred, target) -> L`` and ``backward() -> dL/d(pred)``.

    ``forward`` caches ``pred`` and ``target`` (cast to the dtype of ``pred``); ``backward`` returns a
    new array of the shape and dtype of ``pred`` and may be called more than once.
    """

    def __init__(self) -> None:
        self._pred: np.ndarray | None = None
        self._target: np.ndarray | None = None

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        """The loss ``L`` for predictions ``pred`` and targets ``target`` (a mean over the batch)."""
        raise NotImplementedError

    def backward(self) -> np.ndarray:
        """``dL/d(pred)`` for the last ``forward``, same shape and dtype as ``pred``."""
        raise NotImplementedError

    def __call__(self, pred: ArrayLike, target: ArrayLike) -> float:
        """``loss(pred, target)`` is ``loss.forward(pred, target)``."""
        return self.forward(pred, target)

    def _check_shapes(self, pred: ArrayLike, target: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Float ``pred`` and ``target`` (cast to pred's dtype), which must have the same shape."""
        return pred_and_target(pred, target, repr(self))

    def _cached(self, value: object) -> None:
        if value is None:
            raise RuntimeError(f"{self!r}: backward() was called before forward(pred, target)")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSELoss(Loss):
    """Mean squared error over all elements (Keras): ``L = mean((Y_hat - Y)**2)``.

    ``pred`` (``Y_hat``) and ``target`` (``Y``) have the same shape, e.g. ``(N, K)``. ``backward``
    returns ``dL/dY_hat = 2 (Y_hat - Y) / n`` with ``n = Y_hat.size``. See :func:`bplib.functions.mse`.
    """

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        """``L = mean((Y_hat - Y)**2)``; caches ``Y_hat`` and ``Y``."""
        self._pred, self._target = self._check_shapes(pred, target)
        return float(F.mse(self._pred, self._target))

    def backward(self) -> np.ndarray:
        """``dL/dY_hat = 2 (Y_hat - Y) / n``, shape and dtype of ``Y_hat``."""
        self._cached(self._pred)
        return F.mse_grad(self._pred, self._target)


class BCELoss(Loss):
    """Binary cross-entropy on probabilities (e.g. after a :class:`Sigmoid`), mean over all elements:

    ``L = -mean(Y log(Y_hat) + (1 - Y) log(1 - Y_hat))``

    ``pred`` (``Y_hat``) and ``target`` (``Y``, values in ``[0, 1]``) have the same shape, usually ``(N, 1)``.
    ``backward`` returns ``dL/dY_hat = (Y_hat - Y) / (Y_hat (1 - Y_hat)) / n``. ``Y_hat`` is clipped to
    ``[eps, 1 - eps]`` (``eps = 1e-7`` in float32, ``1e-12`` in float64), so the loss stays finite when a
    prediction is exactly 0 or 1. See :func:`bplib.functions.binary_cross_entropy`.
    """

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        """The mean binary cross-entropy; caches ``Y_hat`` and ``Y``."""
        self._pred, self._target = self._check_shapes(pred, target)
        return float(F.binary_cross_entropy(self._pred, self._target))

    def backward(self) -> np.ndarray:
        """``(Y_hat - Y) / (Y_hat (1 - Y_hat)) / n`` with ``Y_hat`` clipped, shape and dtype of ``Y_hat``."""
        self._cached(self._pred)
        return F.binary_cross_entropy_grad(self._pred, self._target)


class SoftmaxCrossEntropy(Loss):
    """Softmax followed by cross-entropy, on logits, mean over the batch:

    ``P = softmax(Z)``;  ``L = -(1/N) sum_n sum_c Y[n, c] log P[n, c]``

    ``forward(logits, target)``: the logits ``Z`` have shape ``(N, C)`` (the raw output of the last
    :class:`Linear`, no softmax layer before it); ``target`` is integer labels ``y`` of shape ``(N,)``
    with values in ``[0, C)`` or one-hot rows ``Y`` of shape ``(N, C)``. A label outside ``[0, C)``
    raises ``ValueError`` naming the label.

    ``backward()`` returns ``dZ = (P - Y) / N``, in the dtype of the logits. Softmax and cross-entropy
    together have this simple gradient, which is why they are one object; it is also numerically stable
    (log-sum-exp). See :func:`bplib.functions.cross_entropy` and :func:`~bplib.functions.cross_entropy_grad`.
    """

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        """The mean cross-entropy of ``softmax(Z)`` against the target; caches ``Z`` and the target."""
        Z = as_float(pred)
        self._pred, self._target = Z, one_hot_target(target, Z, repr(self))    # Y: (N, C) one-hot rows
        return float(F.cross_entropy(self._pred, self._target))

    def backward(self) -> np.ndarray:
        """``dZ = (P - Y) / N``, shape ``(N, C)`` and dtype of the logits."""
        self._cached(self._pred)
        return F.cross_entropy_grad(self._pred, self._target)
