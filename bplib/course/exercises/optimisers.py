"""Exercises of notebook 11 (optimisers): one update step of momentum, RMSprop and Adam.

The learner writes three functions on NumPy arrays, in bplib's (Keras's) convention; every state
array starts at zero and the caller passes back what the function returned::

    theta, v = momentum_step(theta, g, v, lr, mu)             # v = mu v - lr g;  theta = theta + v
    theta, s = rmsprop_step(theta, g, s, lr, rho, eps)        # s = rho s + (1 - rho) g**2
                                                              # theta = theta - lr g / sqrt(s + eps)
    theta, m, v, t = adam_step(theta, g, m, v, t, lr, beta1, beta2, eps)
        # t = t + 1 (t counts the steps taken: 0 before the first, so the first step has t = 1)
        # m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g**2
        # theta = theta - lr sqrt(1 - beta2**t) / (1 - beta1**t) * m / (sqrt(v) + eps)

These are the formulas of :mod:`bplib.optim` (``SGD(lr, momentum)``, ``RMSprop``, ``Adam``); the
tests check that the references here equal bplib's classes step for step.

Each check runs four steps on a (2, 3) parameter whose gradient entries range from 1 down to
1e-6 (so that where eps sits changes the step), with a learning rate that decays at the last
step (so that momentum's PyTorch form, equal to Keras's only for a constant learning rate, shows
in theta too). The state is judged before theta at every step, so a wrong state update is named
as such whatever the learner did with theta.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from bplib.course.exercises.engine import Exercise, Mistake

__all__ = ["MOMENTUM_STEP", "RMSPROP_STEP", "ADAM_STEP", "check_momentum_step", "check_rmsprop_step",
           "check_adam_step", "momentum_step_reference", "rmsprop_step_reference", "adam_step_reference"]

_THETA0 = np.array([[1.0, -2.0, 0.5], [0.3, 0.0, -0.7]])
_SCALES = np.array([[1.0, 0.5, 1e-3], [2.0, 1e-5, 1e-6]])  # gradient sizes: eps matters for the small ones
_LRS = (0.05, 0.05, 0.05, 0.02)                                 # the last step decays the learning rate


def _gradients() -> list[np.ndarray]:
    """Four fixed gradients of mixed signs and sizes (seeded)."""
    rng = np.random.default_rng(11)
    return [rng.normal(size=_THETA0.shape) * _SCALES for _ in _LRS]


def _array(value: Any) -> Any:
    """A returned value as a float64 array, non-finite entries as nan (inf/inf and x/0 look alike)."""
    if value is None:
        return None
    try:
        out = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        return value
    return np.where(np.isfinite(out), out, np.nan)


def _pair(result: Any, writes: str, n: int) -> tuple[Any, ...]:
    """The tuple a step function returned, or a clear error when it is not a tuple of n values."""
    if not isinstance(result, tuple) or len(result) != n:
        from bplib.course.exercises.engine import ExerciseFailed
        got = f"a tuple of {len(result)}" if isinstance(result, tuple) else type(result).__name__
        raise ExerciseFailed(f"{writes} must return a tuple of {n} values, got {got}.")
    return result


# ---- momentum ---------------------------------------------------------------------------------

_MU = 0.9


def momentum_step_reference(theta: np.ndarray, g: np.ndarray, v: np.ndarray, lr: float,
                            mu: float) -> tuple[np.ndarray, np.ndarray]:
    """SGD with momentum, Keras's form (bplib's ``SGD(lr, momentum=mu)``): v = mu v - lr g; theta = theta + v."""
    v = mu * v - lr * g
    return theta + v, v


def _run_momentum(step: Any) -> Iterator[tuple[str, Any]]:
    theta, v = _THETA0.copy(), np.zeros_like(_THETA0)
    with np.errstate(all="ignore"):
        for t, (g, lr) in enumerate(zip(_gradients(), _LRS), start=1):
            theta, v = _pair(step(theta.copy(), g.copy(), v.copy(), lr, _MU), "`momentum_step`", 2)
            theta, v = _array(theta), _array(v)
            yield f"v after step {t}", v
            yield f"theta after step {t}" + (" (lr decayed to 0.02)" if lr != _LRS[0] else ""), theta


def _pytorch_momentum(theta, g, v, lr, mu):  # type: ignore[no-untyped-def]
    v = mu * v + g
    return theta - lr * v, v


def _velocity_sign(theta, g, v, lr, mu):  # type: ignore[no-untyped-def]
    v = mu * v + lr * g
    return theta - v, v


def _update_sign(theta, g, v, lr, mu):  # type: ignore[no-untyped-def]
    v = mu * v - lr * g
    return theta - v, v


def _old_velocity(theta, g, v, lr, mu):  # type: ignore[no-untyped-def]
    return theta + v, mu * v - lr * g


def _average(theta, g, v, lr, mu):  # type: ignore[no-untyped-def]
    v = mu * v + (1 - mu) * g
    return theta - lr * v, v


def _no_decay(theta, g, v, lr, mu):  # type: ignore[no-untyped-def]
    v = v - lr * g
    return theta + v, v


MOMENTUM_STEP = Exercise(
    id="11-momentum",
    title="momentum_step: SGD with momentum (Keras form)",
    writes="`momentum_step`",
    names=("momentum_step",),
    run=_run_momentum,
    reference=momentum_step_reference,
    mistakes=(
        Mistake("v looks like PyTorch's velocity, v = mu v + g with theta = theta - lr v: that form gives the "
                "same theta only while lr is constant. Write Keras's (bplib's): v = mu * v - lr * g, then "
                "theta = theta + v.", _pytorch_momentum),
        Mistake("v has the opposite sign: in Keras's form v is the step itself, v = mu * v - lr * g, and the "
                "update is theta = theta + v.", _velocity_sign),
        Mistake("v is an average of the gradients, mu v + (1 - mu) g (that is Adam's m): momentum's velocity "
                "is v = mu * v - lr * g.", _average),
        Mistake("v never decays: multiply the old velocity by mu, v = mu * v - lr * g.", _no_decay),
        Mistake("theta moved uphill: v = mu * v - lr * g already points downhill, so the update is "
                "theta = theta + v (not minus).", _update_sign),
        Mistake("theta moved by the old velocity: compute the new v first, then theta = theta + v.",
                _old_velocity),
    ),
    error_hint="momentum_step(theta, g, v, lr, mu) returns the tuple (theta, v), arrays of theta's shape.",
    passed="v = mu v - lr g and theta = theta + v, as bplib's SGD(lr, momentum=mu), over four steps "
           "(the last with a decayed learning rate).",
)

check_momentum_step = MOMENTUM_STEP.check


# ---- RMSprop ----------------------------------------------------------------------------------

_RHO, _EPS = 0.9, 1e-7


def rmsprop_step_reference(theta: np.ndarray, g: np.ndarray, s: np.ndarray, lr: float, rho: float,
                           eps: float) -> tuple[np.ndarray, np.ndarray]:
    """RMSprop, Keras's form (bplib's ``RMSprop``): s = rho s + (1 - rho) g**2; theta -= lr g / sqrt(s + eps)."""
    s = rho * s + (1 - rho) * g**2
    return theta - lr * g / np.sqrt(s + eps), s


def _run_rmsprop(step: Any) -> Iterator[tuple[str, Any]]:
    theta, s = _THETA0.copy(), np.zeros_like(_THETA0)
    with np.errstate(all="ignore"):
        for t, (g, lr) in enumerate(zip(_gradients(), _LRS), start=1):
            theta, s = _pair(step(theta.copy(), g.copy(), s.copy(), lr, _RHO, _EPS), "`rmsprop_step`", 2)
            theta, s = _array(theta), _array(s)
            yield f"s after step {t}", s
            yield f"theta after step {t}", theta


def rmsprop_variant(s_new: Callable | None = None, step: Callable | None = None, old_s: bool = False) -> Callable:
    """A wrong RMSprop step: the reference with ``s_new(s, g, rho)`` or ``step(g, s, lr, eps)`` replaced, or the
    step taken with the old s (also the wrong answers of the capstone's ``rmsprop_update``, notebook 13)."""

    def update(theta: np.ndarray, g: np.ndarray, s: np.ndarray, lr: float, rho: float,
               eps: float) -> tuple[np.ndarray, np.ndarray]:
        new = s_new(s, g, rho) if s_new else rho * s + (1 - rho) * g**2
        used = s if old_s else new
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = step(g, used, lr, eps) if step else lr * g / np.sqrt(used + eps)
        return theta - delta, new

    return update


RMSPROP_STEP = Exercise(
    id="11-rmsprop",
    title="rmsprop_step: RMSprop (Keras form)",
    writes="`rmsprop_step`",
    names=("rmsprop_step",),
    run=_run_rmsprop,
    reference=rmsprop_step_reference,
    mistakes=(
        Mistake("s is a running mean of g, not of g squared: s = rho * s + (1 - rho) * g**2 (a mean of g "
                "can be negative, and its square root then nan).",
                rmsprop_variant(s_new=lambda s, g, rho: rho * s + (1 - rho) * g)),
        Mistake("s adds g**2 without the factor (1 - rho): s = rho * s + (1 - rho) * g**2.",
                rmsprop_variant(s_new=lambda s, g, rho: rho * s + g**2)),
        Mistake("rho and 1 - rho are swapped: the old s keeps the weight rho, s = rho * s + (1 - rho) * g**2.",
                rmsprop_variant(s_new=lambda s, g, rho: (1 - rho) * s + rho * g**2)),
        Mistake("theta uses sqrt(s) + eps, PyTorch's placement of eps (outside the root): bplib follows "
                "Keras, which puts eps inside, theta = theta - lr * g / np.sqrt(s + eps). The two differ "
                "for small gradients.", rmsprop_variant(step=lambda g, s, lr, eps: lr * g / (np.sqrt(s) + eps))),
        Mistake("theta divides by s + eps: the square root is missing, theta = theta - lr * g / np.sqrt(s + eps) "
                "(root mean square).", rmsprop_variant(step=lambda g, s, lr, eps: lr * g / (s + eps))),
        Mistake("theta moved uphill: the update subtracts, theta = theta - lr * g / np.sqrt(s + eps).",
                rmsprop_variant(step=lambda g, s, lr, eps: -lr * g / np.sqrt(s + eps))),
    ),
    error_hint="rmsprop_step(theta, g, s, lr, rho, eps) returns the tuple (theta, s), arrays of theta's shape.",
    passed="s = rho s + (1 - rho) g**2 and theta = theta - lr g / sqrt(s + eps), as bplib's RMSprop, over "
           "four steps.",
)

check_rmsprop_step = RMSPROP_STEP.check


# ---- Adam -------------------------------------------------------------------------------------

_BETA1, _BETA2 = 0.9, 0.999


def adam_step_reference(theta: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, lr: float,
                        beta1: float, beta2: float, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Adam, Keras's form (bplib's ``Adam``). ``t`` counts the steps taken so far (0 before the first)."""
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    theta = theta - lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (np.sqrt(v) + eps)
    return theta, m, v, t


def _run_adam(step: Any) -> Iterator[tuple[str, Any]]:
    theta, m, v, t = _THETA0.copy(), np.zeros_like(_THETA0), np.zeros_like(_THETA0), 0
    with np.errstate(all="ignore"):
        for k, (g, lr) in enumerate(zip(_gradients(), _LRS), start=1):
            theta, m, v, t = _pair(step(theta.copy(), g.copy(), m.copy(), v.copy(), t, lr, _BETA1, _BETA2, _EPS),
                                   "`adam_step`", 4)
            theta, m, v = _array(theta), _array(m), _array(v)
            yield f"m after step {k}", m
            yield f"v after step {k}", v
            yield f"theta after step {k}", theta
            yield f"t returned by step {k}", t


def _adam(correct_m: bool = True, correct_v: bool = True, g_squared: bool = True, count_first: bool = True,
          eps: str = "keras", sign: float = -1.0, return_new_t: bool = True) -> Any:
    """A wrong Adam step: the reference with one part changed."""

    def step(theta, g, m, v, t, lr, beta1, beta2, eps_value):  # type: ignore[no-untyped-def]
        t_new = t + 1
        t_used = t_new if count_first else t
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * (g**2 if g_squared else g)
        c1 = (1 - beta1**t_used) if correct_m else 1.0
        c2 = (1 - beta2**t_used) if correct_v else 1.0
        if eps == "keras":
            update = np.sqrt(c2) / c1 * m / (np.sqrt(v) + eps_value)
        elif eps == "pytorch":
            update = (m / c1) / (np.sqrt(v / c2) + eps_value)
        else:  # inside the root
            update = np.sqrt(c2) / c1 * m / np.sqrt(v + eps_value)
        return theta + sign * lr * update, m, v, (t_new if return_new_t else t)

    return step


ADAM_STEP = Exercise(
    id="11-adam",
    title="adam_step: Adam with bias correction (Keras form)",
    writes="`adam_step`",
    names=("adam_step",),
    run=_run_adam,
    reference=adam_step_reference,
    mistakes=(
        Mistake("v is a running mean of g, not of g squared: v = beta2 * v + (1 - beta2) * g**2.",
                _adam(g_squared=False)),
        Mistake("theta is nan at the first step: t was 0 in the bias correction, and 1 - beta1**0 = 0. t counts "
                "the steps taken; count this one first (t = t + 1), so that the first step has t = 1.",
                _adam(count_first=False)),
        Mistake("theta has no bias correction: m and v start at 0 and underestimate the moments by the factors "
                "1 - beta1**t and 1 - beta2**t; the step is lr * sqrt(1 - beta2**t) / (1 - beta1**t) * "
                "m / (np.sqrt(v) + eps).", _adam(correct_m=False, correct_v=False)),
        Mistake("theta corrects m but not v: the step size also has the factor sqrt(1 - beta2**t), "
                "lr * sqrt(1 - beta2**t) / (1 - beta1**t).", _adam(correct_v=False)),
        Mistake("theta corrects v but not m: divide by 1 - beta1**t as well, "
                "lr * sqrt(1 - beta2**t) / (1 - beta1**t).", _adam(correct_m=False)),
        Mistake("theta adds eps to sqrt(v_hat) = sqrt(v / (1 - beta2**t)): that is PyTorch's placement. bplib "
                "follows Keras, which adds eps to the uncorrected sqrt(v): lr * sqrt(1 - beta2**t) / "
                "(1 - beta1**t) * m / (np.sqrt(v) + eps). The two differ for small gradients.",
                _adam(eps="pytorch")),
        Mistake("theta puts eps inside the square root (that is Keras's RMSprop, not its Adam): Adam divides "
                "by np.sqrt(v) + eps.", _adam(eps="inside")),
        Mistake("theta moved uphill: the update subtracts, theta = theta - step.", _adam(sign=+1.0)),
        Mistake("the t returned is the t received: return the new count t + 1, so that the next step's "
                "bias correction uses the next t.", _adam(return_new_t=False)),
    ),
    error_hint=("adam_step(theta, g, m, v, t, lr, beta1, beta2, eps) returns the tuple (theta, m, v, t). A "
                "ZeroDivisionError at the first step means t was 0 in 1 - beta1**t: count this step first "
                "(t = t + 1)."),
    passed="m, v, the bias-corrected step (eps on the uncorrected sqrt(v)) and the step count equal bplib's "
           "Adam over four steps.",
)

check_adam_step = ADAM_STEP.check
