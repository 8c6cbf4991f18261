"""Exercises of notebook 07 (gradient checking): fix the bug hunt's suspects.

For each suspect of :mod:`bplib.course.suspects` the learner writes a corrected class deriving from
it, ``class FixedB(SuspectB)``, overriding what must change (``backward``; for suspect A the fix is
in ``forward``). The check builds the learner's class and the reference ``corrected(SuspectX)`` with
the same seeded parameters, runs both forward and backward on the same inputs and compares, in
order, the forward output (a fix must not change what the suspect computes), the parameter gradients
from the output layer down, and the gradient handed back. It names the fault that remains (the
suspect's own, or a half-done fix) and a fix that breaks the forward pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from bplib.course.exercises.engine import Exercise, Mistake, snapshot
from bplib.course.suspects import (SuspectA, SuspectB, SuspectC, SuspectD, SuspectE, corrected,
                                   sigmoid_derivative)
from bplib.data import xor
from bplib.functions import sigmoid, sigmoid_grad

__all__ = ["FIX_A", "FIX_B", "FIX_C", "FIX_D", "FIX_E",
           "check_fixed_a", "check_fixed_b", "check_fixed_c", "check_fixed_d", "check_fixed_e"]

_FORWARD_NAME = "forward(X) (a fix must leave it as the suspect computes it)"



def _run_network(fixed: Any) -> Iterator[tuple[str, Any]]:
    """A, C, E: forward on XOR's four inputs, backward of a fixed upstream gradient, every result."""
    X = xor()[0]
    grad_out = np.random.default_rng(71).normal(size=(4, 1))
    net = fixed(rng=np.random.default_rng(70))
    yield _FORWARD_NAME, snapshot(net.forward(X.copy()))
    dX = net.backward(grad_out.copy())
    for name in ("W2", "b2", "W1", "b1"):
        yield f"grads['{name}']", snapshot(net.grads.get(name))
    yield "backward(grad_out) (dL/dX)", snapshot(dX)


def _run_linear(fixed: Any) -> Iterator[tuple[str, Any]]:
    """B: the suspect's 2 x 2 layer on 3 examples, then a 3 x 5 layer on 4 (all sizes differ)."""
    for where, sizes, n, seed in (("", (2, 2), 3, 72), (" (3 inputs, 5 units, N = 4)", (3, 5), 4, 73)):
        rng = np.random.default_rng(seed)
        layer = fixed(*sizes, rng=rng)
        x, grad_out = rng.normal(size=(n, sizes[0])), rng.normal(size=(n, sizes[1]))
        yield f"forward(x){where} (a fix must leave it as the suspect computes it)", snapshot(layer.forward(x.copy()))
        dx = layer.backward(grad_out.copy())
        yield f"grads['W']{where}", snapshot(layer.grads.get("W"))
        yield f"grads['b']{where}", snapshot(layer.grads.get("b"))
        yield f"backward(grad_out){where} (dL/dx)", snapshot(dx)


def _run_loss(fixed: Any) -> Iterator[tuple[str, Any]]:
    """D: the loss of a 4 x 3 prediction (12 elements, 4 rows) and its gradient."""
    rng = np.random.default_rng(74)
    pred, target = rng.uniform(size=(4, 3)), rng.uniform(size=(4, 3))
    loss = fixed()
    yield "forward(pred, target) (a fix must leave the loss as it is, the mean)", snapshot(loss.forward(pred, target))
    yield "backward() (dL/dpred)", snapshot(loss.backward())


# ---- wrong fixes: written out as a learner writes them, or (the two-layer backward of A, C and E)
# ---- built by _variant from the corrected backward with one formula replaced ----------------------

class _ABreaksForward(SuspectA):
    """Keeps a1 in forward but leaves the second sigmoid call: the output applies the sigmoid twice."""

    def forward(self, x):
        p = self.params
        self.x = np.asarray(x, dtype=np.float64)
        self.hidden = sigmoid(self.x @ p["W1"] + p["b1"])
        self.output = sigmoid(sigmoid(self.hidden) @ p["W2"] + p["b2"])
        return self.output


class _BBreaksForward(SuspectB):
    """Makes forward fit the faulty backward: x @ W.T, another layer."""

    def forward(self, x):
        self.x = np.asarray(x, dtype=np.float64)
        return self.x @ self.params["W"].T + self.params["b"]


class _BTransposed(SuspectB):
    def backward(self, grad_out):
        super().backward(grad_out)  # dL/dW and dL/db as the suspect computes them (right)
        return self.params["W"] @ grad_out.T


class _DBreaksForward(SuspectD):
    """Makes forward fit the faulty backward: the sum of squares instead of the mean."""

    def forward(self, pred, target):
        pred, target = self._check_shapes(pred, target)
        self.diff = pred - target
        return float(np.sum(self.diff ** 2))


class _DRows(SuspectD):
    def backward(self):
        return 2.0 * self.diff / len(self.diff)


class _DScalar(SuspectD):
    def backward(self):
        return np.mean(2.0 * self.diff)


def _variant(suspect: type, *, a1: Callable | None = None, a2: Callable | None = None, d2: Callable | None = None,
             dW2: Callable | None = None, hidden: Callable | None = None, db1: Callable | None = None) -> type:
    """A wrong fix of a two-layer suspect (A, C, E): the corrected backward with one formula replaced.

    ``a1(net)``, ``a2(net)``: the activations backward reads (``net.a1``, ``net.a2``; A keeps others);
    ``d2(grad_out, a2)``: dL/dz2; ``dW2(a1, d2, a2)``; ``hidden(net, a1)``: the factor sigma'(z1) of
    dL/dz1; ``db1(d1)``.
    """

    class Wrong(suspect):
        def backward(self, grad_out):
            p = self.params
            act1 = a1(self) if a1 else self.a1
            act2 = a2(self) if a2 else self.a2
            delta2 = d2(grad_out, act2) if d2 else grad_out * sigmoid_derivative(act2)
            self.grads["W2"] = dW2(act1, delta2, act2) if dW2 else act1.T @ delta2
            self.grads["b2"] = delta2.sum(axis=0)
            d1 = (delta2 @ p["W2"].T) * (hidden(self, act1) if hidden else sigmoid_derivative(act1))
            self.grads["W1"] = self.x.T @ d1
            self.grads["b1"] = db1(d1) if db1 else d1.sum(axis=0)
            return d1 @ p["W1"].T

    return Wrong


_BREAKS = "a fix that breaks the forward pass:"

FIX_A = Exercise(
    id="07-fix-suspect-a", title="Suspect A fixed", writes="`FixedA`", names=("FixedA",),
    run=_run_network, reference=corrected(SuspectA),
    mistakes=(
        Mistake("half fixed: dW2 is right now, but the hidden delta still uses sigmoid_derivative(self.hidden), "
                "the derivative formula for an ACTIVATION applied to the pre-activation z1; it needs a1 * (1 - a1).",
                _variant(SuspectA, a1=lambda net: sigmoid(net.hidden), a2=lambda net: net.output,
                         hidden=lambda net, a1: sigmoid_derivative(net.hidden))),
        Mistake("the fault of suspect A remains: backward still uses the pre-activation z1 (self.hidden) where "
                "the activation a1 = sigmoid(z1) belongs, in dW2 = a1.T @ d2 and in a1 * (1 - a1).", SuspectA),
        Mistake(f"{_BREAKS} forward now keeps a1 = sigmoid(z1) in self.hidden, but the next line still applies "
                f"sigmoid to it, so the output is sigmoid(sigmoid(a1) @ W2 + b2). Change that line too: "
                f"sigmoid(self.hidden @ W2 + b2).", _ABreaksForward),
    ),
    passed="forward unchanged, and every gradient matches the corrected network.",
)

FIX_B = Exercise(
    id="07-fix-suspect-b", title="Suspect B fixed", writes="`FixedB.backward`", names=("FixedB",),
    run=_run_linear, reference=corrected(SuspectB),
    mistakes=(
        Mistake("the fault of suspect B remains: backward returns grad_out @ W; dL/dx = grad_out @ W.T, "
                "(N, out) @ (out, in) = (N, in) like x.", SuspectB),
        Mistake(f"{_BREAKS} forward now computes x @ W.T, a different layer, so that the faulty backward fits "
                f"it. Keep forward as x @ W + b and fix backward: return grad_out @ W.T.", _BBreaksForward),
        Mistake("backward returns W @ grad_out.T, the transpose of dL/dx: return grad_out @ W.T, shape (N, in).",
                _BTransposed),
    ),
    passed="forward unchanged; dL/dW, dL/db and dL/dx match the corrected layer on a square and a 3 x 5 layer.",
)

FIX_C = Exercise(
    id="07-fix-suspect-c", title="Suspect C fixed", writes="`FixedC.backward`", names=("FixedC",),
    run=_run_network, reference=corrected(SuspectC),
    mistakes=(
        Mistake("the fault of suspect C remains: grads['b1'] sums d1 over axis=1 (the hidden units of each "
                "example); the bias gradient sums over the batch, axis=0.", SuspectC),
        Mistake("grads['b1'] sums d1 over all axes (a single number): sum over the batch only, "
                "d1.sum(axis=0), shape (4,) like b1.", _variant(SuspectC, db1=lambda d1: d1.sum())),
        Mistake("grads['b1'] is the mean of d1 over the batch, N times too small: the bias gradient is the "
                "sum, d1.sum(axis=0) (the 1/N of a mean loss is already inside grad_out).",
                _variant(SuspectC, db1=lambda d1: d1.mean(axis=0))),
    ),
    passed="forward unchanged, and every gradient matches the corrected network.",
)

FIX_D = Exercise(
    id="07-fix-suspect-d", title="Suspect D fixed", writes="`FixedD.backward`", names=("FixedD",),
    run=_run_loss, reference=corrected(SuspectD),
    mistakes=(
        Mistake("the fault of suspect D remains: backward returns 2 * diff without the 1/N of the mean "
                "(N = diff.size, the number of elements).", SuspectD),
        Mistake(f"{_BREAKS} forward now returns the SUM of squares, so that the faulty backward fits it. The "
                f"loss must stay the mean (as R1 and Keras define it): fix backward instead, "
                f"2 * diff / diff.size.", _DBreaksForward),
        Mistake("backward divides by len(diff), the number of rows, but the mean is over all elements: divide "
                "by diff.size (the two agree only for a single output column).", _DRows),
        Mistake("backward returns one number (a mean of 2 * diff): the gradient has one entry per element of "
                "pred, 2 * diff / diff.size.", _DScalar),
    ),
    passed="forward unchanged (the mean), and dL/dpred = 2 (pred - target) / N with N the number of elements.",
)

FIX_E = Exercise(
    id="07-fix-suspect-e", title="Suspect E fixed", writes="`FixedE.backward`", names=("FixedE",),
    run=_run_network, reference=corrected(SuspectE),
    mistakes=(
        Mistake("half fixed: dW2 has the sigmoid's derivative, but b2 and the layer below still use grad_out: "
                "change d2 itself, d2 = grad_out * sigmoid_derivative(self.a2), so every line after uses it.",
                _variant(SuspectE, d2=lambda grad_out, a2: grad_out,
                         dW2=lambda a1, d2, a2: a1.T @ (d2 * sigmoid_derivative(a2)))),
        Mistake("the fault of suspect E remains: d2 = grad_out is dL/d(output), not dL/dz2; multiply by the "
                "output sigmoid's derivative, sigmoid_derivative(self.a2).", SuspectE),
        Mistake("d2 uses sigmoid_grad(self.a2): sigmoid_grad takes the PRE-activation z; self.a2 is the "
                "activation, whose derivative is sigmoid_derivative(self.a2) = a2 * (1 - a2).",
                _variant(SuspectE, d2=lambda grad_out, a2: grad_out * sigmoid_grad(a2))),
    ),
    passed="forward unchanged, and every gradient matches the corrected network.",
)

check_fixed_a = FIX_A.check
check_fixed_b = FIX_B.check
check_fixed_c = FIX_C.check
check_fixed_d = FIX_D.check
check_fixed_e = FIX_E.check
