"""Checks for notebook 08 (the XOR exercise): R1's forward pass, its backward pass, and hyperparameters.

R1 is the classic NumPy XOR program: a 2-H-1 sigmoid network (H = 4), the mean squared error,
full-batch gradient descent. With the batch in the rows (``X`` is ``(N, 2)``, ``y`` is ``(N, 1)``)::

    a1 = sigmoid(X @ W1 + b1)        # (N, H)   W1 (2, H), b1 (H,)
    a2 = sigmoid(a1 @ W2 + b2)       # (N, 1)   W2 (H, 1), b2 (1,)
    L  = mean((a2 - y) ** 2)

The learner writes

* ``forward(X, W1, b1, W2, b2) -> (a1, a2)``, checked by :func:`check_xor_forward`;
* ``backward(X, y, a1, a2, W2) -> (dW1, db1, dW2, db2)``, checked by :func:`check_xor_backward`;
* ``choose() -> (lr, hidden, epochs)``: a learning rate, a number of hidden units and of epochs (at
  most 2,000) with which R1 learns XOR for at least 90% of 20 seeds, checked by
  :func:`check_xor_hyperparameters`.

On failure a check names the likely mistake: the hidden activation not returned (R1's backward then
uses activations it never kept), a missing sigmoid, a missing bias, a missing transpose, the
sigmoid's derivative left out (R2's fault), the hidden bias gradient summed over the wrong axis (R1's
fault), a flat ``(N,)`` target broadcast against the ``(N, 1)`` output into an ``(N, N)`` matrix (R2's
other fault), a missing factor, the wrong sign, a learning rate too small (or too large) to learn.

``NotImplementedError`` from an unfinished exercise (the student edition) is never caught.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bplib.course.exercises.common import check_shape, diagnose_values, fail, passed

__all__ = ["check_xor_forward", "check_xor_backward", "check_xor_hyperparameters",
           "HYPERPARAMETER_SEEDS", "MAX_EPOCHS", "REQUIRED_SUCCESS"]

#: The seeds over which :func:`check_xor_hyperparameters` trains (the notebook's success table uses them too).
HYPERPARAMETER_SEEDS: tuple[int, ...] = tuple(range(20))
#: The most epochs the hyperparameter exercise allows.
MAX_EPOCHS: int = 2000
#: The fraction of seeds that must learn XOR.
REQUIRED_SUCCESS: float = 0.9

_RECT = (5, 3)  # N = 5 examples, H = 3 hidden units (D = 2): all sizes differ, so shapes tell products apart


def _sigmoid(z: np.ndarray) -> np.ndarray:
    from bplib.functions import sigmoid  # imported here so that importing bplib.course.exercises stays light

    return sigmoid(z)


def _problem(n: int, hidden: int, seed: int, xor_data: bool = False) -> dict[str, np.ndarray]:
    """Inputs, 0/1 targets and parameters with non-zero biases (a missing bias then shows)."""
    rng = np.random.default_rng(seed)
    if xor_data:
        X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
        y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    else:
        X = rng.normal(size=(n, 2))
        y = (rng.random((n, 1)) < 0.5).astype(np.float64)
        y[0, 0], y[1, 0] = 0.0, 1.0                     # both classes present
    return {"X": X, "y": y,
            "W1": rng.normal(size=(2, hidden)), "b1": rng.normal(scale=0.5, size=hidden),
            "W2": rng.normal(size=(hidden, 1)), "b2": rng.normal(scale=0.5, size=1)}


def _reference_forward(p: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    a1 = _sigmoid(p["X"] @ p["W1"] + p["b1"])
    return a1, _sigmoid(a1 @ p["W2"] + p["b2"])


def _as_float(value: Any, what: str, hint: str) -> np.ndarray:
    if value is None:
        fail(f"{what} is None: {hint}")
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        fail(f"{what} should be a NumPy array, got {type(value).__name__}.")
        raise  # unreachable


def _matches(answer: np.ndarray, candidate: np.ndarray) -> bool:
    return answer.shape == candidate.shape and bool(np.allclose(answer, candidate, rtol=1e-6, atol=1e-10))


def _name_mistake(answer: np.ndarray, candidates: list[tuple[np.ndarray, str]]) -> None:
    """Fail with the hint of the first typical wrong answer that ``answer`` equals."""
    for wrong, hint in candidates:
        if _matches(answer, wrong):
            fail(hint)


# ---------------------------------------------------------------------------------------------
# Exercise 1: the forward pass
# ---------------------------------------------------------------------------------------------

def _run_forward(forward: Callable, p: dict[str, np.ndarray], name: str) -> tuple[np.ndarray, np.ndarray]:
    args = [p[k].copy() for k in ("X", "W1", "b1", "W2", "b2")]
    n, hidden = p["X"].shape[0], p["W1"].shape[1]
    try:
        result = forward(*args)
    except ValueError as err:  # a shape mismatch inside a matrix product (never NotImplementedError)
        fail(f"{name} raised ValueError ({err}). Shapes: X is (N, 2) = {p['X'].shape}, W1 is (2, H) = "
             f"{p['W1'].shape}, W2 is (H, 1) = {p['W2'].shape}. With the batch in the rows, "
             f"z1 = X @ W1 + b1 is (N, H) = {(n, hidden)} and z2 = a1 @ W2 + b2 is (N, 1) = {(n, 1)}: "
             f"check the order of the products (X @ W1, not W1 @ X) and that no weight is transposed.")
        raise  # unreachable
    if isinstance(result, np.ndarray) or not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{name} must return two arrays, `return a1, a2`: the hidden activation a1 as well as the "
             f"output a2. The backward pass needs a1 (dW2 = a1.T @ delta2 and sigma'(z1) = a1 * (1 - a1)); "
             f"R1's backward uses hidden activations its forward pass never kept.")
    a1 = _as_float(result[0], f"a1 returned by {name}", "return the hidden activation a1 = sigmoid(X @ W1 + b1).")
    a2 = _as_float(result[1], f"a2 returned by {name}", "return the output a2 = sigmoid(a1 @ W2 + b2).")
    return a1, a2


def _diagnose_forward(a1: np.ndarray, a2: np.ndarray, p: dict[str, np.ndarray], name: str) -> None:
    X, W1, b1, W2, b2 = (p[k] for k in ("X", "W1", "b1", "W2", "b2"))
    n, hidden = X.shape[0], W1.shape[1]
    z1 = X @ W1 + b1
    ref_a1 = _sigmoid(z1)

    if a1.shape == (hidden, n) and hidden != n:
        fail(f"a1 from {name} has shape {a1.shape}, the transpose of (N, H) = {(n, hidden)}: with the batch in "
             f"the rows, a1 = sigmoid(X @ W1 + b1) has one row per example.")
    check_shape(a1, (n, hidden), f"a1 from {name}")
    _name_mistake(a1, [
        (z1, f"a1 from {name} is the pre-activation z1 = X @ W1 + b1: apply the sigmoid, "
             f"a1 = sigmoid(X @ W1 + b1) (and return that activation: the backward pass needs it)."),
        (_sigmoid(X @ W1), f"a1 from {name} is sigmoid(X @ W1): the bias is missing, a1 = sigmoid(X @ W1 + b1)."),
    ])
    diagnose_values(a1, ref_a1, f"a1 from {name}")

    z2 = ref_a1 @ W2 + b2
    flat = "keep the output a column of shape (N, 1), like y"
    if a2.shape == (n,):
        fail(f"a2 from {name} has shape (N,) = {a2.shape}, expected (N, 1) = {(n, 1)}: {flat}. A flat (N,) "
             f"output minus (N, 1) targets broadcasts silently to an (N, N) matrix (R2's fault).")
    if a2.shape == (1, n) and n != 1:
        fail(f"a2 from {name} has shape (1, N) = {a2.shape}, the transpose of (N, 1): {flat}.")
    check_shape(a2, (n, 1), f"a2 from {name}")
    _name_mistake(a2, [
        (z2, f"a2 from {name} is the pre-activation z2 = a1 @ W2 + b2: the output layer has a sigmoid too, "
             f"a2 = sigmoid(a1 @ W2 + b2)."),
        (_sigmoid(z1 @ W2 + b2), f"a2 from {name} is computed from z1, the hidden pre-activation: the output "
                                 f"layer takes the activation, a2 = sigmoid(a1 @ W2 + b2) with a1 = sigmoid(z1)."),
        (_sigmoid(ref_a1 @ W2), f"a2 from {name} is sigmoid(a1 @ W2): the bias b2 is missing."),
    ])
    diagnose_values(a2, _sigmoid(z2), f"a2 from {name}")


def check_xor_forward(forward: Callable) -> None:
    """Check a learner's forward pass of R1, ``forward(X, W1, b1, W2, b2) -> (a1, a2)``.

    Tested on a batch whose sizes all differ (N = 5 examples, H = 3 hidden units), so that a wrong
    product shows as a wrong shape, and on XOR itself (N = 4, H = 4, R1's sizes).

    Raises
    ------
    ExerciseFailed
        Naming the likely mistake: a1 not returned, a missing sigmoid or bias, a transpose,
        a flat (N,) output.
    """
    name = getattr(forward, "__name__", "forward")
    for p in (_problem(*_RECT, seed=81), _problem(4, 4, seed=82, xor_data=True)):
        a1, a2 = _run_forward(forward, p, name)
        _diagnose_forward(a1, a2, p, name)
    p = _problem(4, 4, seed=83, xor_data=True)
    _, a2 = _run_forward(forward, p, name)
    passed(f"{name}: a1 = sigmoid(X @ W1 + b1) of shape (N, H) and a2 = sigmoid(a1 @ W2 + b2) of shape (N, 1); "
           f"on XOR with random weights a2 = {np.round(a2[:, 0], 2).tolist()}.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: the backward pass
# ---------------------------------------------------------------------------------------------

def _reference_backward(X: np.ndarray, y: np.ndarray, a1: np.ndarray, a2: np.ndarray, W2: np.ndarray, *,
                        output_derivative: Callable | None = None,
                        hidden_derivative: Callable | None = None,
                        bias_axis: int | None = 0) -> tuple[np.ndarray, ...]:
    """The correct gradients, or a typical wrong variant (another derivative, another sum axis)."""
    output_derivative = output_derivative or (lambda a: a * (1 - a))
    hidden_derivative = hidden_derivative or (lambda a: a * (1 - a))
    n = X.shape[0]
    delta2 = 2.0 * (a2 - y) / n * output_derivative(a2)          # (N, 1)
    dW2 = a1.T @ delta2
    db2 = delta2.sum(axis=0)
    delta1 = (delta2 @ W2.T) * hidden_derivative(a1)             # (N, H)
    dW1 = X.T @ delta1
    db1 = delta1.sum(axis=bias_axis)
    return dW1, db1, dW2, db2


def _run_backward(backward: Callable, X: np.ndarray, y: np.ndarray, a1: np.ndarray, a2: np.ndarray,
                  W2: np.ndarray, name: str, *, flat_target: bool = False) -> tuple[np.ndarray, ...]:
    n, hidden = a1.shape
    try:
        result = backward(X.copy(), y.copy(), a1.copy(), a2.copy(), W2.copy())
    except ValueError as err:
        if flat_target:
            fail(f"{name} works with targets y of shape (N, 1) but raised ValueError ({err}) with y of shape "
                 f"(N,) = {y.shape}. That is the (N,) vs (N, 1) broadcasting fault of R2: a2 - y with a2 of shape "
                 f"(N, 1) and y of shape (N,) is an (N, N) matrix, and the next matrix product fails (or, worse, "
                 f"does not). Make y a column first: y = y.reshape(-1, 1).")
        fail(f"{name} raised ValueError ({err}): a matrix product has mismatched shapes, usually a missing "
             f"transpose. Shapes: X (N, 2) = {X.shape}, a1 (N, H) = {a1.shape}, a2 and y (N, 1) = {a2.shape}, "
             f"W2 (H, 1) = {W2.shape}; delta2 is (N, 1), dW2 = a1.T @ delta2 is (H, 1) = {(hidden, 1)}, "
             f"delta1 = (delta2 @ W2.T) * a1 * (1 - a1) is (N, H) = {(n, hidden)} and dW1 = X.T @ delta1 "
             f"is (2, H) = {(2, hidden)}.")
        raise  # unreachable
    if isinstance(result, np.ndarray) or not isinstance(result, (tuple, list)) or len(result) != 4:
        fail(f"{name} must return four gradients, `return dW1, db1, dW2, db2` (in that order).")
    names = ("dW1", "db1", "dW2", "db2")
    return tuple(_as_float(g, f"{k} returned by {name}", f"return {k}.") for k, g in zip(names, result))


def _diagnose_backward(grads: tuple[np.ndarray, ...], X: np.ndarray, y: np.ndarray, a1: np.ndarray,
                       a2: np.ndarray, W2: np.ndarray, name: str) -> None:
    dW1, db1, dW2, db2 = grads
    n, hidden = a1.shape
    ref = _reference_backward(X, y, a1, a2, W2)
    no_output_derivative = _reference_backward(X, y, a1, a2, W2, output_derivative=lambda a: 1.0)
    no_hidden_derivative = _reference_backward(X, y, a1, a2, W2, hidden_derivative=lambda a: 1.0)
    sigmoid_of_activation = lambda a: _sigmoid(a) * (1 - _sigmoid(a))   # noqa: E731  sigmoid_grad(a)
    grad_of_a2 = _reference_backward(X, y, a1, a2, W2, output_derivative=sigmoid_of_activation)
    grad_of_a1 = _reference_backward(X, y, a1, a2, W2, hidden_derivative=sigmoid_of_activation)

    missing_output = (f"the output layer's sigmoid derivative is missing (R2's fault): dL/da2 = 2 (a2 - y) / N "
                      f"is not yet dL/dz2. delta2 = 2 * (a2 - y) / N * a2 * (1 - a2).")
    missing_hidden = (f"the hidden layer's sigmoid derivative is missing: delta1 = (delta2 @ W2.T) * a1 * (1 - a1); "
                      f"delta2 @ W2.T alone is dL/da1, not dL/dz1.")
    activation_hint = ("sigma'(z) is written in terms of the activation, a * (1 - a). bplib's sigmoid_grad(z) "
                       "expects the pre-activation z; applied to the activation a it computes sigma(a)(1 - sigma(a)), "
                       "which is wrong.")

    # --- output layer: dW2 and db2 ---
    if dW2.shape == (1, hidden) and hidden != 1:
        fail(f"dW2 from {name} has shape (1, H) = {dW2.shape}, the transpose of W2's (H, 1): "
             f"dW2 = a1.T @ delta2 (a missing or misplaced transpose).")
    if dW2.shape == (hidden, n) and n != 1:
        fail(f"dW2 from {name} has shape (H, N) = {dW2.shape}: delta2 is (N, N) instead of (N, 1), the (N,) vs "
             f"(N, 1) broadcasting fault. Make y a column first: y = y.reshape(-1, 1).")
    check_shape(dW2, W2.shape, f"dW2 from {name}")
    _name_mistake(dW2, [(no_output_derivative[2], f"dW2 from {name} is wrong: {missing_output}"),
                        (grad_of_a2[2], f"dW2 from {name} is wrong: {activation_hint}")])
    diagnose_values(dW2, ref[2], f"dW2 from {name}", batch_size=n)

    if db2.shape in ((n,), (n, 1)) and n != 1:
        fail(f"db2 from {name} has shape {db2.shape}: it is not summed over the batch. "
             f"db2 = delta2.sum(axis=0), shape (1,) like b2.")
    if db2.shape == (1, 1):
        fail(f"db2 from {name} has shape (1, 1) (keepdims=True): db2 = delta2.sum(axis=0) has shape (1,) like b2.")
    if db2.shape == ():
        db2 = db2.reshape(1)   # a single number is fine for the one output unit
    check_shape(db2, (1,), f"db2 from {name}")
    diagnose_values(db2, ref[3], f"db2 from {name}", batch_size=n)

    # --- hidden layer: dW1 and db1 ---
    check_shape(dW1, (2, hidden), f"dW1 from {name}")
    _name_mistake(dW1, [(no_hidden_derivative[0], f"dW1 from {name} is wrong: {missing_hidden}"),
                        (grad_of_a1[0], f"dW1 from {name} is wrong: {activation_hint}")])
    diagnose_values(dW1, ref[0], f"dW1 from {name}", batch_size=n)

    over_batch = (f"sum delta1 over the batch: db1 = delta1.sum(axis=0), shape (H,) like b1 (each bias is "
                  f"added to every example, so every example contributes to its gradient).")
    wrong_axis = f"db1 from {name} is summed over the wrong axis (axis=1, over the hidden units; R1's fault): {over_batch}"
    if db1.shape == (n,) and n != hidden:
        fail(wrong_axis)
    if db1.shape == (n, hidden):
        fail(f"db1 from {name} has shape (N, H) = {db1.shape}: it is delta1 itself, one row per example. {over_batch}")
    if db1.shape == (1, hidden):
        fail(f"db1 from {name} has shape (1, H) (keepdims=True): {over_batch}")
    if db1.shape == ():
        fail(f"db1 from {name} is a single number (summed over all axes): {over_batch}")
    check_shape(db1, (hidden,), f"db1 from {name}")
    delta1 = (2.0 * (a2 - y) / n * a2 * (1 - a2)) @ W2.T * a1 * (1 - a1)
    _name_mistake(db1, [(delta1.sum(axis=1), wrong_axis),
                        (delta1.mean(axis=0), f"db1 from {name} is the mean of delta1 over the batch, N times too "
                                              f"small: {over_batch} The 1/N of the loss is already inside delta1.")])
    diagnose_values(db1, ref[1], f"db1 from {name}", batch_size=n)


def check_xor_backward(backward: Callable) -> None:
    """Check a learner's backward pass of R1, ``backward(X, y, a1, a2, W2) -> (dW1, db1, dW2, db2)``.

    The loss is ``L = mean((a2 - y)**2)`` (bplib's ``MSELoss``). Checked, in this order:

    1. on a batch whose sizes all differ (N = 5, H = 3): shapes and values, recognising the typical
       mistakes (missing sigmoid derivative at the output or in the hidden layer, sigmoid_grad applied
       to an activation, missing transpose, the bias gradient summed over the wrong axis, a missing
       factor, the wrong sign);
    2. on XOR itself (N = 4, H = 4, R1's sizes, where summing over the wrong axis gives the right shape);
    3. a gradient check: every gradient against central differences of the loss;
    4. targets of shape (N,) instead of (N, 1): the answer must not change (R2's broadcasting fault).

    Raises
    ------
    ExerciseFailed
        Naming the likely mistake.
    """
    from bplib.gradcheck import numerical_gradient, relative_error  # keeps importing bplib.course.exercises light

    name = getattr(backward, "__name__", "backward")
    rect = _problem(*_RECT, seed=84)
    square = _problem(4, 4, seed=85, xor_data=True)
    for p in (rect, square):
        a1, a2 = _reference_forward(p)
        grads = _run_backward(backward, p["X"], p["y"], a1, a2, p["W2"], name)
        _diagnose_backward(grads, p["X"], p["y"], a1, a2, p["W2"], name)

    # 3. gradient check against central differences of L(W1, b1, W2, b2)
    p = {k: v.copy() for k, v in rect.items()}
    a1, a2 = _reference_forward(p)
    grads = _run_backward(backward, p["X"], p["y"], a1, a2, p["W2"], name)

    def loss(_: np.ndarray) -> float:
        # numerical_gradient perturbs p[key] in place; the forward pass reads p afresh each time
        return float(np.mean((_reference_forward(p)[1] - p["y"]) ** 2))

    for key, grad in zip(("W1", "b1", "W2", "b2"), grads):
        numeric = numerical_gradient(loss, p[key])
        err = relative_error(grad.reshape(numeric.shape), numeric)
        if not err < 1e-7:
            fail(f"d{key} from {name} disagrees with finite differences (relative error {err:.1e} >= 1e-7).")

    # 4. flat targets (N,): the same gradients
    flat = _run_backward(backward, p["X"], p["y"].reshape(-1), a1, a2, p["W2"], name, flat_target=True)
    for key, got, want in zip(("dW1", "db1", "dW2", "db2"), flat, grads):
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-9, atol=1e-12):
            fail(f"{name} gives different gradients when y has shape (N,) instead of (N, 1) ({key} has shape "
                 f"{got.shape}). That is R2's broadcasting fault: a2 - y with a2 (N, 1) and y (N,) is an (N, N) "
                 f"matrix. Make y a column first: y = y.reshape(-1, 1).")

    passed(f"{name}: delta2 = 2 (a2 - y) / N * a2 (1 - a2), delta1 = (delta2 @ W2.T) * a1 (1 - a1); dW1 {grads[0].shape}, "
           f"db1 {grads[1].shape}, dW2 {grads[2].shape}, db2 {grads[3].shape} match finite differences, "
           f"also with targets of shape (N,).")


# ---------------------------------------------------------------------------------------------
# Exercise 3: hyperparameters that learn XOR
# ---------------------------------------------------------------------------------------------

def check_xor_hyperparameters(choose: Callable[[], tuple[float, int, int]] | float,
                              hidden: int | None = None, epochs: int | None = None) -> None:
    """Train R1 (2-``hidden``-1 sigmoid, MSE, full-batch gradient descent, N(0, 1) weights) for 20 seeds.

    Parameters
    ----------
    choose : callable
        The learner's function, called without arguments, returning ``(lr, hidden, epochs)``.
        (The three values may also be passed directly: ``check_xor_hyperparameters(lr, hidden, epochs)``.)

    Passes when at most ``MAX_EPOCHS`` epochs at learning rate ``lr`` learn XOR
    (:func:`bplib.course.widgets.xor.learned_xor`) for at least 90% of the seeds ``HYPERPARAMETER_SEEDS``.

    Raises
    ------
    ExerciseFailed
        Naming the likely problem: too many epochs, a learning rate too small (or too large) to learn,
        too few hidden units (one cannot represent XOR; two get stuck for some seeds).
    """
    from bplib.course.widgets.xor import train_xor  # the same trainer as the notebook's sweep and success table

    if callable(choose):
        name = getattr(choose, "__name__", "the function")
        answer = choose()                      # NotImplementedError (unfinished exercise) propagates
        if not isinstance(answer, (tuple, list)) or len(answer) != 3:
            fail(f"{name}() must return three values, `return lr, hidden, epochs`; got {answer!r}.")
        lr, hidden, epochs = answer
    else:
        lr = choose
    for value, what in ((lr, "lr"), (hidden, "hidden"), (epochs, "epochs")):
        if value is None or value is Ellipsis:
            fail(f"{what} is not set: give it a value.")
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) or not lr > 0:
        fail(f"lr must be a positive number, got {lr!r}.")
    for value, what in ((hidden, "hidden"), (epochs, "epochs")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            fail(f"{what} must be a positive integer, got {value!r}.")
    if epochs > MAX_EPOCHS:
        fail(f"epochs = {epochs} is more than the {MAX_EPOCHS:,} allowed: find a learning rate that learns faster.")
    if hidden > 64:
        fail(f"hidden = {hidden} is far more than XOR needs; use at most 64 hidden units (4 are enough).")

    runs = train_xor(float(lr), int(hidden), int(epochs), HYPERPARAMETER_SEEDS)
    n_seeds = len(HYPERPARAMETER_SEEDS)
    learned = int(runs.learned.sum())
    needed = int(np.ceil(REQUIRED_SUCCESS * n_seeds))
    summary = f"lr = {lr:g}, {hidden} hidden unit{'s' if hidden != 1 else ''}, {epochs} epochs"
    if learned >= needed:
        passed(f"{summary}: learned XOR for {learned} of {n_seeds} seeds (at least {needed} needed).")
        return

    median = float(np.median(runs.final_loss))
    result = f"{summary}: learned XOR for only {learned} of {n_seeds} seeds (at least {needed} needed)"
    if hidden == 1:
        fail(f"{result}. One hidden unit cannot represent XOR: the output is then a monotone function of one "
             f"line w . x + b, no better than a linear model (at most 3 of the 4 points right). Use at least "
             f"2 hidden units, better 3 or more.")
    if median > 0.3:
        fail(f"{result}; the median final loss is {median:.3f}, above the 0.25 of answering 0.5 everywhere. The "
             f"learning rate is too large: the first steps drive the sigmoids into saturation, where their "
             f"derivative is almost 0, and the outputs stay stuck at 0 or 1. Lower it.")
    if median > 0.2:
        fail(f"{result}; the median final loss is {median:.3f}, hardly below 0.25 (the loss of answering 0.5 "
             f"everywhere). The learning rate is too small to learn in {epochs} epochs: the network is still on "
             f"the plateau where every output is about 0.5. Increase it (the sweep above learns with 0.5 to 5).")
    if hidden == 2:
        fail(f"{result}. With 2 hidden units some seeds end in a local minimum (or on a long plateau) that no "
             f"learning rate escapes; the success-rate table shows it. Use 3 or more hidden units.")
    fail(f"{result}; the median final loss is {median:.3f}. The loss is still falling at the end for the seeds "
         f"that fail: increase the learning rate (or the epochs, up to {MAX_EPOCHS:,}).")
