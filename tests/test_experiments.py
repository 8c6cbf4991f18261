"""bplib.course.experiments: the computations behind the widgets and the notebooks' sweeps (no figures)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from bplib.autograd import topological_order
from bplib.data import xor
from bplib.nn import Linear, MSELoss, ReLU, Sequential, Sigmoid
from bplib.optim import SGD, Adam, RMSprop
from bplib.course.experiments import (N_EXAMPLES, WIDTH, PointParameter, backward_step_state, build_deep_net,
                                      default_expression, depth_run, layer_gradient_norms, learned_xor,
                                      make_optimisers, optimiser_path, train_xor, verdict)
from bplib.course.surfaces import QUADRATIC_START, WELLS_START, four_wells_grad, gradient_descent, quadratic_grad


def test_experiments_import_no_widgets():
    # exercise checks and notebooks import experiments; ipywidgets must not come with it
    import subprocess
    code = "import sys, bplib.course.experiments; print('ipywidgets' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# --- the backward pass, one node at a time (notebook 02) ----------------------------------------

def test_gradients_accumulate_step_by_step_to_those_of_backward():
    reference = default_expression()
    reference.backward()
    expected = {n.label: n.grad for n in topological_order(reference)}
    n = len(expected)
    last = backward_step_state(n)
    assert {node.label: node.grad for node in topological_order(last.root)} == pytest.approx(expected)
    # z is used twice: its gradient grows in two steps (1 and 2), then stays
    grads_of_z = []
    for step in range(n + 1):
        state = backward_step_state(step)
        (z,) = [node for node in topological_order(state.root) if node.label == "z"]
        grads_of_z.append(z.grad)
    assert grads_of_z[0] == 0.0
    assert 0.0 < grads_of_z[1] < grads_of_z[2] == pytest.approx(expected["z"])
    assert grads_of_z[2:] == pytest.approx([expected["z"]] * (n - 1))


def test_step_zero_has_no_highlight_and_all_grads_zero():
    state = backward_step_state(0)
    assert state.node is None
    assert all(node.grad == 0.0 for node in topological_order(state.root))


def test_steps_out_of_range_are_refused():
    with pytest.raises(ValueError, match="between 0 and 7"):
        backward_step_state(8)
    with pytest.raises(ValueError, match="between 0 and 7"):
        backward_step_state(-1)


# --- optimisers moving a point (notebooks 04 and 11) ----------------------------------------------

def test_point_parameter_is_moved_in_place_by_an_optimiser():
    point = PointParameter((1.0, -2.0))
    w = point.w
    point.grad[...] = (0.5, 4.0)
    SGD(0.1).step(point)
    assert point.w is w
    np.testing.assert_allclose(point.w, [0.95, -2.4])
    assert [name for name, _, _ in point.parameters()] == ["w"]


def test_paths_follow_the_update_rules():
    # plain gradient descent on the quadratic has the closed form w_k = w_0 (1 - lr * l)^k
    path = optimiser_path(SGD(0.1), quadratic_grad, QUADRATIC_START, 10)
    k = np.arange(11)[:, None]
    np.testing.assert_allclose(path, np.array(QUADRATIC_START) * (1 - 0.1 * np.array([1.0, 10.0])) ** k,
                               rtol=1e-12, atol=1e-15)
    # Adam's first step is lr * sign(g) (up to eps): the bias correction makes m_hat = g, v_hat = g^2
    path = optimiser_path(Adam(0.15), quadratic_grad, QUADRATIC_START, 1)
    np.testing.assert_allclose(path[1] - path[0], -0.15 * np.sign(quadratic_grad(np.array(QUADRATIC_START))),
                               rtol=1e-6)
    # RMSprop's first step is lr / sqrt(1 - rho) * sign(g): no bias correction
    path = optimiser_path(RMSprop(0.01, rho=0.9), quadratic_grad, QUADRATIC_START, 1)
    np.testing.assert_allclose(np.abs(path[1] - path[0]), 0.01 / np.sqrt(0.1), rtol=1e-6)


def test_divergent_runs_stop_before_overflowing():
    path = optimiser_path(SGD(0.5), quadratic_grad, QUADRATIC_START, 1000)
    assert len(path) < 1001 and np.all(np.isfinite(path))
    path = optimiser_path(SGD(0.5), four_wells_grad, WELLS_START, 1000)
    assert len(path) < 1001 and np.all(np.isfinite(path))


def test_make_optimisers_uses_the_sliders_values():
    opts = make_optimisers(0.2, 0.8, 0.99, 0.7)
    assert list(opts) == ["SGD", "SGD + momentum", "RMSprop", "Adam"]
    assert opts["SGD + momentum"].momentum == 0.8
    assert opts["RMSprop"].rho == 0.7
    assert (opts["Adam"].beta1, opts["Adam"].beta2) == (0.8, 0.99)
    assert all(o.lr == 0.2 for o in opts.values())


def test_gradient_descent_is_optimiser_path_with_sgd():
    for grad, w0, lr in [(quadratic_grad, QUADRATIC_START, 0.15), (four_wells_grad, (1.8, 0.01), 0.05),
                         (quadratic_grad, QUADRATIC_START, 0.25)]:
        np.testing.assert_array_equal(gradient_descent(grad, w0, lr, 60),
                                      optimiser_path(SGD(lr), grad, w0, 60, max_norm=1e6))
    # the same loop as the textbook's w <- w - eta * grad(w), to the last bit
    w, expected = np.array(QUADRATIC_START), [np.array(QUADRATIC_START)]
    for _ in range(20):
        w = w - 0.1 * quadratic_grad(w)
        expected.append(w)
    np.testing.assert_array_equal(gradient_descent(quadratic_grad, QUADRATIC_START, 0.1, 20), np.array(expected))
    with pytest.raises(ValueError, match="learning rate must be positive"):
        gradient_descent(quadratic_grad, QUADRATIC_START, 0.0, 5)


# --- R1's XOR network (notebook 08) -----------------------------------------------------------

def _bplib_run(lr, hidden, epochs, seed):
    """R1 written with bplib's layers, the reference train_xor must reproduce."""
    X, y = xor()
    rng = np.random.default_rng(seed)
    model = Sequential(Linear(2, hidden, init="normal", rng=rng), Sigmoid(),
                       Linear(hidden, 1, init="normal", rng=rng), Sigmoid())
    loss, optimizer = MSELoss(), SGD(lr)
    losses = []
    for _ in range(epochs):
        losses.append(loss.forward(model.forward(X), y))
        model.backward(loss.backward())
        optimizer.step(model)
    return model, np.array(losses)


@pytest.mark.parametrize(("lr", "hidden", "seed"), [(0.01, 4, 0), (1.0, 4, 3), (2.0, 2, 7)])
def test_train_xor_reproduces_bplib_sequential(lr, hidden, seed):
    X, _ = xor()
    model, losses = _bplib_run(lr, hidden, 300, seed)
    runs = train_xor(lr, hidden, 300, seed)
    np.testing.assert_allclose(runs.losses[:, 0], losses, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(runs.predictions[0], model.forward(X)[:, 0], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(runs.model(0).forward(X), model.forward(X), rtol=1e-12, atol=1e-15)


def test_train_xor_runs_are_independent_of_their_batch():
    together = train_xor([0.5, 2.0, 0.5], 3, 200, [1, 1, 4])
    for i, (lr, seed) in enumerate([(0.5, 1), (2.0, 1), (0.5, 4)]):
        alone = train_xor(lr, 3, 200, seed)
        np.testing.assert_allclose(together.losses[:, i], alone.losses[:, 0], rtol=1e-12, atol=1e-15)
    assert together.W1.shape == (3, 2, 3) and together.b1.shape == (3, 3)
    assert together.W2.shape == (3, 3, 1) and together.b2.shape == (3, 1)
    assert together.predictions.shape == (3, 4) and together.final_loss.shape == (3,)


def test_r1_does_not_learn_at_lr_001_but_lr_1_does():
    runs = train_xor([0.01, 1.0], 4, 10_000, 0)
    assert runs.learned.tolist() == [False, True]
    assert runs.final_loss[0] > 0.24 and runs.final_loss[1] < 0.01


def test_train_xor_rejects_bad_arguments():
    with pytest.raises(ValueError, match="3 learning rates but 2 seeds"):
        train_xor([0.1, 0.2, 0.3], 4, 10, [0, 1])
    with pytest.raises(ValueError, match="positive"):
        train_xor(0.0, 4, 10, 0)
    with pytest.raises(ValueError, match="hidden"):
        train_xor(0.1, 0, 10, 0)


def test_learned_xor_criterion():
    assert learned_xor(np.array([0.1, 0.9, 0.8, 0.2]))
    assert not learned_xor(np.array([0.49, 0.51, 0.51, 0.49]))   # the right side of 0.5, but no margin
    assert not learned_xor(np.array([[0.1], [0.9], [0.2], [0.9]]))
    np.testing.assert_array_equal(learned_xor(np.array([[0.1, 0.9, 0.8, 0.2], [0.5, 0.5, 0.5, 0.5]])),
                                  [True, False])
    with pytest.raises(ValueError):
        learned_xor(np.zeros(3))


# --- deep networks (notebook 12) -----------------------------------------------------------------

def test_deep_net_shapes_and_layers():
    model = build_deep_net(5, "he", "relu", np.random.default_rng(0))
    assert len(model) == 9  # 4 hidden (Linear + ReLU) and the output Linear
    linears = [layer for layer in model if isinstance(layer, Linear)]
    assert [(l.in_features, l.out_features) for l in linears] == [(WIDTH, WIDTH)] * 4 + [(WIDTH, 10)]
    assert all(isinstance(model[i], ReLU) for i in range(1, 9, 2))
    assert isinstance(build_deep_net(3, "xavier", "sigmoid", np.random.default_rng(0))[1], Sigmoid)


def test_run_is_reproducible_and_records_every_layer():
    a, b = depth_run(6, "xavier", "tanh"), depth_run(6, "xavier", "tanh")
    assert a.grad_norms == b.grad_norms and a.loss == b.loss
    assert list(a.activations) == [f"layer {l}" for l in range(1, 6)]
    assert all(x.shape == (N_EXAMPLES, WIDTH) for x in a.activations.values())
    assert list(a.grad_norms) == [str(l) for l in range(1, 7)]


@pytest.mark.parametrize(("activation", "init", "expected"), [
    ("sigmoid", "xavier", "vanishing gradients"),      # sigma' <= 1/4 at every layer
    ("relu", "he", "healthy"),                         # Var(w) = 2 / D_in keeps the variance
    ("relu", "normal", "exploding"),                   # Var(w) = 1: the variance grows D_in / 2 per layer
    ("relu", "xavier", "shrinking activations"),       # Var(w) = 1 / D for square layers: halves per layer
    ("tanh", "normal", "saturated units"),             # |z| large: tanh stuck at +-1
    ("tanh", "xavier", "healthy"),
])
def test_verdicts_follow_the_variance_argument(activation, init, expected):
    assert expected in verdict(depth_run(10, init, activation))


def test_sigmoid_gradient_shrinks_by_orders_of_magnitude_with_depth():
    shallow, deep = depth_run(3, "xavier", "sigmoid"), depth_run(15, "xavier", "sigmoid")
    assert deep.ratio < 1e-6 < shallow.ratio
    norms = list(deep.grad_norms.values())
    assert all(a < b for a, b in zip(norms, norms[1:])), "every layer nearer the input gets a smaller gradient"


def test_he_relu_activations_keep_their_variance():
    run = depth_run(20, "he", "relu")
    stds = np.array([a.std() for a in run.activations.values()])
    assert np.all((stds > 0.3) & (stds < 3))


@pytest.mark.parametrize(("kwargs", "phrase"), [
    ({"depth": 1}, "depth must be"), ({"init": "glorot"}, "unknown init"), ({"activation": "elu"}, "unknown activation"),
])
def test_bad_settings_are_rejected(kwargs, phrase):
    with pytest.raises(ValueError, match=phrase):
        depth_run(**kwargs)


def test_layer_gradient_norms_reads_the_weight_gradients():
    rng = np.random.default_rng(0)
    model = Sequential(Linear(3, 4, rng=rng), ReLU(), Linear(4, 2, rng=rng))
    with pytest.raises(ValueError, match="no gradient yet"):
        layer_gradient_norms(model)
    model.forward(rng.standard_normal((5, 3)))
    model.backward(np.ones((5, 2)))             # dL/dZ^(2) of L = the sum of the outputs
    norms = layer_gradient_norms(model)
    assert list(norms) == ["0.W", "2.W"]
    assert norms["2.W"] == pytest.approx(np.linalg.norm(model[2].grads["W"]))
    assert list(layer_gradient_norms(model, include_biases=True)) == ["0.W", "0.b", "2.W", "2.b"]
