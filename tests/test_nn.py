"""Tests of bplib.nn: gradient checks of every layer and loss (float64, relative error < 1e-7), float32
dtype preservation, extreme inputs, error messages, overwritten gradients and need_input_grad."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bplib import functions as F
from bplib.gradcheck import check_layer, check_model
from bplib.nn import (BCELoss, Layer, Linear, MSELoss, ReLU, Sequential, Sigmoid, SoftmaxCrossEntropy,
                      Tanh)

SETTINGS = settings(max_examples=30, deadline=None)

# Whole-model checks use eps = 1e-5 instead of the default 1e-6. With eps = 1e-6 the rounding noise
# of the loss (a few ulp of |L|, divided by 2 eps) is ~1e-10 per gradient element, which for the
# small gradients of tiny random networks (a bias gradient ~1e-4, a first layer behind two sigmoids)
# gives relative errors of 1e-7..5e-7 on correct code in about 1% of random draws; eps = 1e-5 is
# near the optimal step for central differences in float64 and gave no false failure in 1,800 draws.
MODEL_EPS = 1e-5
seeds = st.integers(0, 2**32 - 1)
sizes = st.integers(1, 5)
ACTIVATIONS = [Sigmoid, Tanh, ReLU]


def away_from_zero(x: np.ndarray, margin: float = 0.05) -> np.ndarray:
    """Keep inputs off ReLU's kink, where finite differences are meaningless."""
    return np.where(x >= 0, x + margin, x - margin)


# --------------------------------------------------------------------------------------------
# Gradient checks
# --------------------------------------------------------------------------------------------

@SETTINGS
@given(n=sizes, d_in=sizes, d_out=sizes, seed=seeds, init=st.sampled_from(["he", "xavier", "normal"]))
def test_linear_gradcheck(n, d_in, d_out, seed, init):
    rng = np.random.default_rng(seed)
    layer = Linear(d_in, d_out, init=init, rng=rng)
    layer.params["b"][:] = rng.standard_normal(d_out)     # a non-zero bias too
    report = check_layer(layer, rng.standard_normal((n, d_in)), rng=rng)
    assert [row.name for row in report.rows] == ["input", "W", "b"]
    assert report.passed, str(report)


@pytest.mark.parametrize("cls", ACTIVATIONS, ids=lambda c: c.__name__)
@SETTINGS
@given(n=sizes, d=sizes, seed=seeds)
def test_activation_gradcheck(cls, n, d, seed):
    rng = np.random.default_rng(seed)
    x = away_from_zero(np.clip(rng.normal(0, 2, (n, d)), -4, 4))   # not saturated
    report = check_layer(cls(), x, rng=rng)
    assert [row.name for row in report.rows] == ["input"]
    assert report.passed, str(report)


def make_net(rng: np.random.Generator, sizes_: list[int], activations: list[type[Layer]],
             last: type[Layer] | None = None) -> Sequential:
    layers: list[Layer] = []
    for i, (a, b) in enumerate(zip(sizes_[:-1], sizes_[1:])):
        layers.append(Linear(a, b, init="xavier", rng=rng))
        # Random biases: with zero biases, a unit behind a dead ReLU sits exactly on ReLU's kink at 0,
        # where the derivative does not exist and finite differences disagree with any convention.
        layers[-1].params["b"][:] = rng.normal(0, 0.5, b)
        if i < len(sizes_) - 2:
            layers.append(activations[i % len(activations)]())
    if last is not None:
        layers.append(last())
    return Sequential(*layers)


# One or two hidden layers of width >= 2: deeper chains of width-1 sigmoid layers make the first
# layer's gradient so small (< 1e-4) that no finite-difference step resolves it to 1e-7.
def assume_well_conditioned(model: Sequential, loss, X: np.ndarray, y: np.ndarray) -> None:
    """Skip the draws where a relative error of 1e-7 cannot be resolved by finite differences.

    That is: an input of a ReLU within 1e-3 of its kink (a step of eps may cross it), or a parameter
    whose gradient is not exactly zero but has a norm below 1e-3 (the finite-difference noise, about
    1e-11 per element, is then more than 1e-7 of it). Hypothesis looks for exactly these corners;
    in uniformly random draws they are about 3% of the cases.
    """
    x = X
    for layer in model:
        if isinstance(layer, ReLU):
            assume(np.abs(x).min() > 1e-3)
        x = layer.forward(x)
    loss.forward(x, y)
    model.backward(loss.backward())
    for _, _, grad in model.parameters():
        norm = np.linalg.norm(grad)
        assume(norm == 0 or norm > 1e-3)


hidden = st.lists(st.integers(2, 5), min_size=1, max_size=2)
activation_lists = st.lists(st.sampled_from(ACTIVATIONS), min_size=1, max_size=2)


@SETTINGS
@given(n=sizes, d=sizes, c=st.integers(1, 5), hidden=hidden, acts=activation_lists, seed=seeds,
       onehot=st.booleans())
def test_sequential_softmax_cross_entropy_gradcheck(n, d, c, hidden, acts, seed, onehot):
    rng = np.random.default_rng(seed)
    model = make_net(rng, [d, *hidden, c], acts)
    X = rng.standard_normal((n, d))
    labels = rng.integers(0, c, n)
    y = np.eye(c)[labels] if onehot else labels
    assume_well_conditioned(model, SoftmaxCrossEntropy(), X, y)
    report = check_model(model, SoftmaxCrossEntropy(), X, y, eps=MODEL_EPS)
    assert len(report.rows) == 2 * (len(hidden) + 1)
    assert report.passed, str(report)


@SETTINGS
@given(n=sizes, d=sizes, k=st.integers(1, 3), hidden=hidden, acts=activation_lists, seed=seeds)
def test_sequential_mse_gradcheck(n, d, k, hidden, acts, seed):
    rng = np.random.default_rng(seed)
    model = make_net(rng, [d, *hidden, k], acts)
    X, y = rng.standard_normal((n, d)), rng.standard_normal((n, k))
    assume_well_conditioned(model, MSELoss(), X, y)
    report = check_model(model, MSELoss(), X, y, eps=MODEL_EPS)
    assert report.passed, str(report)


@SETTINGS
@given(n=sizes, d=sizes, k=st.integers(1, 2), hidden=hidden, acts=activation_lists, seed=seeds,
       soft=st.booleans())
def test_sequential_bce_gradcheck(n, d, k, hidden, acts, seed, soft):
    rng = np.random.default_rng(seed)
    model = make_net(rng, [d, *hidden, k], acts, last=Sigmoid)
    X = rng.standard_normal((n, d))
    y = rng.uniform(0, 1, (n, k)) if soft else rng.integers(0, 2, (n, k)).astype(float)
    assume_well_conditioned(model, BCELoss(), X, y)
    report = check_model(model, BCELoss(), X, y, eps=MODEL_EPS)
    assert report.passed, str(report)


def test_xor_network_gradcheck():
    """The course's first network: 2-4-1 with sigmoids and MSE on XOR."""
    rng = np.random.default_rng(1)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([[0], [1], [1], [0]], dtype=float)
    model = Sequential(Linear(2, 4, init="normal", rng=rng), Sigmoid(), Linear(4, 1, init="normal", rng=rng),
                       Sigmoid())
    report = check_model(model, MSELoss(), X, y)
    assert report.passed, str(report)
    assert [row.name for row in report.rows] == ["0.W", "0.b", "2.W", "2.b"]


# --------------------------------------------------------------------------------------------
# Losses: values and gradients agree with bplib.functions
# --------------------------------------------------------------------------------------------

def test_losses_match_functions():
    rng = np.random.default_rng(0)
    pred, target = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    p, y = rng.uniform(0.01, 0.99, (6, 1)), rng.integers(0, 2, (6, 1))
    labels = rng.integers(0, 3, 6)

    loss = MSELoss()
    value = loss.forward(pred, target)
    assert isinstance(value, float) and value == pytest.approx(F.mse(pred, target))
    np.testing.assert_allclose(loss.backward(), F.mse_grad(pred, target))

    loss = BCELoss()
    assert loss(p, y) == pytest.approx(F.binary_cross_entropy(p, y))
    np.testing.assert_allclose(loss.backward(), F.binary_cross_entropy_grad(p, y))

    loss = SoftmaxCrossEntropy()
    for target in (labels, np.eye(3)[labels]):
        value = loss.forward(pred, target)
        assert isinstance(value, float) and value == pytest.approx(F.cross_entropy(pred, labels))
        np.testing.assert_allclose(loss.backward(), F.cross_entropy_grad(pred, labels))


# --------------------------------------------------------------------------------------------
# float32 all the way
# --------------------------------------------------------------------------------------------

def test_linear_casts_params_on_first_float32_forward():
    rng = np.random.default_rng(0)
    layer = Linear(4, 3, rng=rng)
    assert layer.W.dtype == np.float64 and layer.b.dtype == np.float64
    W64 = layer.W.copy()
    x = rng.standard_normal((5, 4)).astype(np.float32)
    out = layer(x)
    assert out.dtype == np.float32
    assert layer.params["W"].dtype == np.float32 and layer.params["b"].dtype == np.float32
    np.testing.assert_allclose(layer.W, W64, rtol=1e-6)
    dx = layer.backward(np.ones((5, 3), dtype=np.float32))
    assert dx.dtype == np.float32
    assert layer.grads["W"].dtype == np.float32 and layer.grads["b"].dtype == np.float32
    # and back to float64 with float64 data (grads follow)
    layer(x.astype(np.float64))
    assert layer.W.dtype == np.float64 and layer.grads["W"].dtype == np.float64


@pytest.mark.parametrize("cls", ACTIVATIONS, ids=lambda c: c.__name__)
def test_activations_keep_float32(cls):
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    layer = cls()
    assert layer(x).dtype == np.float32
    assert layer.backward(np.ones((5, 4), dtype=np.float32)).dtype == np.float32


def test_sequential_and_losses_keep_float32():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 5)).astype(np.float32)
    for loss, last, y in [(SoftmaxCrossEntropy(), 3, rng.integers(0, 3, 8)),
                          (SoftmaxCrossEntropy(), 3, np.eye(3)[rng.integers(0, 3, 8)]),
                          (MSELoss(), 2, rng.standard_normal((8, 2))),
                          (BCELoss(), 1, rng.integers(0, 2, (8, 1)).astype(np.float64))]:
        model = Sequential(Linear(5, 6, rng=rng), ReLU(), Linear(6, 4, rng=rng), Tanh(), Linear(4, last, rng=rng),
                           *([Sigmoid()] if isinstance(loss, BCELoss) else []))
        out = model(X)
        assert out.dtype == np.float32
        value = loss.forward(out, y)
        assert isinstance(value, float) and np.isfinite(value)
        g = loss.backward()
        assert g.dtype == np.float32 and g.shape == out.shape
        assert model.backward(g).dtype == np.float32
        for name, param, grad in model.parameters():
            assert param.dtype == np.float32, name
            assert grad.dtype == np.float32 and grad.shape == param.shape, name


# --------------------------------------------------------------------------------------------
# Extreme inputs
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_layers_and_losses(dtype):
    z = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4, -1e4]], dtype=dtype)
    p = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 1.0]], dtype=dtype)
    y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    values, arrays = [], []
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        for cls in ACTIVATIONS:
            layer = cls()
            arrays += [layer(z), layer.backward(np.ones_like(z))]
        linear = Linear(3, 2, rng=np.random.default_rng(0))
        arrays += [linear(z), linear.backward(np.ones((2, 2), dtype=dtype)), *linear.grads.values()]
        for loss, pred, target in [(SoftmaxCrossEntropy(), z, np.array([0, 2])),
                                   (SoftmaxCrossEntropy(), z, np.eye(3)[[0, 2]]),
                                   (MSELoss(), z, -z), (BCELoss(), p, y)]:
            values.append(loss.forward(pred, target))
            arrays.append(loss.backward())
    assert all(np.isfinite(v) for v in values)
    for a in arrays:
        assert a.dtype == dtype and np.all(np.isfinite(a))


# --------------------------------------------------------------------------------------------
# Error messages
# --------------------------------------------------------------------------------------------

def test_linear_shape_mismatch_names_layer_and_shapes():
    layer = Linear(784, 512)
    with pytest.raises(ValueError) as info:
        layer(np.zeros((32, 100)))
    message = str(info.value)
    assert "Linear(784, 512)" in message and "(N, 784)" in message and "(32, 100)" in message
    with pytest.raises(ValueError, match=r"Linear\(784, 512\).*\(N, 784\).*\(784,\)"):
        layer(np.zeros(784))                    # a single example must be a row: x.reshape(1, -1)
    layer(np.zeros((32, 784)))
    with pytest.raises(ValueError) as info:
        layer.backward(np.zeros((32, 10)))
    message = str(info.value)
    assert "Linear(784, 512)" in message and "(32, 512)" in message and "(32, 10)" in message


@pytest.mark.parametrize("cls", ACTIVATIONS, ids=lambda c: c.__name__)
def test_activation_grad_shape_mismatch(cls):
    layer = cls()
    layer(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=rf"{cls.__name__}\(\).*\(3, 4\).*\(4, 3\)"):
        layer.backward(np.zeros((4, 3)))


@pytest.mark.parametrize("loss", [MSELoss(), BCELoss()], ids=repr)
def test_loss_shape_mismatch(loss):
    with pytest.raises(ValueError, match=rf"{type(loss).__name__}\(\).*\(4, 1\).*\(4,\)"):
        loss.forward(np.full((4, 1), 0.5), np.ones(4))


@pytest.mark.parametrize("bad", [-1, 10, 255])
def test_softmax_cross_entropy_bad_label(bad):
    labels = np.array([1, 2, bad, 3])
    with pytest.raises(ValueError, match=rf"SoftmaxCrossEntropy\(\).*label {bad}\b.*\[0, 10\)"):
        SoftmaxCrossEntropy().forward(np.zeros((4, 10)), labels)


def test_softmax_cross_entropy_target_shape():
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 10\)"):
        SoftmaxCrossEntropy().forward(np.zeros((4, 10)), np.zeros((4, 3)))


@pytest.mark.parametrize("layer", [Linear(2, 3), Sigmoid(), Tanh(), ReLU(),
                                   Sequential(Linear(2, 3), ReLU())], ids=lambda l: type(l).__name__)
def test_backward_before_forward(layer):
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.zeros((1, 3)))


@pytest.mark.parametrize("loss", [MSELoss(), BCELoss(), SoftmaxCrossEntropy()], ids=repr)
def test_loss_backward_before_forward(loss):
    with pytest.raises(RuntimeError, match="before forward"):
        loss.backward()


def test_linear_constructor_errors():
    with pytest.raises(ValueError, match="init"):
        Linear(2, 3, init="uniform")
    with pytest.raises(ValueError, match="positive"):
        Linear(0, 3)
    with pytest.raises(TypeError, match="not a layer"):
        Sequential(Linear(2, 3), "relu")


# --------------------------------------------------------------------------------------------
# Gradients are overwritten; need_input_grad
# --------------------------------------------------------------------------------------------

def test_gradients_are_overwritten_not_accumulated():
    rng = np.random.default_rng(0)
    model = Sequential(Linear(3, 4, rng=rng), ReLU(), Linear(4, 2, rng=rng))
    loss = SoftmaxCrossEntropy()
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 2, 5)
    loss.forward(model(X), y)
    g = loss.backward()
    model.backward(g)
    first = {name: grad.copy() for name, _, grad in model.parameters()}
    np.testing.assert_array_equal(loss.backward(), g)       # the loss's backward can be repeated
    model.backward(g)
    for name, _, grad in model.parameters():
        np.testing.assert_array_equal(grad, first[name])     # the same, not doubled
    # a different batch gives exactly the gradients of that batch alone (buffers are reused)
    X2, y2 = rng.standard_normal((5, 3)), rng.integers(0, 2, 5)
    fresh = Sequential(*[Linear(l.in_features, l.out_features) if isinstance(l, Linear) else ReLU()
                         for l in model])
    for (_, p_fresh, _), (_, p, _) in zip(fresh.parameters(), model.parameters()):
        p_fresh[...] = p
    for m in (model, fresh):
        loss.forward(m(X2), y2)
        m.backward(loss.backward())
    for (name, _, g_fresh), (_, _, grad) in zip(fresh.parameters(), model.parameters()):
        np.testing.assert_allclose(grad, g_fresh, rtol=1e-12, err_msg=name)


def test_a_kept_gradient_does_not_change_at_the_next_backward():
    """Each backward hands out new arrays: a gradient a learner keeps (to plot it over steps) stays as it was."""
    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        model = Sequential(Linear(3, 4, rng=rng), Tanh(), Linear(4, 2, rng=rng))
        X = rng.standard_normal((5, 3)).astype(dtype)
        kept = []
        for step in range(3):
            model(X)
            model.backward(rng.standard_normal((5, 2)).astype(dtype))
            kept.append((model[0].grads["W"], model[0].grads["W"].copy(), model[2].grads["b"], model[2].grads["b"].copy()))
        for dW, dW_then, db, db_then in kept:
            np.testing.assert_array_equal(dW, dW_then)
            np.testing.assert_array_equal(db, db_then)
        assert kept[0][0] is not kept[1][0] and kept[0][2] is not kept[1][2]


def test_need_input_grad_false():
    rng = np.random.default_rng(0)
    layer = Linear(3, 2, rng=rng)
    x, g = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    layer(x)
    dx = layer.backward(g)
    expected = {k: v.copy() for k, v in layer.grads.items()}
    layer.grads = {"W": None, "b": None}
    assert layer.backward(g, need_input_grad=False) is None
    for key in ("W", "b"):
        np.testing.assert_array_equal(layer.grads[key], expected[key])
    np.testing.assert_allclose(dx, g @ layer.W.T)


def test_sequential_need_input_grad_false_goes_to_first_layer_only():
    rng = np.random.default_rng(0)

    class Spy(Linear):
        def backward(self, grad_out, need_input_grad=True):
            self.flag = need_input_grad
            return super().backward(grad_out, need_input_grad)

    model = Sequential(Spy(3, 4, rng=rng), Tanh(), Spy(4, 2, rng=rng))
    X, g = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    model(X)
    assert model.backward(g, need_input_grad=False) is None
    assert model[0].flag is False and model[2].flag is True
    assert all(grad is not None for _, _, grad in model.parameters())
    model(X)
    assert model.backward(g).shape == (5, 3)
    assert model[0].flag is True

    # an activation first: it skips its input gradient too
    model = Sequential(ReLU(), Linear(3, 2, rng=rng))
    model(X)
    assert model.backward(g, need_input_grad=False) is None
    assert model[1].grads["W"] is not None

    # a learner's layer whose backward has no need_input_grad argument: plain backward works, and
    # asking it to skip its input gradient is a TypeError that names the layer and the argument
    class Square(Layer):
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, grad_out):
            return 2 * self.x * grad_out

    model = Sequential(Square(), Linear(3, 2, rng=rng))
    model(X)
    assert model.backward(g).shape == X.shape
    with pytest.raises(TypeError, match=r"Square.backward\(\).*need_input_grad"):
        model.backward(g, need_input_grad=False)


# --------------------------------------------------------------------------------------------
# Construction, names, repr, containers
# --------------------------------------------------------------------------------------------

def test_reprs():
    assert repr(Linear(784, 512)) == "Linear(784, 512)"
    assert repr(ReLU()) == "ReLU()" and repr(Sigmoid()) == "Sigmoid()" and repr(Tanh()) == "Tanh()"
    assert repr(SoftmaxCrossEntropy()) == "SoftmaxCrossEntropy()"
    model = Sequential(Linear(784, 512), ReLU(), Sequential(Linear(512, 10), Sigmoid()))
    assert repr(model) == ("Sequential(\n  (0): Linear(784, 512)\n  (1): ReLU()\n  (2): Sequential(\n"
                           "    (0): Linear(512, 10)\n    (1): Sigmoid()\n  )\n)")


def test_sequential_parameters_and_container():
    model = Sequential(Linear(4, 3), ReLU(), Linear(3, 2), Sequential(Tanh(), Linear(2, 2)))
    names = [name for name, _, _ in model.parameters()]
    assert names == ["0.W", "0.b", "2.W", "2.b", "3.1.W", "3.1.b"]
    assert all(grad is None for _, _, grad in model.parameters())      # before any backward
    assert model.params["2.W"] is model[2].params["W"]
    assert list(model.grads) == names
    assert len(model) == 4 and isinstance(model[1], ReLU) and list(model)[2] is model.layers[2]
    head = model[:2]
    assert isinstance(head, Sequential) and len(head) == 2 and head[0] is model[0]
    assert [name for name, _, _ in Linear(2, 2).parameters()] == ["W", "b"]
    assert list(ReLU().parameters()) == []


@pytest.mark.parametrize("init, std", [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(2 / 600)), ("normal", 1.0)])
def test_linear_init(init, std):
    layer = Linear(400, 200, init=init, rng=np.random.default_rng(0))
    assert layer.W.shape == (400, 200) and layer.b.shape == (200,)
    assert layer.W.dtype == np.float64
    assert layer.W.std() == pytest.approx(std, rel=0.02)
    assert abs(layer.W.mean()) < 0.01 * std
    np.testing.assert_array_equal(layer.b, 0)
    again = Linear(400, 200, init=init, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(layer.W, again.W)              # reproducible with the same rng


def test_forward_values():
    layer = Linear(2, 3)
    layer.params["W"][...] = [[1, 2, 3], [4, 5, 6]]
    layer.params["b"][...] = [1, 0, -1]
    np.testing.assert_array_equal(layer(np.array([[1.0, 1.0], [0.0, 2.0]])), [[6, 7, 8], [9, 10, 11]])
    np.testing.assert_array_equal(ReLU()(np.array([[-1.0, 0.0, 2.0]])), [[0, 0, 2]])
    model = Sequential(layer, ReLU())
    np.testing.assert_array_equal(model(np.array([[-1, 0]])), [[0, 0, 0]])    # int input works
