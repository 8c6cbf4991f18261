"""Notebook 07's checks of the fixed suspects, with fixes written as a learner writes them."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import (ExerciseFailed, NotDoneYet, check_fixed_a, check_fixed_b, check_fixed_c,
                                    check_fixed_d, check_fixed_e)
from bplib.course.suspects import (SuspectA, SuspectB, SuspectC, SuspectD, SuspectE, corrected,
                                   sigmoid_derivative)
from bplib.functions import sigmoid, sigmoid_grad


# ---- correct fixes, in more than one way -------------------------------------------------------

class FixedAInForward(SuspectA):
    def forward(self, x):
        p = self.params
        self.x = np.asarray(x, dtype=np.float64)
        self.hidden = sigmoid(self.x @ p["W1"] + p["b1"])
        self.output = sigmoid(self.hidden @ p["W2"] + p["b2"])
        return self.output


class FixedAInBackward(SuspectA):
    """Leaves forward alone and computes a1 from the kept z1 in backward: also right."""

    def backward(self, grad_out):
        p = self.params
        a1 = sigmoid(self.hidden)
        d2 = grad_out * sigmoid_derivative(self.output)
        self.grads["W2"] = a1.T @ d2
        self.grads["b2"] = d2.sum(axis=0)
        d1 = (d2 @ p["W2"].T) * sigmoid_derivative(a1)
        self.grads["W1"] = self.x.T @ d1
        self.grads["b1"] = d1.sum(axis=0)
        return d1 @ p["W1"].T


class FixedB(SuspectB):
    def backward(self, grad_out):
        self.grads["W"] = self.x.T @ grad_out
        self.grads["b"] = grad_out.sum(axis=0)
        return grad_out @ self.params["W"].T


class FixedC(SuspectC):
    def backward(self, grad_out):
        p = self.params
        d2 = grad_out * sigmoid_derivative(self.a2)
        self.grads["W2"] = self.a1.T @ d2
        self.grads["b2"] = d2.sum(axis=0)
        d1 = (d2 @ p["W2"].T) * sigmoid_derivative(self.a1)
        self.grads["W1"] = self.x.T @ d1
        self.grads["b1"] = np.sum(d1, axis=0)
        return d1 @ p["W1"].T


class FixedD(SuspectD):
    def backward(self):
        return 2 * self.diff / self.diff.size


class FixedE(SuspectE):
    def backward(self, grad_out):
        p = self.params
        d2 = grad_out * self.a2 * (1 - self.a2)
        self.grads["W2"] = self.a1.T @ d2
        self.grads["b2"] = d2.sum(axis=0)
        d1 = (d2 @ p["W2"].T) * sigmoid_derivative(self.a1)
        self.grads["W1"] = self.x.T @ d1
        self.grads["b1"] = d1.sum(axis=0)
        return d1 @ p["W1"].T


@pytest.mark.parametrize(("check", "answer"), [
    (check_fixed_a, FixedAInForward), (check_fixed_a, FixedAInBackward), (check_fixed_b, FixedB),
    (check_fixed_c, FixedC), (check_fixed_d, FixedD), (check_fixed_e, FixedE),
    *((check, corrected(suspect)) for check, suspect in [(check_fixed_a, SuspectA), (check_fixed_b, SuspectB),
                                                        (check_fixed_c, SuspectC), (check_fixed_d, SuspectD),
                                                        (check_fixed_e, SuspectE)]),
])
def test_correct_fixes_pass(check, answer, capsys):
    check(answer)
    assert capsys.readouterr().out.startswith("PASSED: forward unchanged")


# ---- wrong fixes ---------------------------------------------------------------------------------

class AOnlyFirstLine(SuspectA):
    """Changes self.hidden to the activation but forgets the line after it."""

    def forward(self, x):
        p = self.params
        self.x = np.asarray(x, dtype=np.float64)
        self.hidden = sigmoid(self.x @ p["W1"] + p["b1"])
        self.output = sigmoid(sigmoid(self.hidden) @ p["W2"] + p["b2"])
        return self.output


class AHalfInBackward(SuspectA):
    def backward(self, grad_out):
        p = self.params
        d2 = grad_out * sigmoid_derivative(self.output)
        self.grads["W2"] = sigmoid(self.hidden).T @ d2
        self.grads["b2"] = d2.sum(axis=0)
        d1 = (d2 @ p["W2"].T) * sigmoid_derivative(self.hidden)
        self.grads["W1"] = self.x.T @ d1
        self.grads["b1"] = d1.sum(axis=0)
        return d1 @ p["W1"].T


class BForwardTransposed(SuspectB):
    def forward(self, x):
        self.x = np.asarray(x, dtype=np.float64)
        return self.x @ self.params["W"].T + self.params["b"]


class BTransposeOutside(SuspectB):
    def backward(self, grad_out):
        self.grads["W"] = self.x.T @ grad_out
        self.grads["b"] = grad_out.sum(axis=0)
        return (grad_out @ self.params["W"].T).T


class CSumAll(SuspectC):
    def backward(self, grad_out):
        p = self.params
        d2 = grad_out * sigmoid_derivative(self.a2)
        self.grads["W2"] = self.a1.T @ d2
        self.grads["b2"] = d2.sum(axis=0)
        d1 = (d2 @ p["W2"].T) * sigmoid_derivative(self.a1)
        self.grads["W1"] = self.x.T @ d1
        self.grads["b1"] = np.sum(d1)
        return d1 @ p["W1"].T


class CMean(SuspectC):
    def backward(self, grad_out):
        p = self.params
        d2 = grad_out * sigmoid_derivative(self.a2)
        self.grads["W2"] = self.a1.T @ d2
        self.grads["b2"] = d2.sum(axis=0)
        d1 = (d2 @ p["W2"].T) * sigmoid_derivative(self.a1)
        self.grads["W1"] = self.x.T @ d1
        self.grads["b1"] = d1.mean(axis=0)
        return d1 @ p["W1"].T


class DSumLoss(SuspectD):
    def forward(self, pred, target):
        self.diff = np.asarray(pred) - np.asarray(target)
        return float((self.diff ** 2).sum())


class DRows(SuspectD):
    def backward(self):
        n = self.diff.shape[0]
        return 2 * self.diff / n


class DScalar(SuspectD):
    def backward(self):
        return (2 * self.diff).mean()


class ESigmoidGrad(SuspectE):
    def backward(self, grad_out):
        p = self.params
        d2 = grad_out * sigmoid_grad(self.a2)
        self.grads["W2"] = self.a1.T @ d2
        self.grads["b2"] = d2.sum(axis=0)
        d1 = (d2 @ p["W2"].T) * sigmoid_derivative(self.a1)
        self.grads["W1"] = self.x.T @ d1
        self.grads["b1"] = d1.sum(axis=0)
        return d1 @ p["W1"].T


class EOnlyInW2(SuspectE):
    def backward(self, grad_out):
        p = self.params
        d2 = grad_out
        self.grads["W2"] = self.a1.T @ (d2 * self.a2 * (1 - self.a2))
        self.grads["b2"] = d2.sum(axis=0)
        d1 = (d2 @ p["W2"].T) * sigmoid_derivative(self.a1)
        self.grads["W1"] = self.x.T @ d1
        self.grads["b1"] = d1.sum(axis=0)
        return d1 @ p["W1"].T


class FixedBUnfinished(SuspectB):
    def backward(self, grad_out):
        # YOUR CODE HERE
        raise NotImplementedError()


@pytest.mark.parametrize(
    ("check", "answer", "phrase"),
    [
        (check_fixed_a, SuspectA, "the fault of suspect A remains"),
        (check_fixed_a, AOnlyFirstLine, "a fix that breaks the forward pass"),
        (check_fixed_a, AHalfInBackward, "half fixed"),
        (check_fixed_b, SuspectB, "the fault of suspect B remains"),
        (check_fixed_b, BForwardTransposed, "a fix that breaks the forward pass"),
        (check_fixed_b, BTransposeOutside, "the transpose of dL/dx"),
        (check_fixed_c, SuspectC, "the fault of suspect C remains"),
        (check_fixed_c, CSumAll, "over all axes"),
        (check_fixed_c, CMean, "the mean of d1"),
        (check_fixed_d, SuspectD, "the fault of suspect D remains"),
        (check_fixed_d, DSumLoss, "a fix that breaks the forward pass"),
        (check_fixed_d, DRows, "the number of rows"),
        (check_fixed_d, DScalar, "one number"),
        (check_fixed_e, SuspectE, "the fault of suspect E remains"),
        (check_fixed_e, ESigmoidGrad, "sigmoid_grad takes the PRE-activation"),
        (check_fixed_e, EOnlyInW2, "half fixed"),
    ],
)
def test_remaining_faults_are_named(check, answer, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check(answer)
    assert phrase in str(info.value)


def test_unfinished_fix_is_not_done_yet():
    with pytest.raises(NotDoneYet, match="not done yet: complete `FixedBUnfinished.backward`"):
        check_fixed_b(FixedBUnfinished)
