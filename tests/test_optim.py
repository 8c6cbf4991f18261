"""Optimisers: one step by hand against the Keras formulas, minima of a quadratic, state per parameter."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.nn import Layer, Linear
from bplib.optim import SGD, Adam, RMSprop


class Params(Layer):
    """A 'layer' holding one parameter vector with a gradient we set by hand."""

    def __init__(self, value: np.ndarray) -> None:
        super().__init__()
        self.params = {"p": np.array(value, dtype=np.float64)}
        self.grads = {"p": np.zeros_like(self.params["p"])}


def quadratic_grad(p: np.ndarray, scales: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Gradient of f(p) = 1/2 * sum(scales * (p - centre)**2), whose minimum is at ``centre``."""
    return scales * (p - centre)


def test_sgd_step_matches_formula() -> None:
    model = Params([1.0, -2.0])
    model.grads["p"][:] = [0.5, -4.0]
    SGD(lr=0.1).step(model)
    np.testing.assert_allclose(model.params["p"], [1.0 - 0.05, -2.0 + 0.4])


def test_sgd_momentum_two_steps_match_formula() -> None:
    model, opt = Params([1.0]), SGD(lr=0.1, momentum=0.9)
    p, v = 1.0, 0.0
    for g in [2.0, -1.0]:
        model.grads["p"][:] = g
        opt.step(model)
        v = 0.9 * v - 0.1 * g
        p = p + v
    np.testing.assert_allclose(model.params["p"], [p])


def test_rmsprop_two_steps_match_keras_formula() -> None:
    model, opt = Params([1.0, 3.0]), RMSprop(lr=0.01)
    p, v = np.array([1.0, 3.0]), np.zeros(2)
    for g in [np.array([0.3, -2.0]), np.array([-0.1, 5.0])]:
        model.grads["p"][:] = g
        opt.step(model)
        v = 0.9 * v + 0.1 * g**2
        p = p - 0.01 * g / np.sqrt(v + 1e-7)
    np.testing.assert_allclose(model.params["p"], p, rtol=1e-12)


def test_adam_three_steps_match_keras_formula() -> None:
    model, opt = Params([0.5, -1.5]), Adam(lr=0.01)
    p, m, v = np.array([0.5, -1.5]), np.zeros(2), np.zeros(2)
    for t, g in enumerate([np.array([1.0, -0.2]), np.array([0.5, 0.1]), np.array([-2.0, 0.0])], start=1):
        model.grads["p"][:] = g
        opt.step(model)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g**2
        p = p - 0.01 * np.sqrt(1 - 0.999**t) / (1 - 0.9**t) * m / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(model.params["p"], p, rtol=1e-12)


def test_defaults_are_keras_defaults() -> None:
    rms, adam = RMSprop(), Adam()
    assert (rms.lr, rms.rho, rms.eps) == (1e-3, 0.9, 1e-7)
    assert (adam.lr, adam.beta1, adam.beta2, adam.eps) == (1e-3, 0.9, 0.999, 1e-7)


@pytest.mark.parametrize("make_optimizer, steps", [
    (lambda: SGD(lr=0.1, momentum=0.9), 500),
    (lambda: RMSprop(lr=0.01), 2000),
    (lambda: Adam(lr=0.05), 2000),
])
def test_reaches_the_minimum_of_an_ill_conditioned_quadratic(make_optimizer, steps) -> None:
    scales, centre = np.array([1.0, 10.0, 0.5]), np.array([3.0, -2.0, 1.0])
    model, opt = Params([0.0, 0.0, 0.0]), make_optimizer()
    for _ in range(steps):
        model.grads["p"][:] = quadratic_grad(model.params["p"], scales, centre)
        opt.step(model)
    # RMSprop's and Adam's steps shrink as the gradient does; they end within a few lr of the minimum.
    np.testing.assert_allclose(model.params["p"], centre, atol=0.02)


def test_updates_are_in_place_and_keep_float32() -> None:
    layer = Linear(3, 2, rng=np.random.default_rng(0))
    x = np.ones((4, 3), dtype=np.float32)
    out = layer.forward(x)
    layer.backward(np.ones_like(out))
    W_before = layer.params["W"]
    for opt in (SGD(0.1, momentum=0.5), RMSprop(), Adam()):
        opt.step(layer)
        assert layer.params["W"] is W_before, f"{opt!r} replaced the array instead of updating it in place"
        assert layer.params["W"].dtype == np.float32 and layer.params["b"].dtype == np.float32


def test_state_is_kept_per_parameter_name() -> None:
    layer = Linear(2, 2, rng=np.random.default_rng(1))
    out = layer.forward(np.ones((1, 2)))
    layer.backward(np.ones_like(out))
    opt = Adam()
    opt.step(layer)
    assert set(opt.state) == {"W", "b"}
    assert opt.state["W"]["m"].shape == (2, 2) and opt.state["b"]["v"].shape == (2,)


def test_missing_gradient_and_bad_hyperparameters_are_reported() -> None:
    layer = Linear(2, 2, rng=np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="no gradient"):
        SGD(0.1).step(layer)
    with pytest.raises(ValueError, match="learning rate"):
        SGD(0.0)
    with pytest.raises(ValueError, match="momentum"):
        SGD(0.1, momentum=1.5)


@pytest.mark.parametrize("make_optimizer", [lambda: SGD(0.05, momentum=0.9), lambda: RMSprop(0.01),
                                            lambda: Adam(0.01)], ids=["momentum", "RMSprop", "Adam"])
def test_state_carries_over_when_the_parameters_switch_to_float32(make_optimizer) -> None:
    """Linear casts its parameters to the input's dtype; the moments must follow, consistent with t.

    Three float64 steps then three float32 steps must end where six float64 steps on the same data do
    (up to float32 rounding), not where a restart of the moments from zero (with t still counting) would.
    """
    rng = np.random.default_rng(3)
    X, dZ = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    switched, reference = Linear(3, 2, rng=np.random.default_rng(4)), Linear(3, 2, rng=np.random.default_rng(4))
    opt_switched, opt_reference = make_optimizer(), make_optimizer()
    for step in range(6):
        x = X.astype(np.float32) if step >= 3 else X
        switched.forward(x)
        switched.backward(dZ.astype(x.dtype))
        opt_switched.step(switched)
        reference.forward(x.astype(np.float64))
        reference.backward(dZ.astype(x.dtype).astype(np.float64))
        opt_reference.step(reference)
    assert switched.W.dtype == np.float32 and opt_switched.t == 6
    assert all(s.dtype == np.float32 for state in opt_switched.state.values() for s in state.values())
    for key in ("W", "b"):
        np.testing.assert_allclose(switched.params[key], reference.params[key], rtol=1e-5, atol=1e-6)


def test_state_of_another_model_is_an_error() -> None:
    opt = Adam()
    for layer in (Linear(2, 3, rng=np.random.default_rng(0)), Linear(4, 3, rng=np.random.default_rng(0))):
        out = layer.forward(np.ones((1, layer.in_features)))
        layer.backward(np.ones_like(out))
        if layer.in_features == 2:
            opt.step(layer)
    with pytest.raises(ValueError, match=r"'W' has shape \(4, 3\).*state.*\(2, 3\).*new optimizer"):
        opt.step(layer)
