"""Exercises of notebook 13 (the MNIST capstone): R3 trained on the learner's own parts.

The learner writes the four parts of R3's training step as small functions, each checked on its
own (on small, fixed, seeded problems, never the real MNIST) before MNIST runs:

* ``linear_forward(X, W, b) -> Z`` and ``linear_backward(dZ, X, W) -> (dX, dW, db)``
  (:data:`LINEAR`): Z = X W + b; dX = dZ W^T, dW = X^T dZ, db = sum of dZ over the batch;
* ``relu_forward(Z) -> A`` and ``relu_backward(dA, Z) -> dZ`` (:data:`RELU`):
  A = max(Z, 0) elementwise; dZ = dA * (Z > 0);
* ``softmax_cross_entropy(Z, y) -> (L, dZ)`` with integer labels y (:data:`SOFTMAX_CROSS_ENTROPY`):
  L = mean over the batch of -log P[n, y_n], P = softmax(Z) row by row (with the max shift);
  dZ = (P - Y) / N, Y the one-hot rows of y;
* ``rmsprop_update(param, grad, s, lr, rho, eps) -> (param, s)`` (:data:`RMSPROP`), the Keras formula
  of notebook 11: s = rho s + (1 - rho) g^2, param = param - lr g / sqrt(s + eps).

and, to read the trained network, ``most_confidently_wrong(logits, labels, k)`` (:data:`CONFIDENTLY_WRONG`):
the rows of the k wrong predictions with the highest softmax probability, most confident first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from bplib.course.exercises.engine import Exercise, ExerciseFailed, Mistake, snapshot
from bplib.course.exercises.optimisers import rmsprop_step_reference, rmsprop_variant

__all__ = ["LINEAR", "RELU", "SOFTMAX_CROSS_ENTROPY", "RMSPROP", "CONFIDENTLY_WRONG",
           "check_capstone_linear", "check_capstone_relu", "check_capstone_loss", "check_capstone_rmsprop",
           "check_most_confidently_wrong"]



def _tuple(value: Any, call: str, names: str) -> tuple[Any, ...]:
    """The tuple an answer returns, or a clear failure when it returned something else."""
    count = len(names.split(","))
    if not isinstance(value, (tuple, list)) or len(value) != count:
        got = "None (a missing return?)" if value is None else type(value).__name__
        raise ExerciseFailed(f"{call} must return the tuple ({names}), got {got}"
                             + (f" of length {len(value)}" if isinstance(value, (tuple, list)) else "") + ".")
    return tuple(value)


# ---- 13.1 the linear layer, as two functions -------------------------------------------------

_SQUARE = (4, 4, 4)  # N, D_in, D_out: every wrong product still runs, its values name the mistake
_RECT = (5, 3, 4)    # all different: a transpose shows as a wrong shape


def _linear_problem(n: int, d_in: int, d_out: int, seed: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, d_in)), rng.normal(size=(d_in, d_out)), rng.normal(size=d_out),
            rng.normal(size=(n, d_out)))


def _run_linear(forward: Callable, backward: Callable) -> Iterator[tuple[str, Any]]:
    for where, sizes, seed in (("", _SQUARE, 131), (" (N, D_in, D_out = 5, 3, 4)", _RECT, 132)):
        X, W, b, dZ = _linear_problem(*sizes, seed=seed)
        yield f"Z = linear_forward(X, W, b){where}", snapshot(forward(X.copy(), W.copy(), b.copy()))
        dX, dW, db = _tuple(backward(dZ.copy(), X.copy(), W.copy()), "linear_backward(dZ, X, W)", "dX, dW, db")
        yield f"dW{where}", snapshot(dW)
        yield f"db{where}", snapshot(db)
        yield f"dX{where}", snapshot(dX)


def _linear_forward(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return X @ W + b


def _linear_backward(dZ: np.ndarray, X: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def _backward_with(dX: Callable | None = None, dW: Callable | None = None, db: Callable | None = None,
                   order: str = "dX, dW, db") -> Callable:
    """A wrong ``linear_backward``: the reference with one formula replaced (each a function of dZ, X, W)."""
    def backward(dZ: np.ndarray, X: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, ...]:
        grads = {"dX": dX(dZ, X, W) if dX else dZ @ W.T,
                 "dW": dW(dZ, X, W) if dW else X.T @ dZ,
                 "db": db(dZ) if db else dZ.sum(axis=0)}
        return tuple(grads[name] for name in order.split(", "))
    return backward


_SHAPES_DW = "Shapes: X.T (D_in, N) @ dZ (N, D_out) is (D_in, D_out), the shape of W."
_SHAPES_DX = "Shapes: dZ (N, D_out) @ W.T (D_out, D_in) is (N, D_in), the shape of X."
_SUM_B = "db = dZ.sum(axis=0), shape (D_out,) like b: b is added to every example, so every example adds to db."

LINEAR = Exercise(
    id="13-linear",
    title="linear_forward and linear_backward",
    writes="`linear_forward` and `linear_backward`",
    names=("linear_forward", "linear_backward"),
    run=_run_linear,
    reference=(_linear_forward, _linear_backward),
    batch_size=4,
    mistakes=(
        Mistake("linear_forward returns X @ W: the bias is missing, Z = X @ W + b.",
                (lambda X, W, b: X @ W, _linear_backward)),
        Mistake("linear_forward computes X @ W.T: W is already (D_in, D_out), so Z = X @ W + b needs no transpose.",
                (lambda X, W, b: X @ W.T + b, _linear_backward)),
        Mistake(f"dW looks like X @ dZ: the transpose is missing, dW = X.T @ dZ. {_SHAPES_DW}",
                (_linear_forward, _backward_with(dW=lambda dZ, X, W: X @ dZ))),
        Mistake(f"dW looks like dZ.T @ X, the transpose of dW: write dW = X.T @ dZ. {_SHAPES_DW}",
                (_linear_forward, _backward_with(dW=lambda dZ, X, W: dZ.T @ X))),
        Mistake("dW is X.T @ dZ / N: an extra 1/N. The 1/N of the mean loss is already inside dZ "
                "(softmax_cross_entropy put it there); the layer must not average again.",
                (_linear_forward, _backward_with(dW=lambda dZ, X, W: X.T @ dZ / len(X)))),
        Mistake("linear_backward returned (dW, db, dX): return the three in the order (dX, dW, db).",
                (_linear_forward, _backward_with(order="dW, db, dX"))),
        Mistake(f"db is summed over the wrong axis (axis=1, the outputs of one example): {_SUM_B}",
                (_linear_forward, _backward_with(db=lambda dZ: dZ.sum(axis=1)))),
        Mistake(f"db is the mean of dZ over the batch, N times too small: use the sum. {_SUM_B}",
                (_linear_forward, _backward_with(db=lambda dZ: dZ.mean(axis=0)))),
        Mistake(f"db is dZ itself, one row per example: {_SUM_B}",
                (_linear_forward, _backward_with(db=lambda dZ: dZ))),
        Mistake(f"dX looks like dZ @ W: the transpose is missing, dX = dZ @ W.T. {_SHAPES_DX}",
                (_linear_forward, _backward_with(dX=lambda dZ, X, W: dZ @ W))),
    ),
    error_hint=("With X (N, D_in), W (D_in, D_out) and dZ (N, D_out): dX = dZ @ W.T is (N, D_in) like X, "
                "dW = X.T @ dZ is (D_in, D_out) like W, db = dZ.sum(axis=0) is (D_out,) like b; "
                "linear_backward returns the tuple (dX, dW, db)."),
    passed="Z = X @ W + b; dX = dZ @ W.T, dW = X.T @ dZ, db = dZ.sum(axis=0), on a square and a rectangular batch.",
)
check_capstone_linear = LINEAR.check


# ---- 13.2 ReLU -------------------------------------------------------------------------------

def _relu_problem() -> tuple[np.ndarray, np.ndarray]:
    """Z (4, 6) with no entry near 0 (where ReLU has its kink) and an upstream gradient dA of mixed signs."""
    rng = np.random.default_rng(133)
    Z = rng.normal(size=(4, 6))
    Z += np.where(Z >= 0, 0.1, -0.1)
    return Z, rng.normal(size=(4, 6))


def _run_relu(forward: Callable, backward: Callable) -> Iterator[tuple[str, Any]]:
    Z, dA = _relu_problem()
    yield "A = relu_forward(Z)", snapshot(forward(Z.copy()))
    yield "dZ = relu_backward(dA, Z)", snapshot(backward(dA.copy(), Z.copy()))


def _relu_forward(Z: np.ndarray) -> np.ndarray:
    return np.maximum(Z, 0)


def _relu_backward(dA: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return dA * (Z > 0)


RELU = Exercise(
    id="13-relu",
    title="relu_forward and relu_backward",
    writes="`relu_forward` and `relu_backward`",
    names=("relu_forward", "relu_backward"),
    run=_run_relu,
    reference=(_relu_forward, _relu_backward),
    mistakes=(
        Mistake("relu_forward used np.max(Z, 0), which takes the largest entry of each column (a reduction over "
                "axis 0): the elementwise maximum with 0 is np.maximum(Z, 0).",
                (lambda Z: np.max(Z, 0), _relu_backward)),
        Mistake("relu_backward returned dA unchanged: the activation's derivative is missing. ReLU passes the "
                "gradient where Z > 0 and blocks it where Z < 0: dZ = dA * (Z > 0).",
                (_relu_forward, lambda dA, Z: dA)),
        Mistake("relu_backward returned the mask (Z > 0) alone: multiply it by the upstream gradient, "
                "dZ = dA * (Z > 0) (the chain rule).", (_relu_forward, lambda dA, Z: (Z > 0).astype(float))),
        Mistake("relu_backward multiplied dA by Z: the derivative of max(z, 0) is 1 where z > 0 and 0 where "
                "z < 0 (not z): dZ = dA * (Z > 0).", (_relu_forward, lambda dA, Z: dA * Z)),
        Mistake("relu_backward masked dA by its own sign (dA * (dA > 0), or np.maximum(dA, 0)): the mask comes "
                "from the forward pass's input Z, dZ = dA * (Z > 0).",
                (_relu_forward, lambda dA, Z: dA * (dA > 0))),
        Mistake("relu_backward returned relu_forward(dA) * (Z > 0): the gradient is masked, not clipped; "
                "negative entries of dA pass where Z > 0: dZ = dA * (Z > 0).",
                (_relu_forward, lambda dA, Z: np.maximum(dA, 0) * (Z > 0))),
    ),
    error_hint="Z, A, dA and dZ all have the same shape (N, D): ReLU acts on each entry on its own.",
    passed="A = np.maximum(Z, 0) and dZ = dA * (Z > 0), entry by entry.",
)
check_capstone_relu = RELU.check


# ---- 13.3 softmax cross-entropy --------------------------------------------------------------

def _softmax_problem() -> tuple[np.ndarray, np.ndarray]:
    """Logits Z (5, 3) (N differs from C) and integer labels y (5,)."""
    rng = np.random.default_rng(134)
    return 2.0 * rng.normal(size=(5, 3)), np.array([0, 2, 1, 1, 2])


def _run_softmax(f: Callable) -> Iterator[tuple[str, Any]]:
    Z, y = _softmax_problem()
    for where, logits in (("", Z), (" (logits near 1000)", Z + 1000.0)):
        L, dZ = _tuple(f(logits.copy(), y.copy()), "softmax_cross_entropy(Z, y)", "L, dZ")
        yield f"L{where}", snapshot(L)
        yield f"dZ{where}", snapshot(dZ)


def _probabilities(Z: np.ndarray, axis: int = 1) -> np.ndarray:
    E = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return E / E.sum(axis=axis, keepdims=True)


def _softmax_cross_entropy(Z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    N = len(Z)
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_P = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    L = -log_P[np.arange(N), y].mean()
    dZ = np.exp(log_P)
    dZ[np.arange(N), y] -= 1
    return L, dZ / N


def _softmax_with(loss: Callable | None = None, grad: Callable | None = None, axis: int = 1,
                  shift: bool = True) -> Callable:
    """A wrong answer: ``loss(losses)`` from the per-example losses, ``grad(P, Y, N)``; softmax along ``axis``."""
    def answer(Z: np.ndarray, y: np.ndarray) -> tuple[Any, np.ndarray]:
        N, C = Z.shape
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            P = _probabilities(Z, axis) if shift else np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
            losses = -np.log(P[np.arange(N), y])
        Y = np.eye(C)[y]
        return (loss(losses) if loss else losses.mean()), (grad(P, Y, N) if grad else (P - Y) / N)
    return answer


SOFTMAX_CROSS_ENTROPY = Exercise(
    id="13-softmax-cross-entropy",
    title="softmax_cross_entropy: the loss and dZ",
    writes="`softmax_cross_entropy`",
    names=("softmax_cross_entropy",),
    run=_run_softmax,
    reference=_softmax_cross_entropy,
    batch_size=5,
    mistakes=(
        Mistake("L is one loss per example: return their mean over the batch, a single number.",
                _softmax_with(loss=lambda losses: losses)),
        Mistake("L is the sum of the examples' losses, N times too large: the loss is their mean.",
                _softmax_with(loss=lambda losses: losses.sum())),
        Mistake("the softmax is taken along axis 0 (over the batch): each row is one example, so normalise "
                "each row, exp(Z) / exp(Z).sum(axis=1, keepdims=True).", _softmax_with(axis=0)),
        Mistake("dZ is P / N: you forgot to subtract the one-hot targets. dZ = (P - Y) / N, where Y has a 1 in "
                "the column of each label (P[np.arange(N), y] -= 1).", _softmax_with(grad=lambda P, Y, N: P / N)),
        Mistake("dZ is P - Y, N times too large: L is the mean over the batch, so dZ = (P - Y) / N.",
                _softmax_with(grad=lambda P, Y, N: P - Y)),
        Mistake("dZ has the wrong sign: (Y - P) / N; the gradient of -log P[n, y_n] is P - Y.",
                _softmax_with(grad=lambda P, Y, N: (Y - P) / N)),
        Mistake("dZ subtracts the label itself (y[:, None]) from every probability: subtract the one-hot "
                "rows Y instead, a 1 in column y_n of row n.",
                _softmax_with(grad=lambda P, Y, N: (P - Y.argmax(axis=1)[:, None]) / N)),
        Mistake("with logits near 1000 the result is nan: np.exp(1000) overflows to inf. Subtract each row's "
                "maximum first, Z - Z.max(axis=1, keepdims=True): the softmax does not change, and the largest "
                "exponent is 0.", _softmax_with(shift=False)),
    ),
    error_hint=("Z is (N, C), y holds N integer labels; P = softmax of each row is (N, C); "
                "softmax_cross_entropy returns (L, dZ): a number and an (N, C) array."),
    passed="L is the mean of -log P[n, y_n], dZ = (P - Y) / N, also for logits near 1000.",
)
check_capstone_loss = SOFTMAX_CROSS_ENTROPY.check


# ---- 13.4 the RMSprop update -----------------------------------------------------------------

_RMS_SETTINGS = dict(lr=0.01, rho=0.9, eps=1e-4)


def _run_rmsprop(update: Callable) -> Iterator[tuple[str, Any]]:
    """Three steps from s = 0 on a (3, 4) parameter, with the results after each."""
    rng = np.random.default_rng(135)
    param, s = rng.normal(size=(3, 4)), np.zeros((3, 4))
    grads = rng.normal(size=(3, 3, 4))
    for t, grad in enumerate(grads, start=1):
        param, s = _tuple(update(param.copy(), grad.copy(), s.copy(), **_RMS_SETTINGS),
                          "rmsprop_update(param, grad, s, lr, rho, eps)", "param, s")
        yield f"s after step {t}", snapshot(s)
        yield f"param after step {t}", snapshot(param)


RMSPROP = Exercise(
    id="13-rmsprop",
    title="rmsprop_update",
    writes="`rmsprop_update`",
    names=("rmsprop_update",),
    run=_run_rmsprop,
    reference=rmsprop_step_reference,
    mistakes=(
        Mistake("s averages the gradient g instead of its square: s = rho * s + (1 - rho) * grad**2 (a running "
                "mean of g squared, whose root is the gradient's typical size).",
                rmsprop_variant(s_new=lambda s, g, rho: rho * s + (1 - rho) * g)),
        Mistake("rho and 1 - rho are swapped: the old s keeps the weight rho (0.9) and the new g**2 gets "
                "1 - rho (0.1): s = rho * s + (1 - rho) * grad**2.",
                rmsprop_variant(s_new=lambda s, g, rho: (1 - rho) * s + rho * g**2)),
        Mistake("the step used the s of the previous step: update s first, then divide by sqrt(s + eps) with "
                "the new s.", rmsprop_variant(old_s=True)),
        Mistake("eps is added after the square root, sqrt(s) + eps: that is PyTorch's placement. This course "
                "follows Keras (notebook 11, and bplib's RMSprop): param - lr * grad / np.sqrt(s + eps).",
                rmsprop_variant(step=lambda g, s, lr, eps: lr * g / (np.sqrt(s) + eps))),
        Mistake("the square root is missing: divide by np.sqrt(s + eps), the root mean square of the gradients, "
                "not by their mean square s + eps.", rmsprop_variant(step=lambda g, s, lr, eps: lr * g / (s + eps))),
        Mistake("the parameter moved uphill: subtract the step, param - lr * grad / np.sqrt(s + eps).",
                rmsprop_variant(step=lambda g, s, lr, eps: -lr * g / np.sqrt(s + eps))),
    ),
    error_hint="param, grad and s have the same shape; rmsprop_update returns the new (param, s).",
    passed="s = rho s + (1 - rho) g**2, then param - lr g / sqrt(s + eps) (Keras's formula), over three steps.",
)
check_capstone_rmsprop = RMSPROP.check


# ---- 13.5 the most confidently wrong predictions ---------------------------------------------

# 8 examples, 3 classes. Rows 0 and 5 are right and very confident; the others are wrong with
# softmax confidences 0.91 (row 1), 0.55 (2), 0.82 (3), 0.58 (4), 0.38 (6) and 0.94 (7), so the answer
# for k = 3 is rows 7, 1, 3. Sorting by the largest logit instead gives 2, 7, 1 (row 2 has the largest
# logit of the mistakes but two classes almost tie); sorting by the lowest probability of the true
# class gives 3, 7, 1.
_CW_LOGITS = np.array([[6.0, 0.0, 0.0], [0.0, 3.0, 0.0], [4.0, 4.2, -10.0], [-6.0, 0.0, 1.5],
                       [1.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.2, 0.0, 0.0], [0.0, 0.0, 3.5]])
_CW_LABELS = np.array([0, 0, 0, 0, 1, 1, 2, 0])


def _run_confidently_wrong(fn: Callable) -> Iterator[tuple[str, Any]]:
    for k in (3, 6, 1):
        yield f"most_confidently_wrong(logits, labels, {k})", snapshot(fn(_CW_LOGITS.copy(), _CW_LABELS.copy(), k))


def _confidently_wrong(logits: np.ndarray, labels: np.ndarray, k: int, key: str = "predicted",
                       descending: bool = True, only_wrong: bool = True, positions: bool = False) -> np.ndarray:
    """The reference (default arguments) and its typical wrong variants."""
    probs = _probabilities(logits)
    predicted = probs.argmax(axis=1)
    rows = np.flatnonzero(predicted != labels) if only_wrong else np.arange(len(labels))
    score = {"predicted": probs[rows, predicted[rows]], "logit": logits[rows].max(axis=1),
             "true": -probs[rows, labels[rows]]}[key]
    order = np.argsort(-score if descending else score, kind="stable")[:k]
    return order if positions else rows[order]


CONFIDENTLY_WRONG = Exercise(
    id="13-most-confidently-wrong",
    title="most_confidently_wrong",
    writes="`most_confidently_wrong`",
    names=("most_confidently_wrong",),
    run=_run_confidently_wrong,
    reference=_confidently_wrong,
    mistakes=(
        Mistake("some rows of your answer are predicted correctly: keep only the wrong predictions "
                "(predicted != labels) before sorting.",
                lambda logits, labels, k: _confidently_wrong(logits, labels, k, only_wrong=False)),
        Mistake("these are the least confident mistakes: sort by decreasing confidence, e.g. np.argsort(-confidence).",
                lambda logits, labels, k: _confidently_wrong(logits, labels, k, descending=False)),
        Mistake("you sorted by the largest logit; the confidence is the softmax probability of the predicted "
                "class (two classes with close logits share the probability, however large the logits are).",
                lambda logits, labels, k: _confidently_wrong(logits, labels, k, key="logit")),
        Mistake("you sorted by the probability of the true label; the confidence of a prediction is the "
                "probability of the predicted class, probs[n, predicted[n]].",
                lambda logits, labels, k: _confidently_wrong(logits, labels, k, key="true")),
        Mistake("the indices count within the wrong predictions only: map them back to rows of the whole batch, "
                "wrong_rows[order] with wrong_rows = np.flatnonzero(predicted != labels).",
                lambda logits, labels, k: _confidently_wrong(logits, labels, k, positions=True)),
        Mistake("the answer holds more than the indices (the probabilities too?): return only a 1-D array of "
                "k row indices.", lambda logits, labels, k: (_confidently_wrong(logits, labels, k),
                                                            _probabilities(logits)[_confidently_wrong(
                                                                logits, labels, k)].max(axis=1))),
    ),
    error_hint="logits is (N, C), labels (N,); return a 1-D array of k row indices.",
    passed="the wrong predictions with the highest softmax probability, most confident first.",
)
check_most_confidently_wrong = CONFIDENTLY_WRONG.check
