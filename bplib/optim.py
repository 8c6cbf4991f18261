"""Optimisers: SGD (with momentum), RMSprop and Adam.

Every optimiser has ``step(model)``: it reads ``model.parameters()``, which yields
``(name, param, grad)`` triples, and updates each ``param`` **in place** from its ``grad``
(the gradients the last ``backward`` stored). Per-parameter state (velocity, running averages)
is kept in ``state[name]``, created as zeros on the first step with the parameter's shape and dtype.
When a parameter changes dtype (a :class:`~bplib.nn.Linear` follows its input from float64 to float32),
its state is cast along, so the moments and the step counter ``t`` stay consistent.

Defaults and formulas are Keras's, because the reference programs of the course were written
in Keras. PyTorch puts ``eps`` in a different place (inside or outside the square root, and Adam
without the ``sqrt(1 - beta2**t)`` folded into the learning rate); notebook 11 shows both.
Each ``update`` is the formula of its class's docstring, line for line (``eta`` is ``lr``). The state
arrays and the parameters are updated in place: ``v *= rho; v += (1 - rho) * g**2`` is
``v = rho * v + (1 - rho) * g**2`` without building a new ``v`` (fewer passes over big arrays).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np


class HasParameters(Protocol):
    """Anything with ``parameters()`` yielding ``(name, param, grad)``: a layer or a ``Sequential``."""

    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]: ...


class Optimizer:
    """Base class: keeps the learning rate ``lr``, per-parameter state and the step counter ``t``.

    A subclass names its per-parameter state arrays in ``state_keys`` and implements
    ``update(param, grad, state)``, which changes ``param`` in place and stores the new state in ``state``.
    """

    state_keys: tuple[str, ...] = ()

    def __init__(self, lr: float) -> None:
        if not lr > 0:
            raise ValueError(f"{type(self).__name__}: the learning rate must be positive, got {lr}")
        self.lr = float(lr)
        self.t = 0  # number of steps taken so far
        self.state: dict[str, dict[str, np.ndarray]] = {}

    def step(self, model: HasParameters) -> None:
        """``t += 1``, then update every parameter of ``model`` in place from its stored gradient."""
        self.t += 1
        for name, param, grad in model.parameters():
            if grad is None:
                raise RuntimeError(f"{type(self).__name__}.step: parameter {name!r} has no gradient; "
                                   f"call loss.backward() and model.backward(...) before step().")
            self.update(param, grad, self.state_for(name, param))

    def state_for(self, name: str, param: np.ndarray) -> dict[str, np.ndarray]:
        """The state arrays of parameter ``name``: zeros at first, cast when the parameter changed dtype."""
        if name not in self.state:
            self.state[name] = {key: np.zeros_like(param) for key in self.state_keys}
        state = self.state[name]
        for key, value in state.items():
            if value.shape != param.shape:
                raise ValueError(f"{type(self).__name__}.step: parameter {name!r} has shape {param.shape}, but "
                                 f"this optimizer's state for it has shape {value.shape}: it was used with another "
                                 f"model. Create a new optimizer for each model.")
            if value.dtype != param.dtype:       # e.g. Linear switched to float32: the moments follow
                state[key] = value.astype(param.dtype)
        return state

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """Change ``param`` in place by one step of the rule; keep the new state in ``state``."""
        raise NotImplementedError(f"{type(self).__name__} must implement update(param, grad, state)")

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v:g}" for k, v in vars(self).items() if isinstance(v, float))
        return f"{type(self).__name__}({hyper})"


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum (Keras formula).

    Without momentum:  ``p = p - lr * g``.

    With momentum ``mu``:  ``v = mu * v - lr * g``;  ``p = p + v``   (``v`` starts at 0).
    """

    def __init__(self, lr: float, momentum: float = 0.0) -> None:
        super().__init__(lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum}")
        self.momentum = float(momentum)
        self.state_keys = ("v",) if momentum else ()

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        if self.momentum == 0.0:
            param -= self.lr * grad
            return
        v = state["v"]
        v *= self.momentum                 # v = mu * v - lr * g   (in place)
        v -= self.lr * grad
        param += v                         # p = p + v


class RMSprop(Optimizer):
    r"""RMSprop (Keras formula; defaults ``lr=1e-3, rho=0.9, eps=1e-7``).

    ``v = rho * v + (1 - rho) * g**2``;  ``p = p - lr * g / sqrt(v + eps)``   (``v`` starts at 0).

    Each parameter's step is divided by a running root-mean-square of its own gradients, so
    parameters with large gradients take smaller steps and vice versa.
    """

    state_keys = ("v",)

    def __init__(self, lr: float = 1e-3, rho: float = 0.9, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.rho = float(rho)
        self.eps = float(eps)

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        v = state["v"]
        v *= self.rho                      # v = rho * v + (1 - rho) * g**2   (in place)
        v += (1 - self.rho) * grad**2
        param -= self.lr * grad / np.sqrt(v + self.eps)      # p = p - lr * g / sqrt(v + eps)


class Adam(Optimizer):
    r"""Adam (Keras formula; defaults ``lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-7``).

    With ``t`` the step number (1, 2, ...):

    ``m = beta1 * m + (1 - beta1) * g``;
    ``v = beta2 * v + (1 - beta2) * g**2``;
    ``p = p - lr * sqrt(1 - beta2**t) / (1 - beta1**t) * m / (sqrt(v) + eps)``.

    The factor ``sqrt(1 - beta2**t) / (1 - beta1**t)`` is the bias correction: ``m`` and ``v``
    start at zero, so early on they underestimate the mean gradient and its square.
    """

    state_keys = ("m", "v")

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.beta1 = float(beta1)
        self.beta2 = float(beta2)
        self.eps = float(eps)

    def update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, np.ndarray]) -> None:
        m, v = state["m"], state["v"]
        m *= self.beta1                    # m = beta1 * m + (1 - beta1) * g      (in place)
        m += (1 - self.beta1) * grad
        v *= self.beta2                    # v = beta2 * v + (1 - beta2) * g**2   (in place)
        v += (1 - self.beta2) * grad**2
        step_size = self.lr * np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        param -= step_size * m / (np.sqrt(v) + self.eps)     # p = p - step_size * m / (sqrt(v) + eps)
