"""Cross-check of bplib's forward values and gradients against PyTorch autograd (float64).

Skipped when torch does not import: PyTorch is an optional oracle, never a dependency of bplib.
The same weights are set in both libraries; note PyTorch's Linear stores W as (out, in), the
transpose of bplib's (in, out).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from bplib.nn import BCELoss, Linear, MSELoss, ReLU, Sequential, Sigmoid, SoftmaxCrossEntropy, Tanh  # noqa: E402

RTOL, ATOL = 1e-10, 1e-12


def to_torch(model: Sequential) -> torch.nn.Sequential:
    """The same network in PyTorch, with bplib's weights copied over (float64)."""
    modules = []
    for layer in model:
        if isinstance(layer, Linear):
            linear = torch.nn.Linear(layer.in_features, layer.out_features, dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(layer.W.T.copy()))
                linear.bias.copy_(torch.from_numpy(layer.b.copy()))
            modules.append(linear)
        else:
            modules.append({ReLU: torch.nn.ReLU, Tanh: torch.nn.Tanh, Sigmoid: torch.nn.Sigmoid}[type(layer)]())
    return torch.nn.Sequential(*modules)


def compare(model: Sequential, loss, torch_loss, X: np.ndarray, y: np.ndarray, torch_y) -> None:
    """Loss value, dL/dX and every parameter gradient must agree with PyTorch."""
    reference = to_torch(model)
    X_t = torch.from_numpy(X.copy()).requires_grad_(True)
    value_t = torch_loss(reference(X_t), torch_y)
    value_t.backward()

    out = model.forward(X)
    value = loss.forward(out, y)
    dX = model.backward(loss.backward())

    assert value == pytest.approx(value_t.item(), rel=RTOL)
    np.testing.assert_allclose(dX, X_t.grad.numpy(), rtol=RTOL, atol=ATOL)
    torch_layers = iter(m for m in reference if isinstance(m, torch.nn.Linear))
    for layer in model:
        if isinstance(layer, Linear):
            linear = next(torch_layers)
            np.testing.assert_allclose(layer.grads["W"], linear.weight.grad.numpy().T, rtol=RTOL, atol=ATOL)
            np.testing.assert_allclose(layer.grads["b"], linear.bias.grad.numpy(), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("seed", range(3))
def test_linear_softmax_cross_entropy(seed):
    rng = np.random.default_rng(seed)
    model = Sequential(Linear(6, 4, rng=rng))
    X, labels = rng.standard_normal((8, 6)), rng.integers(0, 4, 8)
    compare(model, SoftmaxCrossEntropy(), torch.nn.CrossEntropyLoss(), X, labels, torch.from_numpy(labels))


@pytest.mark.parametrize("onehot", [False, True])
def test_mlp_softmax_cross_entropy(onehot):
    rng = np.random.default_rng(1)
    model = Sequential(Linear(7, 6, rng=rng), ReLU(), Linear(6, 5, init="xavier", rng=rng), Tanh(),
                       Linear(5, 3, init="normal", rng=rng))
    X, labels = rng.standard_normal((10, 7)), rng.integers(0, 3, 10)
    y = np.eye(3)[labels] if onehot else labels
    # torch's CrossEntropyLoss takes class indices or class probabilities (one-hot rows)
    compare(model, SoftmaxCrossEntropy(), torch.nn.CrossEntropyLoss(), X, y, torch.from_numpy(y))


def test_mlp_bce():
    rng = np.random.default_rng(2)
    model = Sequential(Linear(4, 5, rng=rng), Tanh(), Linear(5, 2, init="xavier", rng=rng), Sigmoid())
    X = rng.standard_normal((9, 4))
    y = rng.integers(0, 2, (9, 2)).astype(np.float64)
    compare(model, BCELoss(), torch.nn.BCELoss(), X, y, torch.from_numpy(y))


def test_mlp_mse():
    rng = np.random.default_rng(3)
    model = Sequential(Linear(3, 8, rng=rng), Sigmoid(), Linear(8, 2, rng=rng))
    X, y = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    compare(model, MSELoss(), torch.nn.MSELoss(), X, y, torch.from_numpy(y))


def test_xor_network_float64():
    """The course's XOR 2-4-1 sigmoid network with MSE, as in the first notebooks."""
    rng = np.random.default_rng(4)
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    model = Sequential(Linear(2, 4, init="normal", rng=rng), Sigmoid(), Linear(4, 1, init="normal", rng=rng),
                       Sigmoid())
    compare(model, MSELoss(), torch.nn.MSELoss(), X, y, torch.from_numpy(y))
