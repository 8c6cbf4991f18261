"""The notebook-11 checks (momentum, RMSprop, Adam), with steps written as a learner writes them.

The references are also compared with bplib.optim's classes step for step, so the checks teach
exactly the formulas bplib (Keras) uses.
"""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import ExerciseFailed, NotDoneYet, check_adam_step, check_momentum_step, check_rmsprop_step
from bplib.course.exercises.optimisers import adam_step_reference, momentum_step_reference, rmsprop_step_reference
from bplib.course.experiments import PointParameter
from bplib.optim import SGD, Adam, RMSprop


# ---- the references are bplib's formulas ------------------------------------------------------

def _bplib_path(optimizer, gradients):
    point = PointParameter(np.array([0.5, -1.0, 2.0]))
    for g in gradients:
        point.grad[...] = g
        optimizer.step(point)
    return point.w


GRADIENTS = [np.array([0.3, -2.0, 1e-5]), np.array([0.1, 1.0, -3e-6]), np.array([-0.2, 0.5, 1e-6])]


def test_momentum_reference_is_bplib_sgd_with_momentum():
    theta, v = np.array([0.5, -1.0, 2.0]), np.zeros(3)
    for g in GRADIENTS:
        theta, v = momentum_step_reference(theta, g, v, 0.1, 0.9)
    np.testing.assert_allclose(theta, _bplib_path(SGD(0.1, momentum=0.9), GRADIENTS), rtol=1e-14, atol=0)


def test_rmsprop_reference_is_bplib_rmsprop():
    theta, s = np.array([0.5, -1.0, 2.0]), np.zeros(3)
    for g in GRADIENTS:
        theta, s = rmsprop_step_reference(theta, g, s, 0.01, 0.9, 1e-7)
    np.testing.assert_allclose(theta, _bplib_path(RMSprop(0.01, rho=0.9, eps=1e-7), GRADIENTS), rtol=1e-14, atol=0)


def test_adam_reference_is_bplib_adam():
    theta, m, v, t = np.array([0.5, -1.0, 2.0]), np.zeros(3), np.zeros(3), 0
    for g in GRADIENTS:
        theta, m, v, t = adam_step_reference(theta, g, m, v, t, 0.01, 0.9, 0.999, 1e-7)
    assert t == len(GRADIENTS)
    np.testing.assert_allclose(theta, _bplib_path(Adam(0.01, beta1=0.9, beta2=0.999, eps=1e-7), GRADIENTS),
                               rtol=1e-14, atol=0)


# ---- momentum, as learners write it ------------------------------------------------------------

def momentum_correct(theta, g, v, lr, mu):
    v = mu * v - lr * g
    theta = theta + v
    return theta, v


def momentum_in_place(theta, g, v, lr, mu):
    v *= mu
    v -= lr * g
    theta += v
    return theta, v


def momentum_pytorch(theta, g, v, lr, mu):
    v = mu * v + g
    theta = theta - lr * v
    return theta, v


def momentum_flipped_velocity(theta, g, v, lr, mu):
    v = mu * v + lr * g
    theta -= v
    return theta, v


def momentum_uphill(theta, g, v, lr, mu):
    v = mu * v - lr * g
    return theta - v, v


def momentum_old_velocity(theta, g, v, lr, mu):
    theta = theta + v
    v = mu * v - lr * g
    return theta, v


def momentum_as_average(theta, g, v, lr, mu):
    v = mu * v + (1 - mu) * g
    return theta - lr * v, v


def momentum_forgot_mu(theta, g, v, lr, mu):
    v = v - lr * g
    return theta + v, v


def test_momentum_correct_passes(capsys):
    check_momentum_step(momentum_correct)
    check_momentum_step(momentum_in_place)
    assert capsys.readouterr().out.startswith("PASSED: ")


@pytest.mark.parametrize(("step", "phrase"), [
    (momentum_pytorch, "PyTorch's velocity"),
    (momentum_flipped_velocity, "v has the opposite sign"),
    (momentum_uphill, "theta moved uphill"),
    (momentum_old_velocity, "moved by the old velocity"),
    (momentum_as_average, "Adam's m"),
    (momentum_forgot_mu, "never decays"),
])
def test_momentum_mistakes_get_their_hint(step, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_momentum_step(step)
    assert phrase in str(info.value)


def test_pytorch_momentum_equals_keras_only_for_a_constant_learning_rate():
    """The fact the hint states: with one lr the two forms give the same theta; with a decayed lr they do not."""
    g_seq = [np.array([1.0, -0.5]), np.array([0.3, 0.2]), np.array([-0.4, 0.1])]
    for lrs, same in (([0.1, 0.1, 0.1], True), ([0.1, 0.1, 0.01], False)):
        keras, torch = (np.zeros(2), np.zeros(2)), (np.zeros(2), np.zeros(2))
        for g, lr in zip(g_seq, lrs):
            keras = momentum_correct(keras[0], g, keras[1], lr, 0.9)
            torch = momentum_pytorch(torch[0], g, torch[1], lr, 0.9)
        assert np.allclose(keras[0], torch[0], rtol=1e-12, atol=1e-15) is same


def test_momentum_returning_one_value_is_named():
    with pytest.raises(ExerciseFailed, match="must return a tuple of 2 values"):
        check_momentum_step(lambda theta, g, v, lr, mu: theta - lr * g)


# ---- RMSprop ----------------------------------------------------------------------------------

def rmsprop_correct(theta, g, s, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    return theta - lr * g / np.sqrt(s + eps), s


def rmsprop_g_not_squared(theta, g, s, lr, rho, eps):
    s = rho * s + (1 - rho) * g
    return theta - lr * g / np.sqrt(s + eps), s


def rmsprop_pytorch_eps(theta, g, s, lr, rho, eps):
    s = rho * s + (1 - rho) * g * g
    theta = theta - lr * g / (np.sqrt(s) + eps)
    return theta, s


def rmsprop_no_root(theta, g, s, lr, rho, eps):
    s = rho * s + (1 - rho) * np.square(g)
    return theta - lr * g / (s + eps), s


def rmsprop_uphill(theta, g, s, lr, rho, eps):
    s = rho * s + (1 - rho) * g**2
    return theta + lr * g / np.sqrt(s + eps), s


def rmsprop_swapped(theta, g, s, lr, rho, eps):
    s = (1 - rho) * s + rho * g**2
    return theta - lr * g / np.sqrt(s + eps), s


def rmsprop_no_one_minus_rho(theta, g, s, lr, rho, eps):
    s = rho * s + g**2
    return theta - lr * g / np.sqrt(s + eps), s


def test_rmsprop_correct_passes(capsys):
    check_rmsprop_step(rmsprop_correct)
    assert capsys.readouterr().out.startswith("PASSED: ")


@pytest.mark.parametrize(("step", "phrase"), [
    (rmsprop_g_not_squared, "not of g squared"),
    (rmsprop_pytorch_eps, "PyTorch's placement of eps"),
    (rmsprop_no_root, "the square root is missing"),
    (rmsprop_uphill, "theta moved uphill"),
    (rmsprop_swapped, "rho and 1 - rho are swapped"),
    (rmsprop_no_one_minus_rho, "without the factor (1 - rho)"),
])
def test_rmsprop_mistakes_get_their_hint(step, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_rmsprop_step(step)
    assert phrase in str(info.value)


# ---- Adam -------------------------------------------------------------------------------------

def adam_correct(theta, g, m, v, t, lr, beta1, beta2, eps):
    t += 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    alpha = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
    theta = theta - alpha * m / (np.sqrt(v) + eps)
    return theta, m, v, t


def adam_t_from_zero(theta, g, m, v, t, lr, beta1, beta2, eps):
    """Uses t before counting this step: 1 - beta1**0 = 0 at the first step."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps * np.sqrt(1 - beta2**t))
    return theta, m, v, t + 1


def adam_t_from_zero_python_floats(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    alpha = lr * (1 - beta2**t) ** 0.5 / (1 - beta1**t)   # ZeroDivisionError at t = 0
    return theta - alpha * m / (np.sqrt(v) + eps), m, v, t + 1


def adam_no_correction(theta, g, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * m / (np.sqrt(v) + eps), m, v, t + 1


def adam_only_m_corrected(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v) + eps), m, v, t


def adam_g_not_squared(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g
    return theta - lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) * m / (np.sqrt(v) + eps), m, v, t


def adam_pytorch_eps(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t


def adam_eps_in_root(theta, g, m, v, t, lr, beta1, beta2, eps):
    t = t + 1
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    return theta - lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) * m / np.sqrt(v + eps), m, v, t


def adam_uphill(theta, g, m, v, t, lr, beta1, beta2, eps):
    theta, m, v, t = adam_correct(-theta, g, m, v, t, lr, beta1, beta2, eps)
    return -theta, m, v, t


def adam_forgot_to_return_t(theta, g, m, v, t, lr, beta1, beta2, eps):
    theta, m, v, _ = adam_correct(theta, g, m, v, t, lr, beta1, beta2, eps)
    return theta, m, v, t


def test_adam_correct_passes(capsys):
    check_adam_step(adam_correct)
    assert capsys.readouterr().out.startswith("PASSED: ")


@pytest.mark.parametrize(("step", "phrase"), [
    (adam_t_from_zero, "t was 0 in the bias correction"),
    (adam_t_from_zero_python_floats, "ZeroDivisionError at the first step means t was 0"),
    (adam_no_correction, "no bias correction"),
    (adam_only_m_corrected, "corrects m but not v"),
    (adam_g_not_squared, "not of g squared"),
    (adam_pytorch_eps, "PyTorch's placement"),
    (adam_eps_in_root, "inside the square root"),
    (adam_forgot_to_return_t, "the t returned is the t received"),
])
def test_adam_mistakes_get_their_hint(step, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_adam_step(step)
    assert phrase in str(info.value)


def test_adam_uphill_is_named():
    """An update with the wrong sign: the check names it (the engine's own hint or the catalogue's)."""
    with pytest.raises(ExerciseFailed, match="uphill|wrong sign"):
        check_adam_step(adam_uphill)


@pytest.mark.parametrize("check", [check_momentum_step, check_rmsprop_step, check_adam_step])
def test_unfinished_step_is_not_done(check):
    def unfinished(*args):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotDoneYet, match="not done yet"):
        check(unfinished)
