"""The suspects of notebook 07's bug hunt: five backward passes, each with one classic bug.

The bugs are the ones the course's reference programs R1 (a 2-4-1 sigmoid network on XOR) and R2
(a 2-2-1 sigmoid network on XOR) typically contain. Each suspect follows bplib's protocols, so the
one-line checks of :mod:`bplib.gradcheck` apply to it:

* ``SuspectA``, ``SuspectC``, ``SuspectE``: small sigmoid networks written as one layer
  (``forward``, ``backward``, ``params`` ``W1, b1, W2, b2``): check with ``check_model``;
* ``SuspectB``: a linear layer: check with ``check_layer``;
* ``SuspectD``: a mean-squared-error loss (``forward(pred, target)``, ``backward()``): check a
  correct model with it, with ``check_model``.

Each suspect's class attribute ``fault`` says what is wrong; :func:`corrected` returns the fixed
class (the suspect's code with the fault corrected, each changed line marked ``# FIXED``: one line
for B, C, D and E, two lines of ``forward`` for A). Notebook 07 shows each suspect's code and the
learner writes the fixes (checked by :mod:`bplib.course.exercises.bug_hunt` against these).

Spoiler: reading the corrected classes below before the hunt gives the answers away.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from bplib.functions import sigmoid
from bplib.nn import Layer, Loss

__all__ = ["SuspectA", "SuspectB", "SuspectC", "SuspectD", "SuspectE", "SUSPECTS",
           "corrected"]


def sigmoid_derivative(s: np.ndarray) -> np.ndarray:
    """Derivative of the sigmoid written in terms of its OUTPUT ``s = sigmoid(z)``: ``s * (1 - s)``.

    This is how R1 and R2 write it. It is only right when it is given the activation ``s``, not
    the pre-activation ``z``.
    """
    return s * (1.0 - s)


class _TwoLayerNet(Layer):
    """Shared set-up of the suspect networks: ``W1 (n_in, n_hidden)``, ``b1``, ``W2 (n_hidden, n_out)``, ``b2``.

    Weights are drawn from N(0, 1) (like ``np.random.randn`` in R1 and R2), biases start at zero.
    """

    def __init__(self, n_in: int, n_hidden: int, n_out: int,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        self.params = {"W1": rng.standard_normal((n_in, n_hidden)), "b1": np.zeros(n_hidden),
                       "W2": rng.standard_normal((n_hidden, n_out)), "b2": np.zeros(n_out)}
        self.grads = {key: None for key in self.params}
        self.sizes = (n_in, n_hidden, n_out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(map(str, self.sizes))})"


# ---------------------------------------------------------------------------------------------
# Suspect A
# ---------------------------------------------------------------------------------------------

class SuspectA(_TwoLayerNet):
    """A 2-4-1 sigmoid network for XOR, written like R1, as a single layer.

    ``forward(x)``: ``x`` of shape ``(N, 2)`` -> ``sigmoid(sigmoid(x @ W1 + b1) @ W2 + b2)``, ``(N, 1)``.
    ``backward(grad_out)``: ``grad_out = dL/d(output)``, ``(N, 1)``; stores ``dL/dW1, dL/db1,
    dL/dW2, dL/db2`` in ``grads`` and returns ``dL/dx``.
    """

    fault = ("forward keeps the hidden layer's PRE-activation z1 = x @ W1 + b1 (as self.hidden), never the "
             "activation a1 = sigmoid(z1). backward then uses z1 where a1 belongs: in dW2 = a1.T @ d2 and in "
             "sigmoid_derivative(a1) = a1 * (1 - a1). Only b2 does not depend on a1, so only b2 passes.")

    def __init__(self, n_in: int = 2, n_hidden: int = 4, n_out: int = 1,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__(n_in, n_hidden, n_out, rng)

    def forward(self, x: ArrayLike) -> np.ndarray:
        p = self.params
        self.x = np.asarray(x, dtype=np.float64)
        self.hidden = self.x @ p["W1"] + p["b1"]
        self.output = sigmoid(sigmoid(self.hidden) @ p["W2"] + p["b2"])
        return self.output

    def backward(self, grad_out: ArrayLike) -> np.ndarray:
        p = self.params
        d2 = grad_out * sigmoid_derivative(self.output)              # dL/dz2
        self.grads["W2"] = self.hidden.T @ d2
        self.grads["b2"] = d2.sum(axis=0)
        d1 = (d2 @ p["W2"].T) * sigmoid_derivative(self.hidden)      # dL/dz1
        self.grads["W1"] = self.x.T @ d1
        self.grads["b1"] = d1.sum(axis=0)
        return d1 @ p["W1"].T


class _FixedA(SuspectA):
    """SuspectA corrected in ``forward`` (two lines): keep the hidden activation, and do not apply the sigmoid to it again."""

    def forward(self, x: ArrayLike) -> np.ndarray:
        p = self.params
        self.x = np.asarray(x, dtype=np.float64)
        self.hidden = sigmoid(self.x @ p["W1"] + p["b1"])            # FIXED: keep a1 = sigmoid(z1)
        self.output = sigmoid(self.hidden @ p["W2"] + p["b2"])       # FIXED: no second sigmoid
        return self.output


# ---------------------------------------------------------------------------------------------
# Suspect B
# ---------------------------------------------------------------------------------------------

class SuspectB(Layer):
    """A linear layer ``out = x @ W + b``, written like R2's hidden layer (2 inputs, 2 units).

    Shapes: ``x`` ``(N, in_features)``, ``W`` ``(in_features, out_features)``, ``b``
    ``(out_features,)``. ``backward(grad_out)`` stores ``dL/dW`` and ``dL/db`` and returns ``dL/dx``.
    """

    fault = ("backward returns grad_out @ W instead of grad_out @ W.T: the transpose is missing. "
             "The shapes only agree because W is square (2 x 2 like R2's hidden layer); dL/dW and dL/db "
             "are right, so only the input row fails.")

    def __init__(self, in_features: int = 2, out_features: int = 2, *,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__()
        rng = np.random.default_rng() if rng is None else rng
        self.params = {"W": rng.standard_normal((in_features, out_features)), "b": np.zeros(out_features)}
        self.grads = {"W": None, "b": None}

    def forward(self, x: ArrayLike) -> np.ndarray:
        self.x = np.asarray(x, dtype=np.float64)
        return self.x @ self.params["W"] + self.params["b"]

    def backward(self, grad_out: ArrayLike) -> np.ndarray:
        self.grads["W"] = self.x.T @ grad_out
        self.grads["b"] = grad_out.sum(axis=0)
        return grad_out @ self.params["W"]

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self.params['W'].shape}"


class _FixedB(SuspectB):
    """SuspectB corrected: ``dL/dx = grad_out @ W.T``."""

    def backward(self, grad_out: ArrayLike) -> np.ndarray:
        self.grads["W"] = self.x.T @ grad_out
        self.grads["b"] = grad_out.sum(axis=0)
        return grad_out @ self.params["W"].T                         # FIXED: W.T


# ---------------------------------------------------------------------------------------------
# Suspect C
# ---------------------------------------------------------------------------------------------

class SuspectC(_TwoLayerNet):
    """A 2-4-1 sigmoid network for XOR's four examples, written like R1, as a single layer.

    ``forward(x)``: ``x`` of shape ``(4, 2)`` -> ``sigmoid(sigmoid(x @ W1 + b1) @ W2 + b2)``, ``(4, 1)``.
    ``backward(grad_out)``: stores ``dL/dW1, dL/db1, dL/dW2, dL/db2`` in ``grads`` and returns ``dL/dx``.
    """

    fault = ("the hidden bias gradient is summed over the wrong axis: d1.sum(axis=1) adds up the 4 hidden "
             "units of each example instead of the 4 examples of each unit (axis=0). The shapes agree "
             "only because XOR has N = 4 examples and the network 4 hidden units.")

    def __init__(self, n_in: int = 2, n_hidden: int = 4, n_out: int = 1,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__(n_in, n_hidden, n_out, rng)

    def forward(self, x: ArrayLike) -> np.ndarray:
        p = self.params
        self.x = np.asarray(x, dtype=np.float64)
        self.a1 = sigmoid(self.x @ p["W1"] + p["b1"])
        self.a2 = sigmoid(self.a1 @ p["W2"] + p["b2"])
        return self.a2

    def backward(self, grad_out: ArrayLike) -> np.ndarray:
        p = self.params
        d2 = grad_out * sigmoid_derivative(self.a2)                  # dL/dz2
        self.grads["W2"] = self.a1.T @ d2
        self.grads["b2"] = d2.sum(axis=0)
        d1 = (d2 @ p["W2"].T) * sigmoid_derivative(self.a1)          # dL/dz1
        self.grads["W1"] = self.x.T @ d1
        self.grads["b1"] = d1.sum(axis=1)
        return d1 @ p["W1"].T


class _FixedC(SuspectC):
    """SuspectC corrected: the hidden bias gradient sums over the batch axis (axis=0)."""

    def backward(self, grad_out: ArrayLike) -> np.ndarray:
        p = self.params
        d2 = grad_out * sigmoid_derivative(self.a2)
        self.grads["W2"] = self.a1.T @ d2
        self.grads["b2"] = d2.sum(axis=0)
        d1 = (d2 @ p["W2"].T) * sigmoid_derivative(self.a1)
        self.grads["W1"] = self.x.T @ d1
        self.grads["b1"] = d1.sum(axis=0)                            # FIXED: axis=0, the batch
        return d1 @ p["W1"].T


# ---------------------------------------------------------------------------------------------
# Suspect D
# ---------------------------------------------------------------------------------------------

class SuspectD(Loss):
    """Mean squared error ``L = mean((pred - target)**2)``, written like R1's loss.

    ``forward(pred, target)`` returns the loss (a float); ``backward()`` returns ``dL/d(pred)``.
    """

    fault = ("backward returns 2 * (pred - target) without dividing by the number of elements: forward "
             "takes a MEAN, so the gradient needs the 1/N. Every gradient is N = 4 times too large, so every "
             "parameter fails with the same relative error (4 - 1) / (4 + 1) = 0.6.")

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        pred, target = self._check_shapes(pred, target)
        self.diff = pred - target
        return float(np.mean(self.diff ** 2))

    def backward(self) -> np.ndarray:
        return 2.0 * self.diff


class _FixedD(SuspectD):
    """SuspectD corrected: ``dL/dpred = 2 * (pred - target) / N`` (N = number of elements)."""

    def backward(self) -> np.ndarray:
        return 2.0 * self.diff / self.diff.size                      # FIXED: / N


# ---------------------------------------------------------------------------------------------
# Suspect E
# ---------------------------------------------------------------------------------------------

class SuspectE(_TwoLayerNet):
    """A 2-2-1 sigmoid network for XOR, written like R2, as a single layer.

    ``forward(x)``: ``x`` of shape ``(N, 2)`` -> ``sigmoid(sigmoid(x @ W1 + b1) @ W2 + b2)``, ``(N, 1)``.
    ``backward(grad_out)``: stores ``dL/dW1, dL/db1, dL/dW2, dL/db2`` in ``grads`` and returns ``dL/dx``.
    """

    fault = ("the output layer's activation derivative is missing: d2 = grad_out should be "
             "grad_out * sigmoid_derivative(a2). dL/d(output) is used as if it were dL/dz2, and every "
             "gradient below inherits the error, so every parameter fails.")

    def __init__(self, n_in: int = 2, n_hidden: int = 2, n_out: int = 1,
                 rng: np.random.Generator | None = None) -> None:
        super().__init__(n_in, n_hidden, n_out, rng)

    def forward(self, x: ArrayLike) -> np.ndarray:
        p = self.params
        self.x = np.asarray(x, dtype=np.float64)
        self.a1 = sigmoid(self.x @ p["W1"] + p["b1"])
        self.a2 = sigmoid(self.a1 @ p["W2"] + p["b2"])
        return self.a2

    def backward(self, grad_out: ArrayLike) -> np.ndarray:
        p = self.params
        d2 = grad_out                                                 # dL/dz2
        self.grads["W2"] = self.a1.T @ d2
        self.grads["b2"] = d2.sum(axis=0)
        d1 = (d2 @ p["W2"].T) * sigmoid_derivative(self.a1)          # dL/dz1
        self.grads["W1"] = self.x.T @ d1
        self.grads["b1"] = d1.sum(axis=0)
        return d1 @ p["W1"].T


class _FixedE(SuspectE):
    """SuspectE corrected: the output delta includes the sigmoid's derivative.

    Its ``backward`` is ``_FixedC``'s, the correct two-layer backward, whose first line
    ``d2 = grad_out * sigmoid_derivative(self.a2)`` is the fix of E (shared, not copied).
    """

    backward = _FixedC.backward


#: The five suspects, in the order of the notebook.
SUSPECTS = (SuspectA, SuspectB, SuspectC, SuspectD, SuspectE)

_CORRECTED = {SuspectA: _FixedA, SuspectB: _FixedB, SuspectC: _FixedC, SuspectD: _FixedD, SuspectE: _FixedE}


def corrected(suspect: type) -> type:
    """The corrected class of a suspect (same constructor), e.g. ``corrected(SuspectA)(rng=rng)``.

    Its code is the suspect's with the fault fixed, every changed line marked ``# FIXED`` in this file:
    one line of ``backward`` for B, C, D and E; two lines of ``forward`` for A (keeping
    a1 = sigmoid(z1) in ``self.hidden`` means the output line must not apply the sigmoid again).
    """
    try:
        return _CORRECTED[suspect]
    except KeyError:
        raise ValueError(f"corrected: {suspect!r} is not one of the suspects "
                         f"{', '.join(s.__name__ for s in SUSPECTS)}") from None

