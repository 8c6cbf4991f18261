"""Tests of bplib.gradcheck itself: finite differences, the relative error, and that check_model /
check_layer pass correct code and catch broken code."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bplib.gradcheck import (GradCheckReport, GradCheckRow, check_layer, check_model, numerical_gradient,
                             relative_error)
from bplib.nn import Layer, Linear, MSELoss, ReLU, Sequential, Sigmoid, SoftmaxCrossEntropy, Tanh

SETTINGS = settings(max_examples=30, deadline=None)
seeds = st.integers(0, 2**32 - 1)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)


# --------------------------------------------------------------------------------------------
# numerical_gradient
# --------------------------------------------------------------------------------------------

@SETTINGS
@given(shape=shapes, seed=seeds)
def test_numerical_gradient_of_sum_of_cubes(shape, seed):
    x = np.random.default_rng(seed).uniform(-2, 2, shape)
    before = x.copy()
    grad = numerical_gradient(lambda x: np.sum(x**3), x)
    assert grad.shape == x.shape and grad.dtype == np.float64
    assert relative_error(grad, 3 * x**2) < 1e-8
    np.testing.assert_array_equal(x, before)          # perturbed in place, restored exactly


def test_numerical_gradient_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda x: np.sum(np.sin(x)), x), np.cos(x), rtol=1e-8)
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    v = np.array([1.0, -1.0])
    # f(v) = v^T A v  =>  grad = (A + A^T) v
    np.testing.assert_allclose(numerical_gradient(lambda v: v @ A @ v, v), (A + A.T) @ v, rtol=1e-8)
    # a function that reads x through a closure (as check_model does with parameters)
    W = np.array([[1.0, 2.0]])
    np.testing.assert_allclose(numerical_gradient(lambda _: float(np.sum(W**2)), W), 2 * W, rtol=1e-8)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(x):
        calls.append(x.copy())
        if len(calls) == 3:
            raise ZeroDivisionError
        return x.sum()

    with pytest.raises(ZeroDivisionError):
        numerical_gradient(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_numerical_gradient_input_checks():
    with pytest.raises(TypeError, match="float NumPy array"):
        numerical_gradient(np.sum, [1.0, 2.0])
    with pytest.raises(TypeError, match="int"):
        numerical_gradient(np.sum, np.array([1, 2]))
    with pytest.warns(UserWarning, match="float64"):
        numerical_gradient(np.sum, np.array([1.0, 2.0], dtype=np.float32))


# --------------------------------------------------------------------------------------------
# relative_error
# --------------------------------------------------------------------------------------------

@SETTINGS
@given(shape=shapes, seed=seeds, scale=st.floats(1e-6, 1e6))
def test_relative_error_properties(shape, seed, scale):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(shape), rng.standard_normal(shape)
    e = relative_error(a, b)
    assert 0 <= e <= 1
    assert e == relative_error(b, a)                                       # symmetric
    assert relative_error(a * scale, b * scale) == pytest.approx(e, rel=1e-9)   # scale invariant
    assert relative_error(a, a) == 0
    if np.any(a != 0):
        assert relative_error(a, -a) == pytest.approx(1.0)
        assert relative_error(a, a * (1 + 1e-8)) == pytest.approx(0.5e-8, rel=1e-3)


def test_relative_error_edge_cases():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0       # no 0/0
    assert relative_error(np.zeros(3), np.array([0.0, 1e-100, 0.0])) == pytest.approx(1.0)
    assert relative_error(2.0, 2.0) == 0.0                        # plain numbers work
    assert isinstance(relative_error([1.0], [2.0]), float)
    with pytest.raises(ValueError, match=r"\(3,\).*\(3, 1\)"):
        relative_error(np.zeros(3), np.zeros((3, 1)))


# --------------------------------------------------------------------------------------------
# check_model and check_layer
# --------------------------------------------------------------------------------------------

class BrokenLinear(Linear):
    """A Linear layer whose dL/dW is off by a factor of 2 (its dL/db and dL/dx are right)."""

    def backward(self, grad_out, need_input_grad=True):
        dx = super().backward(grad_out, need_input_grad)
        self.grads["W"] = 2 * self.grads["W"]
        return dx


class TransposeBug(Linear):
    """dL/dx computed with W instead of W.T (only possible when the layer is square)."""

    def backward(self, grad_out, need_input_grad=True):
        super().backward(grad_out, need_input_grad)
        return np.asarray(grad_out) @ self.W


def small_problem(rng: np.random.Generator):
    X = rng.standard_normal((4, 3))
    y = rng.integers(0, 2, 4)
    return X, y


def test_check_model_passes_correct_model():
    rng = np.random.default_rng(0)
    model = Sequential(Linear(3, 4, rng=rng), Tanh(), Linear(4, 2, rng=rng))
    report = check_model(model, SoftmaxCrossEntropy(), *small_problem(rng))
    assert isinstance(report, GradCheckReport)
    assert report.passed and bool(report)
    assert [row.name for row in report.rows] == ["0.W", "0.b", "2.W", "2.b"]
    assert [row.shape for row in report.rows] == [(3, 4), (4,), (4, 2), (2,)]
    assert all(isinstance(row, GradCheckRow) and row.passed for row in report)
    assert report.max_error == max(row.error for row in report.rows) < 1e-7
    assert report.threshold == 1e-7


def test_check_model_fails_on_broken_layer():
    rng = np.random.default_rng(0)
    model = Sequential(BrokenLinear(3, 4, rng=rng), Tanh(), Linear(4, 2, rng=rng))
    report = check_model(model, SoftmaxCrossEntropy(), *small_problem(rng))
    assert not report.passed and not bool(report)
    by_name = {row.name: row for row in report.rows}
    assert not by_name["0.W"].passed and by_name["0.W"].error > 0.1
    assert by_name["0.b"].passed and by_name["2.W"].passed
    text = str(report)
    assert "FAILED" in text and "NO" in text


def test_check_model_catches_wrong_input_gradient():
    rng = np.random.default_rng(0)
    # the bug in layer 2's dL/dx corrupts the gradients of layer 0 only
    model = Sequential(Linear(3, 4, rng=rng), Sigmoid(), TransposeBug(4, 4, rng=rng), Linear(4, 2, rng=rng))
    report = check_model(model, SoftmaxCrossEntropy(), *small_problem(rng))
    failed = [row.name for row in report.rows if not row.passed]
    assert failed == ["0.W", "0.b"]


def test_check_model_leaves_model_untouched_and_handles_float32():
    rng = np.random.default_rng(0)
    model = Sequential(Linear(3, 5, rng=rng), ReLU(), Linear(5, 2, rng=rng))
    X, y = small_problem(rng)
    model(X.astype(np.float32))                    # parameters are now float32
    before = copy.deepcopy(model)
    report = check_model(model, SoftmaxCrossEntropy(), X.astype(np.float32), y)
    assert report.passed, str(report)
    assert any("float64 copy" in note for note in report.notes) and "float64 copy" in str(report)
    for (name, p, g), (_, p0, g0) in zip(model.parameters(), before.parameters()):
        assert p.dtype == np.float32, name
        np.testing.assert_array_equal(p, p0)
        assert g is None and g0 is None            # no backward ran on the model itself


def test_check_model_float_targets_and_threshold():
    rng = np.random.default_rng(0)
    model = Sequential(Linear(2, 3, rng=rng), Sigmoid(), Linear(3, 1, rng=rng))
    X, y = rng.standard_normal((5, 2)), rng.standard_normal((5, 1)).astype(np.float32)
    assert check_model(model, MSELoss(), X, y).passed
    strict = check_model(model, MSELoss(), X, y, threshold=1e-30)
    assert not strict.passed and "1e-30" in str(strict)


def test_check_layer_rows_and_failure():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    good = check_layer(Linear(4, 4, rng=rng), x)
    assert good.passed and [row.name for row in good.rows] == ["input", "W", "b"]
    assert [row.shape for row in good.rows] == [(3, 4), (4, 4), (4,)]
    bad = check_layer(TransposeBug(4, 4, rng=rng), x)
    assert [row.passed for row in bad.rows] == [False, True, True]
    assert check_layer(ReLU(), np.array([[1.0, -2.0, 0.5]])).passed
    # reproducible: the default R comes from a fixed seed
    layer = Linear(4, 2, rng=rng)
    assert check_layer(layer, x).max_error == check_layer(layer, x).max_error


def test_check_layer_learner_layer_without_base_class_features():
    class Square:                         # duck-typed: no params, backward(grad_out) only
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, grad_out):
            return 2 * self.x * grad_out

    assert check_layer(Square(), np.array([[1.0, 2.0], [-3.0, 0.5]])).passed

    class ForgetsGrads(Layer):            # computes dL/dx but never stores dL/db
        def __init__(self):
            super().__init__()
            self.params = {"b": np.zeros(2)}
            self.grads = {"b": None}

        def forward(self, x):
            return x + self.params["b"]

        def backward(self, grad_out, need_input_grad=True):
            return grad_out

    report = check_layer(ForgetsGrads(), np.ones((3, 2)))
    assert [row.passed for row in report.rows] == [True, False]
    assert report.max_error == float("inf") and "b: backward gave no gradient" in str(report)


def test_report_table():
    report = GradCheckReport([GradCheckRow("0.W", (784, 512), 1.5e-10, True),
                              GradCheckRow("0.b", (512,), 3e-3, False)], threshold=1e-7)
    text = str(report)
    lines = text.splitlines()
    assert "relative error < 1e-07" in lines[0]
    assert lines[1].split() == ["name", "shape", "relative", "error", "passed"]
    assert "(784, 512)" in text and "1.50e-10" in text and "3.00e-03" in text
    # the columns are aligned: every cell of a column starts at the same offset
    assert lines[3].index("(784, 512)") == lines[4].index("(512,)") == lines[1].index("shape")
    assert lines[-1].startswith("FAILED") and not report.passed and report.max_error == 3e-3
    empty = GradCheckReport([], threshold=1e-7)
    assert empty.passed and empty.max_error == 0.0
