"""The notebook-05 check, with layers written as a learner writes them: each typical mistake gets its hint."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import ExerciseFailed, NotDoneYet, check_linear_layer


class Correct:
    """The reference answer, written the way the notebook's solution is."""

    def __init__(self, in_features, out_features, rng):
        self.params = {"W": rng.normal(0.0, np.sqrt(2.0 / in_features), size=(in_features, out_features)),
                       "b": np.zeros(out_features)}
        self.grads = {}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, grad_out):
        self.grads["W"] = self.x.T @ grad_out
        self.grads["b"] = grad_out.sum(axis=0)
        return grad_out @ self.params["W"].T


class MissingTransposeDW(Correct):
    def backward(self, grad_out):
        self.grads["W"] = self.x @ grad_out
        self.grads["b"] = grad_out.sum(axis=0)
        return grad_out @ self.params["W"].T


class TransposedDW(Correct):
    def backward(self, grad_out):
        self.grads["W"] = grad_out.T @ self.x
        self.grads["b"] = grad_out.sum(axis=0)
        return grad_out @ self.params["W"].T


class BiasNotSummed(Correct):
    def backward(self, grad_out):
        self.grads["W"] = self.x.T @ grad_out
        self.grads["b"] = grad_out
        return grad_out @ self.params["W"].T


class BiasWrongAxis(Correct):
    def backward(self, grad_out):
        self.grads["W"] = self.x.T @ grad_out
        self.grads["b"] = grad_out.sum(axis=1)
        return grad_out @ self.params["W"].T


class BiasKeepdims(Correct):
    def backward(self, grad_out):
        self.grads["W"] = self.x.T @ grad_out
        self.grads["b"] = grad_out.sum(axis=0, keepdims=True)
        return grad_out @ self.params["W"].T


class BiasMean(Correct):
    def backward(self, grad_out):
        self.grads["W"] = self.x.T @ grad_out
        self.grads["b"] = grad_out.mean(axis=0)
        return grad_out @ self.params["W"].T


class MissingTransposeDX(Correct):
    def backward(self, grad_out):
        self.grads["W"] = self.x.T @ grad_out
        self.grads["b"] = grad_out.sum(axis=0)
        return grad_out @ self.params["W"]


class ExtraOneOverN(Correct):
    def backward(self, grad_out):
        n = grad_out.shape[0]
        self.grads["W"] = self.x.T @ grad_out / n
        self.grads["b"] = grad_out.sum(axis=0) / n
        return grad_out @ self.params["W"].T / n


class WrongSign(Correct):
    def backward(self, grad_out):
        self.grads["W"] = -(self.x.T @ grad_out)
        self.grads["b"] = -grad_out.sum(axis=0)
        return -(grad_out @ self.params["W"].T)


class ReturnsNothing(Correct):
    def backward(self, grad_out):
        self.grads["W"] = self.x.T @ grad_out
        self.grads["b"] = grad_out.sum(axis=0)


class Accumulates(Correct):
    def __init__(self, in_features, out_features, rng):
        super().__init__(in_features, out_features, rng)
        self.grads = {"W": np.zeros((in_features, out_features)), "b": np.zeros(out_features)}

    def backward(self, grad_out):
        self.grads["W"] += self.x.T @ grad_out
        self.grads["b"] += grad_out.sum(axis=0)
        return grad_out @ self.params["W"].T


class ForgotBias(Correct):
    def forward(self, x):
        self.x = x
        return x @ self.params["W"]


class ForwardWrongProduct(Correct):
    def forward(self, x):
        self.x = x
        return x @ self.params["W"].T + self.params["b"]


class CachedWeights(Correct):
    """Copies W at construction: the check's parameters (and the finite differences) never reach forward."""

    def __init__(self, in_features, out_features, rng):
        super().__init__(in_features, out_features, rng)
        self.W = self.params["W"].copy()

    def forward(self, x):
        self.x = x
        return x @ self.W + self.params["b"]


class Unfinished(Correct):
    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, grad_out):
        # YOUR CODE HERE
        raise NotImplementedError()


class UnfinishedBackward(Correct):
    def backward(self, grad_out):
        # YOUR CODE HERE
        raise NotImplementedError()


def test_correct_layer_passes(capsys):
    check_linear_layer(Correct)
    out = capsys.readouterr().out
    assert out.startswith("PASSED: ")
    assert "dW = X.T @ dZ" in out


def test_bplib_linear_passes(capsys):
    from bplib.nn import Linear

    check_linear_layer(Linear)
    assert capsys.readouterr().out.startswith("PASSED")


@pytest.mark.parametrize(
    ("layer_class", "phrase"),
    [
        (MissingTransposeDW, "looks like X @ dZ: the transpose is missing"),
        (TransposedDW, "the transpose of dW"),
        (BiasNotSummed, "is dZ itself, one row per example"),
        (BiasWrongAxis, "summed over the wrong axis"),
        (BiasKeepdims, "keepdims=True"),
        (BiasMean, "the mean of dZ over the batch"),
        (MissingTransposeDX, "returned dZ @ W: the transpose is missing, dX = dZ @ W.T"),
        (ExtraOneOverN, "an extra 1/N"),
        (WrongSign, "wrong sign"),
        (ReturnsNothing, "backward(dZ) is None"),
        (Accumulates, "instead of adding to them"),
        (ForgotBias, "the bias is missing"),
        (ForwardWrongProduct, "forward computes X @ W.T"),
        (CachedWeights, "forward must read self.params"),
    ],
)
def test_typical_mistakes_get_their_hint(layer_class, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_linear_layer(layer_class)
    assert phrase in str(info.value)


@pytest.mark.parametrize("layer_class", [Unfinished, UnfinishedBackward])
def test_unfinished_exercise_is_not_done_yet(layer_class):
    with pytest.raises(NotDoneYet, match=f"not done yet: complete `{layer_class.__name__}.(forward|backward)`"):
        check_linear_layer(layer_class)
