"""Tests of bplib.functions: derivatives against central differences (float64, relative error < 1e-7),
known values, dtype preservation and stability for extreme inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bplib import functions as F
from bplib.gradcheck import numerical_gradient, relative_error

TOL = 1e-7
SETTINGS = settings(max_examples=30, deadline=None)

seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 6)
shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)


# Finite differences in float64 with eps = 1e-6 have an absolute error around 1e-10, so a relative
# error < 1e-7 needs gradients that are not tiny: inputs are drawn where the functions are not
# saturated (|z| <= 4 for activations, logits within +-3 for softmax); extreme inputs are tested apart.
def activations_input(rng: np.random.Generator, shape) -> np.ndarray:
    return np.clip(rng.normal(0, 2, shape), -4, 4)


def logits_input(rng: np.random.Generator, shape) -> np.ndarray:
    return np.clip(rng.normal(0, 1, shape), -3, 3)


def away_from_zero(x: np.ndarray, margin: float = 0.05) -> np.ndarray:
    """Move values out of (-margin, margin): finite differences straddling ReLU's kink are meaningless."""
    return np.where(x >= 0, x + margin, x - margin)


# --------------------------------------------------------------------------------------------
# Derivatives against finite differences
# --------------------------------------------------------------------------------------------

ELEMENTWISE = [(F.sigmoid, F.sigmoid_grad), (F.tanh, F.tanh_grad), (F.relu, F.relu_grad)]


@pytest.mark.parametrize("f, f_grad", ELEMENTWISE, ids=["sigmoid", "tanh", "relu"])
@SETTINGS
@given(shape=shapes, seed=seeds)
def test_elementwise_derivatives(f, f_grad, shape, seed):
    rng = np.random.default_rng(seed)
    z = away_from_zero(activations_input(rng, shape))
    R = rng.standard_normal(shape)     # L = sum(f(z) * R)  =>  dL/dz = f'(z) * R
    numeric = numerical_gradient(lambda z: np.sum(f(z) * R), z)
    assert relative_error(f_grad(z) * R, numeric) < TOL


@SETTINGS
@given(c=st.integers(1, 6), seed=seeds)
def test_softmax_jacobian_single_vector(c, seed):
    z = logits_input(np.random.default_rng(seed), c)
    J = F.softmax_jacobian(z)
    assert J.shape == (c, c)
    for i in range(c):                  # row i of J is the gradient of softmax(z)[i]
        numeric = numerical_gradient(lambda z: F.softmax(z)[i], z)
        assert relative_error(J[i], numeric) < TOL
    np.testing.assert_allclose(J, J.T, atol=1e-15)                # symmetric
    np.testing.assert_allclose(J.sum(axis=1), 0, atol=1e-15)     # softmax is shift invariant


@SETTINGS
@given(n=sizes, c=st.integers(1, 6), seed=seeds)
def test_softmax_jacobian_batch(n, c, seed):
    rng = np.random.default_rng(seed)
    z, R = logits_input(rng, (n, c)), rng.standard_normal((n, c))
    J = F.softmax_jacobian(z)
    assert J.shape == (n, c, c)
    analytic = np.einsum("ni,nij->nj", R, J)     # dL/dz_j = sum_i R_i * ds_i/dz_j
    numeric = numerical_gradient(lambda z: np.sum(F.softmax(z) * R), z)
    assert relative_error(analytic, numeric) < TOL


@SETTINGS
@given(n=sizes, c=st.integers(1, 6), seed=seeds)
def test_log_softmax_gradient(n, c, seed):
    rng = np.random.default_rng(seed)
    z, R = logits_input(rng, (n, c)), rng.standard_normal((n, c))
    # d/dz_j sum_i R_i (z_i - lse(z)) = R_j - softmax(z)_j * sum_i R_i
    analytic = R - F.softmax(z) * R.sum(axis=1, keepdims=True)
    numeric = numerical_gradient(lambda z: np.sum(F.log_softmax(z) * R), z)
    assert relative_error(analytic, numeric) < TOL


@SETTINGS
@given(shape=shapes, seed=seeds)
def test_mse_gradient(shape, seed):
    rng = np.random.default_rng(seed)
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    numeric = numerical_gradient(lambda p: F.mse(p, target), pred)
    assert relative_error(F.mse_grad(pred, target), numeric) < TOL


@SETTINGS
@given(n=sizes, k=st.integers(1, 3), seed=seeds, hard=st.booleans())
def test_binary_cross_entropy_gradient(n, k, seed, hard):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.05, 0.95, (n, k))       # inside the clipping range
    y = rng.integers(0, 2, (n, k)).astype(float) if hard else rng.uniform(0, 1, (n, k))
    numeric = numerical_gradient(lambda p: F.binary_cross_entropy(p, y), p)
    assert relative_error(F.binary_cross_entropy_grad(p, y), numeric) < TOL


@SETTINGS
@given(n=sizes, c=st.integers(1, 6), seed=seeds, onehot=st.booleans())
def test_cross_entropy_gradient(n, c, seed, onehot):
    rng = np.random.default_rng(seed)
    logits = logits_input(rng, (n, c))
    labels = rng.integers(0, c, n)
    target = np.eye(c)[labels] if onehot else labels
    numeric = numerical_gradient(lambda z: F.cross_entropy(z, target), logits)
    assert relative_error(F.cross_entropy_grad(logits, target), numeric) < TOL


@SETTINGS
@given(n=sizes, c=st.integers(2, 6), seed=seeds)
def test_cross_entropy_gradient_soft_targets(n, c, seed):
    rng = np.random.default_rng(seed)
    logits = logits_input(rng, (n, c))
    target = F.softmax(rng.standard_normal((n, c)))        # rows are probability distributions
    numeric = numerical_gradient(lambda z: F.cross_entropy(z, target), logits)
    assert relative_error(F.cross_entropy_grad(logits, target), numeric) < TOL


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

def test_known_values():
    assert F.sigmoid(0.0) == 0.5
    assert F.sigmoid_grad(0.0) == 0.25
    np.testing.assert_allclose(F.sigmoid(np.array([-2.0, 2.0])), 1 / (1 + np.exp([2.0, -2.0])))
    assert F.tanh_grad(0.0) == 1.0
    np.testing.assert_array_equal(F.relu(np.array([-1.0, 0.0, 2.0])), [0, 0, 2])
    np.testing.assert_array_equal(F.relu_grad(np.array([-1.0, 0.0, 2.0])), [0, 0, 1])
    assert F.mse(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]])) == pytest.approx(2.5)   # (1 + 4) / 2
    np.testing.assert_allclose(F.mse_grad(np.array([[1.0, 2.0]]), np.zeros((1, 2))), [[1.0, 2.0]])
    assert F.binary_cross_entropy(np.array([0.5, 0.5]), np.array([0.0, 1.0])) == pytest.approx(np.log(2))
    assert F.cross_entropy(np.zeros((3, 4)), np.array([0, 1, 3])) == pytest.approx(np.log(4))
    # the one-hot and the label forms agree
    z, labels = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]), np.array([2, 0])
    assert F.cross_entropy(z, labels) == pytest.approx(F.cross_entropy(z, np.eye(3)[labels]))
    np.testing.assert_allclose(F.cross_entropy_grad(z, labels), F.cross_entropy_grad(z, np.eye(3)[labels]))
    # float labels that are whole numbers are accepted
    assert F.cross_entropy(z, np.array([2.0, 0.0])) == pytest.approx(F.cross_entropy(z, labels))


@SETTINGS
@given(shape=shapes, seed=seeds, axis=st.integers(-1, 0))
def test_softmax_properties(shape, seed, axis):
    z = np.random.default_rng(seed).normal(0, 5, shape)
    s = F.softmax(z, axis=axis)
    np.testing.assert_allclose(s.sum(axis=axis), 1.0)
    assert np.all(s >= 0)
    np.testing.assert_allclose(F.softmax(z + 100.0, axis=axis), s, rtol=1e-12)   # shift invariance
    np.testing.assert_allclose(F.log_softmax(z, axis=axis), np.log(s), rtol=1e-10, atol=1e-12)


@SETTINGS
@given(z=hnp.arrays(st.sampled_from([np.float32, np.float64]), shapes,
                    elements=st.floats(-1e4, 1e4, width=32)))
def test_sigmoid_symmetry_and_range_any_value(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = F.sigmoid(z)
        assert s.dtype == z.dtype
        assert np.all((s >= 0) & (s <= 1))
        tol = 1e-6 if z.dtype == np.float32 else 1e-15
        np.testing.assert_allclose(F.sigmoid(-z), 1 - s, atol=tol)
        assert np.all(np.isfinite(F.sigmoid_grad(z)))


# --------------------------------------------------------------------------------------------
# dtypes
# --------------------------------------------------------------------------------------------

UNARY = [F.sigmoid, F.sigmoid_grad, F.tanh, F.tanh_grad, F.relu, F.relu_grad, F.softmax, F.log_softmax,
         F.softmax_jacobian]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("f", UNARY, ids=lambda f: f.__name__)
def test_unary_functions_keep_dtype(f, dtype):
    z = np.random.default_rng(0).normal(0, 2, (4, 3)).astype(dtype)
    out = f(z)
    assert out.dtype == dtype
    assert out.shape == ((4, 3, 3) if f is F.softmax_jacobian else (4, 3))


@pytest.mark.parametrize("f", UNARY, ids=lambda f: f.__name__)
def test_integer_input_becomes_float64(f):
    assert f(np.array([[1, -2, 3]])).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_keep_dtype(dtype):
    rng = np.random.default_rng(0)
    pred = rng.uniform(0.1, 0.9, (5, 3)).astype(dtype)
    target = rng.uniform(0, 1, (5, 3))                 # float64 target: cast to pred's dtype
    labels = np.array([0, 2, 1, 1, 0])
    for value in [F.mse(pred, target), F.binary_cross_entropy(pred, target), F.cross_entropy(pred, labels),
                  F.cross_entropy(pred, np.eye(3)[labels])]:
        assert isinstance(value, np.floating) and value.dtype == dtype
    for grad in [F.mse_grad(pred, target), F.binary_cross_entropy_grad(pred, target),
                 F.cross_entropy_grad(pred, labels), F.cross_entropy_grad(pred, np.eye(3)[labels])]:
        assert grad.dtype == dtype and grad.shape == (5, 3)


# --------------------------------------------------------------------------------------------
# Extreme inputs: finite, no RuntimeWarning (overflow, invalid, divide by zero)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_are_finite_without_warnings(dtype):
    z = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]], dtype=dtype)
    p = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 1.0], [0.0, 0.0, 1.0]], dtype=dtype)
    y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 1.0, 0.0]])
    labels = np.array([0, 2, 1])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        results = [f(z) for f in UNARY]
        results += [F.mse(z, -z), F.mse_grad(z, -z), F.binary_cross_entropy(p, y),
                    F.binary_cross_entropy_grad(p, y), F.cross_entropy(z, labels),
                    F.cross_entropy_grad(z, labels), F.cross_entropy(z, np.eye(3)[labels]),
                    F.cross_entropy_grad(z, np.eye(3)[labels])]
    for r in results:
        assert np.all(np.isfinite(r))
        assert np.asarray(r).dtype == dtype
    # and the values are the right limits
    np.testing.assert_array_equal(F.sigmoid(z[0]), [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(F.softmax(z)[0], [0.0, 0.0, 1.0])
    np.testing.assert_allclose(F.softmax(z)[2], [1 / 3] * 3, rtol=1e-6)
    assert F.cross_entropy(z[:1], labels[:1]) == pytest.approx(2e4, rel=1e-6)
    assert F.binary_cross_entropy(p[:1, :2], y[:1, :2]) > 10        # confidently wrong: a large loss


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [-1, 3, 17])
@pytest.mark.parametrize("f", [F.cross_entropy, F.cross_entropy_grad])
def test_bad_label_names_the_label(f, bad):
    with pytest.raises(ValueError, match=rf"label {bad}\b.*\[0, 3\)"):
        f(np.zeros((3, 3)), np.array([0, bad, 1]))


def test_classification_target_errors():
    z = np.zeros((2, 3))
    with pytest.raises(ValueError, match="whole numbers"):
        F.cross_entropy(z, np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"3 labels for 2 rows"):
        F.cross_entropy(z, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"\(2, 1\).*\(2, 3\)"):
        F.cross_entropy(z, np.array([[0], [1]]))
    with pytest.raises(ValueError, match="sum to 1"):
        F.cross_entropy(z, np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]]))
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        F.cross_entropy(np.zeros(3), np.array([1]))


@pytest.mark.parametrize("f", [F.mse, F.mse_grad, F.binary_cross_entropy, F.binary_cross_entropy_grad])
def test_pred_target_shape_mismatch(f):
    # (N, 1) against (N,) would silently broadcast to (N, N): it must be an error naming both shapes
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        f(np.full((4, 1), 0.5), np.ones(4))


# --------------------------------------------------------------------------------------------
# dtype kept on NumPy 1.x too (a float32 scalar with a Python number gives float64 there)
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("f", [F.sigmoid, F.sigmoid_grad, F.tanh, F.tanh_grad, F.relu, F.relu_grad])
def test_unary_functions_keep_dtype_of_a_scalar(f, dtype):
    for z in (dtype(-0.5), np.array(0.7, dtype=dtype)):
        assert np.asarray(f(z)).dtype == dtype, f"{f.__name__}({type(z).__name__}) lost its dtype"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_loss_keeps_dtype_for_every_target_form(dtype):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((4, 3)).astype(dtype)
    labels = np.array([0, 2, 1, 2])
    onehot = np.eye(3)[labels]                                    # float64 one-hot: cast to the logits' dtype
    for target in (labels, onehot, onehot.astype(np.float32)):
        assert F.cross_entropy(logits, target).dtype == dtype
        assert F.cross_entropy_grad(logits, target).dtype == dtype
    p, y = rng.uniform(0.1, 0.9, (4, 1)).astype(dtype), np.array([[0.0], [1.0], [1.0], [0.0]])
    for value in (F.mse(p, y), F.mse_grad(p, y), F.binary_cross_entropy(p, y), F.binary_cross_entropy_grad(p, y)):
        assert value.dtype == dtype
    one = np.array([[0.3]], dtype=dtype)                          # a single element: every step is a scalar one
    for value in (F.mse(one, [[1.0]]), F.binary_cross_entropy(one, [[1.0]]), F.cross_entropy(one, [0]),
                  F.cross_entropy(one, [[1.0]])):
        assert value.dtype == dtype
