"""The training loop: XOR is learned, divergence is caught, History records what happened."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bplib.data import xor
from bplib.nn import BCELoss, Linear, MSELoss, ReLU, Sequential, Sigmoid, SoftmaxCrossEntropy
from bplib.optim import SGD, Adam
from bplib.train import History, TrainingDiverged, accuracy, evaluate, fit, predict


def xor_net(seed: int) -> Sequential:
    rng = np.random.default_rng(seed)
    return Sequential(Linear(2, 4, init="normal", rng=rng), Sigmoid(), Linear(4, 1, init="normal", rng=rng), Sigmoid())


@pytest.mark.parametrize("seed", range(5))
def test_xor_2_4_1_sigmoid_mse_learns_xor(seed: int) -> None:
    X, y = xor()
    model = xor_net(seed)
    history = fit(model, MSELoss(), SGD(lr=2.0), X, y, epochs=3000, batch_size=4,
                  rng=np.random.default_rng(seed), progress=False)
    predictions = predict(model, X)
    assert accuracy(model, X, y) == 1.0, f"seed {seed}: predictions {predictions.ravel().round(3)}"
    assert np.all(np.abs(predictions - y) < 0.2)
    assert history.train_loss[-1] < history.train_loss[0] / 10


def test_history_records_epochs_steps_and_validation() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3))
    y = (X[:, 0] > 0).astype(np.int64)
    model = Sequential(Linear(3, 8, rng=rng), ReLU(), Linear(8, 2, rng=rng))
    history = fit(model, SoftmaxCrossEntropy(), Adam(lr=0.01), X, y, epochs=4, batch_size=16, rng=rng,
                  validation=(X[:20], y[:20]), progress=False)
    assert isinstance(history, History) and history.epochs == 4
    assert len(history.step_loss) == 4 * 4  # ceil(50 / 16) = 4 steps per epoch
    assert len(history.val_loss) == len(history.val_accuracy) == 4
    assert all(0.0 <= a <= 1.0 for a in history.train_accuracy + history.val_accuracy)
    val_loss, val_accuracy = evaluate(model, SoftmaxCrossEntropy(), X[:20], y[:20])
    assert val_loss == pytest.approx(history.val_loss[-1]) and val_accuracy == history.val_accuracy[-1]
    assert "4 epochs" in repr(history)


def test_planted_divergence_raises_with_epoch_step_and_hint() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4)) * 10
    y = X @ rng.normal(size=(4, 1))
    model = Sequential(Linear(4, 16, rng=rng), ReLU(), Linear(16, 1, rng=rng))
    with pytest.raises(TrainingDiverged) as info:
        with np.errstate(over="ignore", invalid="ignore"):
            fit(model, MSELoss(), SGD(lr=10.0), X, y, epochs=50, batch_size=16, rng=rng, progress=False)
    message = str(info.value)
    assert re.search(r"at epoch \d+, step \d+", message), message
    assert "Lower the learning rate" in message and "try 1" in message


def test_uint8_images_are_scaled_to_float32_per_batch() -> None:
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(40, 6), dtype=np.uint8)
    y = (X[:, 0] > 127).astype(np.int64)
    model = Sequential(Linear(6, 5, rng=rng), ReLU(), Linear(5, 2, rng=rng))
    fit(model, SoftmaxCrossEntropy(), Adam(lr=0.01), X, y, epochs=2, batch_size=16, rng=rng, progress=False)
    assert model[0].params["W"].dtype == np.float32  # parameters followed the float32 batches
    scaled = X.astype(np.float32) / 255
    np.testing.assert_allclose(predict(model, X), predict(model, scaled), rtol=1e-4, atol=1e-5)


def test_binary_accuracy_with_probabilities_and_bce() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(200, 2))
    y = (X[:, :1] + X[:, 1:] > 0).astype(np.float64)
    model = Sequential(Linear(2, 1, rng=rng), Sigmoid())
    fit(model, BCELoss(), SGD(lr=0.5), X, y, epochs=30, batch_size=20, rng=rng, progress=False)
    assert accuracy(model, X, y) > 0.95


def test_bad_inputs_are_reported() -> None:
    model = xor_net(0)
    X, y = xor()
    with pytest.raises(ValueError, match="rows"):
        fit(model, MSELoss(), SGD(0.1), X, y[:3], epochs=1, batch_size=2, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="2-D"):
        fit(model, MSELoss(), SGD(0.1), X.ravel(), y, epochs=1, batch_size=2, rng=np.random.default_rng(0))


def test_a_learners_layer_trains_when_its_backward_takes_need_input_grad() -> None:
    """fit asks the model not to compute dL/dX; a layer of one's own declares the argument as Layer does."""

    class MyLinear(Linear):
        def backward(self, dZ, need_input_grad=True):   # may ignore need_input_grad
            self.calls = getattr(self, "calls", 0) + 1
            return super().backward(dZ)

    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 3))
    y = X @ np.array([[1.0], [-2.0], [0.5]])
    model = MyLinear(3, 1, rng=rng)
    history = fit(model, MSELoss(), SGD(lr=0.1), X, y, epochs=30, batch_size=8, rng=rng, progress=False)
    assert history.train_loss[-1] < 1e-3 and model.calls == 30 * 4


def test_fit_skips_the_input_gradient_of_the_first_layer() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 2, 20)

    class Spy(Linear):
        def backward(self, dZ, need_input_grad=True):
            dX = super().backward(dZ, need_input_grad)
            self.returned = dX
            return dX

    model = Sequential(Spy(3, 4, rng=rng), ReLU(), Spy(4, 2, rng=rng))
    fit(model, SoftmaxCrossEntropy(), SGD(lr=0.1), X, y, epochs=1, batch_size=10, rng=rng, progress=False)
    assert model[0].returned is None and model[2].returned.shape == (10, 4)
