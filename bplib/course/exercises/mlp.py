"""Exercise of notebook 06 (backprop through an MLP): the backward pass of a two-layer network.

The network is 06's running one: two sigmoid layers and the mean squared error over all elements,

    Z1 = X @ W1 + b1,  A1 = sigmoid(Z1),  Z2 = A1 @ W2 + b2,  A2 = sigmoid(Z2),  L = mean((A2 - Y)**2).

The learner writes ``mlp_backward(params, cache, Y)``: ``params`` holds ``W1 (n0, n1)``, ``b1 (n1,)``,
``W2 (n1, n2)``, ``b2 (n2,)``; ``cache`` the forward pass's ``X, Z1, A1, Z2, A2``; it returns the dict
``{"dZ2", "dW2", "db2", "dZ1", "dW1", "db1"}`` of the four equations::

    dZ2 = 2 (A2 - Y) / (N n2) * sigmoid'(Z2)        (1)  Delta^(2), (N, n2)
    dW2 = A1.T @ dZ2,  db2 = dZ2.sum(axis=0)          (3), (4)
    dZ1 = (dZ2 @ W2.T) * sigmoid'(Z1)                 (2)  Delta^(1), (N, n1)
    dW1 = X.T @ dZ1,   db1 = dZ1.sum(axis=0)          (3), (4)

The reference is bplib's own layers (``Sequential(Linear, Sigmoid, Linear, Sigmoid)`` with
``MSELoss``), run backward layer by layer so that Delta^(2) and Delta^(1) can be read off. The check
runs the answer on a square network and batch first (N = n0 = n1 = n2 = 4, where even a wrong
product runs, so its values name the mistake), then on 06's 3-4-2 network with N = 5, and last
compares the answer's parameter gradients with central differences of the loss (relative error).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from bplib.course.exercises.engine import Exercise, Mistake, snapshot
from bplib.functions import mse, sigmoid, sigmoid_grad
from bplib.gradcheck import numerical_gradient, relative_error
from bplib.nn import Linear, MSELoss, Sequential, Sigmoid

__all__ = ["MLP_BACKWARD", "check_mlp_backward", "mlp_forward"]

_SQUARE = (4, 4, 4, 4)  # N, n0, n1, n2: every wrong product runs
_RECT = (5, 3, 4, 2)    # 06's 3-4-2 network on a batch of 5: a transpose shows as a shape
_KEYS = ("dZ2", "dW2", "db2", "dZ1", "dW1", "db1")
_FD_BOUND = 1e-7


def mlp_forward(params: dict[str, np.ndarray], X: np.ndarray) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Forward pass of the two-layer sigmoid network: returns ``A2 (N, n2)`` and the cache for backward.

    ``cache = {"X", "Z1", "A1", "Z2", "A2"}``, with ``Z1 = X @ W1 + b1``, ``A1 = sigmoid(Z1)``,
    ``Z2 = A1 @ W2 + b2``, ``A2 = sigmoid(Z2)``.
    """
    Z1 = X @ params["W1"] + params["b1"]
    A1 = sigmoid(Z1)
    Z2 = A1 @ params["W2"] + params["b2"]
    A2 = sigmoid(Z2)
    return A2, {"X": X, "Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2}


def _problem(n: int, n0: int, n1: int, n2: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(n0, n1)), "b1": 0.1 * rng.normal(size=n1),
              "W2": rng.normal(size=(n1, n2)), "b2": 0.1 * rng.normal(size=n2)}
    return params, rng.normal(size=(n, n0)), rng.uniform(size=(n, n2))



def _fd_error(params: dict[str, np.ndarray], X: np.ndarray, Y: np.ndarray, grads: dict[str, Any]) -> float:
    """The largest relative error of the answer's dW1, db1, dW2, db2 against central differences."""
    work = {name: value.copy() for name, value in params.items()}

    def loss(_: np.ndarray) -> float:
        return float(mse(mlp_forward(work, X)[0], Y))

    errors = [relative_error(np.asarray(grads["d" + name], dtype=np.float64), numerical_gradient(loss, work[name]))
              for name in ("W1", "b1", "W2", "b2")]
    return max(errors)


def _run(mlp_backward: Callable[..., dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Each gradient on a square, then on the 3-4-2 network; then the check against finite differences."""
    for where, sizes, seed in (("", _SQUARE, 61), (" (3-4-2 network, N = 5)", _RECT, 62)):
        params, X, Y = _problem(*sizes, seed=seed)
        _, cache = mlp_forward(params, X)
        grads = mlp_backward({k: v.copy() for k, v in params.items()},
                             {k: v.copy() for k, v in cache.items()}, Y.copy())
        if not isinstance(grads, dict):
            yield f"mlp_backward(...){where}", None if grads is None else f"a {type(grads).__name__}"
            return
        for key in _KEYS:
            yield f"grads['{key}']{where}", snapshot(grads.get(key))
    yield "largest relative error of dW1, db1, dW2, db2 against finite differences", _fd_error(params, X, Y, grads)


def _bplib_backward(params: dict[str, np.ndarray], cache: dict[str, np.ndarray], Y: np.ndarray) -> dict[str, Any]:
    """The reference: bplib's Sequential and MSELoss with these parameters, backward layer by layer."""
    n0, n1 = params["W1"].shape
    n2 = params["W2"].shape[1]
    rng = np.random.default_rng(0)
    model = Sequential(Linear(n0, n1, rng=rng), Sigmoid(), Linear(n1, n2, rng=rng), Sigmoid())
    for index, layer in ((0, "1"), (2, "2")):
        model[index].params["W"][...] = params["W" + layer]
        model[index].params["b"][...] = params["b" + layer]
    loss = MSELoss()
    loss.forward(model.forward(cache["X"]), Y)
    dZ2 = model[3].backward(loss.backward())
    dZ1 = model[1].backward(model[2].backward(dZ2))
    model[0].backward(dZ1)
    return {"dZ2": dZ2, "dW2": model[2].grads["W"], "db2": model[2].grads["b"],
            "dZ1": dZ1, "dW1": model[0].grads["W"], "db1": model[0].grads["b"]}


def _variant(**wrong: Callable[..., np.ndarray]) -> Callable[..., dict[str, np.ndarray]]:
    """A wrong answer: the four equations with some steps replaced.

    Each replacement is a function of the names it uses: ``dA2(A2, Y)``, ``dZ2(dA2, Z2, A2)``,
    ``dW2(X, A1, A2, dZ2)``, ``db(dZ)``, ``dZ1(dZ2, W2, Z1, A1)``, ``dW1(X, A1, dZ1)``.
    """

    def answer(params: dict[str, np.ndarray], cache: dict[str, np.ndarray], Y: np.ndarray) -> dict[str, np.ndarray]:
        X, Z1, A1, Z2, A2 = (cache[k] for k in ("X", "Z1", "A1", "Z2", "A2"))
        W2 = params["W2"]
        dA2 = wrong["dA2"](A2, Y) if "dA2" in wrong else 2 * (A2 - Y) / A2.size
        dZ2 = wrong["dZ2"](dA2, Z2, A2) if "dZ2" in wrong else dA2 * sigmoid_grad(Z2)
        dW2 = wrong["dW2"](X, A1, A2, dZ2) if "dW2" in wrong else A1.T @ dZ2
        db2 = wrong["db"](dZ2) if "db" in wrong else dZ2.sum(axis=0)
        dZ1 = wrong["dZ1"](dZ2, W2, Z1, A1) if "dZ1" in wrong else (dZ2 @ W2.T) * sigmoid_grad(Z1)
        dW1 = wrong["dW1"](X, A1, dZ1) if "dW1" in wrong else X.T @ dZ1
        db1 = wrong["db"](dZ1) if "db" in wrong else dZ1.sum(axis=0)
        return {"dZ2": dZ2, "dW2": dW2, "db2": db2, "dZ1": dZ1, "dW1": dW1, "db1": db1}

    return answer


_EQ1 = "Equation 1: dZ2 = dA2 * sigmoid'(Z2), with dA2 = 2 * (A2 - Y) / (N * n2) and sigmoid'(Z2) = A2 * (1 - A2)"
_EQ2 = "Equation 2: dZ1 = (dZ2 @ W2.T) * sigmoid'(Z1), with sigmoid'(Z1) = A1 * (1 - A1)"
_EQ3 = "Equation 3: dW = (the layer's input).T @ dZ; layer 2's input is A1, layer 1's is X (A^(0))"
_EQ4 = "Equation 4: db = dZ.sum(axis=0), a sum over the batch, shape (n,) like b"

MLP_BACKWARD = Exercise(
    id="06-mlp-backward",
    title="Backward pass of a two-layer network",
    writes="`mlp_backward`",
    names=("mlp_backward",),
    run=_run,
    reference=_bplib_backward,
    batch_size=4,
    mistakes=(
        Mistake(f"dZ2 has sigmoid' taken of the activation A2 instead of the pre-activation Z2 "
                f"(sigmoid_grad(A2) is sigmoid(A2) * (1 - sigmoid(A2))): use sigmoid_grad(Z2), or A2 * (1 - A2). "
                f"{_EQ1}.", _variant(dZ2=lambda dA2, Z2, A2: dA2 * sigmoid_grad(A2))),
        Mistake(f"dZ2 is dL/dA2: the derivative of the output sigmoid is missing. {_EQ1}.",
                _variant(dZ2=lambda dA2, Z2, A2: dA2)),
        Mistake(f"dZ2 is N * n2 times too large: the loss is a mean over all N * n2 elements of A2, so "
                f"dL/dA2 = 2 * (A2 - Y) / (N * n2) (A2.size is N * n2). {_EQ1}.",
                _variant(dA2=lambda A2, Y: 2 * (A2 - Y))),
        Mistake("dZ2 is n2 times too large: you divided by N only, but the mean is over all N * n2 elements of "
                "A2: dL/dA2 = 2 * (A2 - Y) / A2.size.", _variant(dA2=lambda A2, Y: 2 * (A2 - Y) / len(A2))),
        Mistake("dZ2 is half what it should be: the derivative of (A2 - Y)**2 is 2 * (A2 - Y); the 2 is missing.",
                _variant(dA2=lambda A2, Y: (A2 - Y) / A2.size)),
        Mistake("dZ2 has the wrong sign: dL/dA2 = 2 * (A2 - Y) / (N * n2), prediction minus target.",
                _variant(dA2=lambda A2, Y: 2 * (Y - A2) / A2.size)),
        Mistake(f"dW2 looks like A1 @ dZ2: the transpose is missing. {_EQ3}: dW2 = A1.T @ dZ2, (n1, n2) like W2.",
                _variant(dW2=lambda X, A1, A2, dZ2: A1 @ dZ2)),
        Mistake(f"dW2 uses the wrong layer's activation, A2 (the output), instead of A1. {_EQ3}.",
                _variant(dW2=lambda X, A1, A2, dZ2: A2.T @ dZ2)),
        Mistake(f"dW2 uses X, the input of the network, instead of A1, the input of layer 2. {_EQ3}.",
                _variant(dW2=lambda X, A1, A2, dZ2: X.T @ dZ2)),
        Mistake(f"db2 is summed over the wrong axis (axis=1, the units of one example): {_EQ4}.",
                _variant(db=lambda dZ: dZ.sum(axis=1))),
        Mistake(f"db2 is the mean of dZ2 over the batch, N times too small: {_EQ4} (the 1/N of the loss is "
                f"already inside dZ2).", _variant(db=lambda dZ: dZ.mean(axis=0))),
        Mistake(f"dZ1 looks like (dZ2 @ W2) * ...: the transpose of W2 is missing. {_EQ2}.",
                _variant(dZ1=lambda dZ2, W2, Z1, A1: (dZ2 @ W2) * sigmoid_grad(Z1))),
        Mistake(f"dZ1 is dZ2 @ W2.T, which is dL/dA1: the derivative of the hidden sigmoid is missing. {_EQ2}.",
                _variant(dZ1=lambda dZ2, W2, Z1, A1: dZ2 @ W2.T)),
        Mistake(f"dZ1 has sigmoid' taken of the activation A1 instead of the pre-activation Z1 "
                f"(sigmoid_grad(A1)): use sigmoid_grad(Z1), or A1 * (1 - A1). {_EQ2}.",
                _variant(dZ1=lambda dZ2, W2, Z1, A1: (dZ2 @ W2.T) * sigmoid_grad(A1))),
        Mistake(f"dW1 looks like X @ dZ1: the transpose is missing. {_EQ3}: dW1 = X.T @ dZ1, (n0, n1) like W1.",
                _variant(dW1=lambda X, A1, dZ1: X @ dZ1)),
        Mistake(f"dW1 uses A1, layer 1's OUTPUT, instead of its input X. {_EQ3}.",
                _variant(dW1=lambda X, A1, dZ1: A1.T @ dZ1)),
    ),
    limits={"largest relative error of dW1, db1, dW2, db2 against finite differences": (
        _FD_BOUND, "the gradients match bplib's on the trial networks but not central differences of the loss "
                   "on the 3-4-2 network (relative error above 1e-7): check each parameter's formula.")},
    error_hint=("Shapes: X (N, n0), A1 and Z1 (N, n1), A2, Z2 and Y (N, n2), W1 (n0, n1), W2 (n1, n2). "
                "dZ2 is (N, n2), dW2 = A1.T @ dZ2 is (n1, n2), dZ1 = (dZ2 @ W2.T) * ... is (N, n1), "
                "dW1 = X.T @ dZ1 is (n0, n1). mlp_backward returns a dict with the keys "
                "dZ2, dW2, db2, dZ1, dW1, db1."),
    passed=("the four equations give the same dZ2, dW2, db2, dZ1, dW1, db1 as bplib's Sequential on a square "
            "and on the 3-4-2 network, and the parameter gradients agree with finite differences "
            "(relative error < 1e-7)."),
)

check_mlp_backward = MLP_BACKWARD.check
"""The notebook-06 check: ``check_mlp_backward(mlp_backward)``."""
