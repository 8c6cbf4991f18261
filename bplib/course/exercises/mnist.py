"""Checks for notebook 13 (MNIST): the pieces of the Keras program R3, written in bplib.

The learner writes five small functions; each check feeds them a small synthetic problem (never
the real MNIST), compares the answer with the reference and names the likely mistake:

* ``one_hot(labels, num_classes)`` -> ``(N, num_classes)`` rows with a single 1
  (:func:`check_one_hot`): transposed result, a 1 one column off, too few columns
  (``labels.max() + 1`` instead of ``num_classes``);
* ``build_r3(rng)`` -> ``Sequential(Linear(784, 512), ReLU(), Linear(512, 10))``
  (:func:`check_r3_model`): sizes the wrong way round, a forgotten ReLU, another activation, a
  softmax (or any layer) after the last ``Linear`` (softmax applied twice), weights far too large,
  the ``rng`` argument not used;
* ``train_step(model, loss_fn, optimizer, X_batch, y_batch)`` -> the loss of the batch, after one
  forward pass, loss, backward pass and optimizer step (:func:`check_train_step`): forgotten
  backward (or wrong order), forgotten optimizer step, two steps, the softmax applied before the
  loss, a negated gradient, the loss after the update returned;
* ``accuracy_from_logits(logits, labels)`` -> the fraction of rows whose largest logit is the label
  (:func:`check_accuracy_from_logits`): argmax over the wrong axis, a count or a percentage instead
  of a fraction, the error rate;
* ``most_confidently_wrong(logits, labels, k)`` -> the indices of the ``k`` wrong predictions with
  the highest softmax probability, most confident first (:func:`check_most_confidently_wrong`):
  correct predictions kept, ascending order, the largest logit instead of the probability, the
  probability of the true class, indices into the subset of mistakes.

``NotImplementedError`` from an unfinished exercise (the student edition) is never caught.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bplib.course.exercises.common import as_array, fail, passed

__all__ = ["check_one_hot", "check_r3_model", "check_train_step", "check_accuracy_from_logits",
           "check_most_confidently_wrong", "R3_PARAMETERS"]

#: Number of parameters of R3: 784 * 512 + 512 + 512 * 10 + 10.
R3_PARAMETERS: int = 407_050


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------------------------
# Exercise 1: one-hot labels
# ---------------------------------------------------------------------------------------------

def _one_hot_answer(fn: Callable, labels: np.ndarray, num_classes: int) -> np.ndarray:
    answer = as_array(fn(labels.copy(), num_classes), f"one_hot(labels, {num_classes})")
    n = len(labels)
    if answer.shape == (n, num_classes):
        return answer
    if answer.shape == (num_classes, n):
        fail(f"one_hot(labels, {num_classes}) has shape {answer.shape}, expected ({n}, {num_classes}): it is "
             f"transposed. One row per label (the batch is in the rows) and one column per class, e.g. "
             f"np.eye(num_classes)[labels].")
    if answer.ndim == 2 and answer.shape[0] == n:
        fail(f"one_hot(labels, {num_classes}) has {answer.shape[1]} columns, expected {num_classes}: use "
             f"num_classes for the number of columns, not labels.max() + 1 (a batch without any 9 still "
             f"needs 10 columns, one per digit).")
    fail(f"one_hot(labels, {num_classes}) has shape {answer.shape}, expected ({n}, {num_classes}): one row per "
         f"label, one column per class.")
    raise AssertionError  # unreachable


def check_one_hot(fn: Callable[[np.ndarray, int], Any]) -> None:
    """Check the learner's ``one_hot(labels, num_classes)`` against ``np.eye(num_classes)[labels]``."""
    labels = np.array([3, 0, 9, 1, 3, 7])     # N = 6 differs from C = 10; contains 0 and 9
    expected = np.eye(10)[labels]
    answer = _one_hot_answer(fn, labels, 10)
    if not np.all((answer == 0) | (answer == 1)) or not np.all(answer.sum(axis=1) == 1):
        fail("each row of one_hot must hold exactly one 1 (in the column of its label) and zeros elsewhere; "
             "some row does not.")
    if not np.array_equal(answer, expected):
        columns = answer.argmax(axis=1)
        if np.array_equal(columns, (labels - 1) % 10) or np.array_equal(columns, (labels + 1) % 10):
            fail("the 1 is one column off: column k stands for digit k, and digit 0 is column 0 "
                 "(np.eye(num_classes)[labels], no +1 or -1).")
        fail(f"row n must have its 1 in column labels[n]: for labels {labels.tolist()} the 1s are in "
             f"columns {columns.tolist()}.")
    # a batch that does not contain the largest class still gets num_classes columns
    _one_hot_answer(fn, np.array([1, 2, 2]), 10)
    passed("one_hot gives (N, num_classes) rows with a single 1 in the column of each label.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: the R3 model
# ---------------------------------------------------------------------------------------------

def _layers_of(model: Any) -> list[Any]:
    layers = getattr(model, "layers", None)
    if not isinstance(layers, (list, tuple)) or not hasattr(model, "forward"):
        fail(f"build_r3(rng) should return a Sequential of layers, got {type(model).__name__}: "
             f"Sequential(Linear(784, 512, rng=rng), ReLU(), Linear(512, 10, rng=rng)).")
    return list(layers)


def check_r3_model(build_fn: Callable[[np.random.Generator], Any]) -> None:
    """Check the learner's ``build_r3(rng)``: ``Sequential(Linear(784, 512), ReLU(), Linear(512, 10))``."""
    from bplib.nn import Linear, ReLU  # imported here: keep bplib.course.exercises light

    model = build_fn(np.random.default_rng(13))
    layers = _layers_of(model)
    names = ", ".join(repr(layer) for layer in layers) or "no layers"
    linears = [layer for layer in layers if isinstance(layer, Linear)]
    sizes = [(layer.in_features, layer.out_features) for layer in linears]

    if (512, 784) in sizes or (10, 512) in sizes:
        fail(f"the model is {names}: Linear(in_features, out_features) takes the input size first. The images "
             f"have 784 pixels, so the first layer is Linear(784, 512) and the last Linear(512, 10).")
    if sizes != [(784, 512), (512, 10)]:
        fail(f"the model is {names}; R3 has two Linear layers, Linear(784, 512) (Dense(512)) and then "
             f"Linear(512, 10) (Dense(10)).")
    first, last = layers.index(linears[0]), layers.index(linears[1])
    before, between, after = layers[:first], layers[first + 1:last], layers[last + 1:]
    if after:
        fail(f"the model is {names}: it must end with Linear(512, 10) and return logits. SoftmaxCrossEntropy "
             f"applies the softmax itself, so a softmax (or any activation) after the last Linear would be "
             f"applied twice: Keras's Dense(10, activation='softmax') is Linear(512, 10) here, and the softmax "
             f"is the loss's job.")
    if before:
        fail(f"the model is {names}: nothing comes before the first Linear; the ReLU goes after it.")
    if not between:
        fail(f"the model is {names}: you forgot the ReLU between the two Linear layers. Without an "
             f"activation the two layers are a single linear map (two matrices multiply into one) and cannot "
             f"reach 98%.")
    if len(between) != 1 or not isinstance(between[0], ReLU):
        fail(f"the model is {names}: R3's hidden layer uses ReLU (Dense(512, activation='relu')), "
             f"so the only layer between the two Linear layers is ReLU().")

    W_first = [np.array(layer.params["W"]) for layer in linears]   # copies, before forward casts them to float32
    std = float(np.std(W_first[0]))
    if std > 0.2:
        fail(f"the first layer's weights have standard deviation {std:.2f}: init='normal' draws N(0, 1) weights, "
             f"far too large for 784 inputs (notebook 12). Keep the default He initialisation.")

    X = np.random.default_rng(0).random((5, 784), dtype=np.float32)
    out = np.asarray(model.forward(X))
    if out.shape != (5, 10):
        fail(f"for a batch of 5 images the model returned shape {out.shape}, expected (5, 10).")

    same = _layers_of(build_fn(np.random.default_rng(13)))
    other = _layers_of(build_fn(np.random.default_rng(14)))
    W_same = [layer.params["W"] for layer in same if isinstance(layer, Linear)]
    W_other = [layer.params["W"] for layer in other if isinstance(layer, Linear)]
    if not all(np.array_equal(a, b) for a, b in zip(W_first, W_same)):
        fail("two calls build_r3(np.random.default_rng(13)) gave different weights: pass rng=rng to every "
             "Linear so that a run can be repeated.")
    if all(np.array_equal(a, b) for a, b in zip(W_first, W_other)):
        fail("different generators give the same weights: use the rng argument of build_r3 (rng=rng in every "
             "Linear), not a generator of your own.")

    n_params = sum(np.asarray(p).size for _, p, _ in model.parameters())
    passed(f"Linear(784, 512) -> ReLU -> Linear(512, 10): {n_params:,} parameters, logits of shape (N, 10).")


# ---------------------------------------------------------------------------------------------
# Exercise 3: one training step
# ---------------------------------------------------------------------------------------------

def _step_problem() -> tuple[Any, Any, Any, np.ndarray, np.ndarray]:
    """A small classifier (6 features, 3 classes), its loss, an SGD optimizer and one batch, all float64."""
    from bplib.nn import Linear, ReLU, Sequential, SoftmaxCrossEntropy
    from bplib.optim import SGD

    rng = np.random.default_rng(21)
    model = Sequential(Linear(6, 5, rng=rng), ReLU(), Linear(5, 3, rng=rng))
    X = rng.normal(size=(8, 6))
    y = rng.integers(0, 3, size=8)
    return model, SoftmaxCrossEntropy(), SGD(0.5), X, y


def _params(model: Any) -> list[np.ndarray]:
    return [np.array(p, dtype=np.float64) for _, p, _ in model.parameters()]


def _reference_steps(variant: str, steps: int) -> tuple[list[float], list[np.ndarray]]:
    """Losses and parameters after ``steps`` steps of the right step or of a typical wrong one."""
    model, loss_fn, optimizer, X, y = _step_problem()
    losses = []
    for _ in range(steps):
        out = model.forward(X)
        if variant == "softmax twice":
            out = _softmax(out)
        losses.append(float(loss_fn.forward(out, y)))
        grad = loss_fn.backward()     # with "softmax twice": dL/d(probabilities), handed to the model as if logits
        model.backward(-grad if variant == "negated" else grad)
        optimizer.step(model)
        if variant == "two steps":
            optimizer.step(model)
    return losses, _params(model)


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(x.shape == y.shape and np.allclose(x, y, rtol=1e-9, atol=1e-12)
                                    for x, y in zip(a, b))


def check_train_step(step_fn: Callable[..., Any]) -> None:
    """Check the learner's ``train_step(model, loss_fn, optimizer, X_batch, y_batch) -> loss``.

    One step is forward pass, loss, backward pass, optimizer step; the returned loss is the one of
    this step's forward pass (before the update). Two steps are run on a small fresh model and
    compared with the reference.
    """
    model, loss_fn, optimizer, X, y = _step_problem()
    start = _params(model)
    order = ("The order is: out = model.forward(X_batch); loss = loss_fn.forward(out, y_batch); "
             "model.backward(loss_fn.backward()); optimizer.step(model); return loss.")
    returned = []
    for step in (1, 2):
        try:
            value = step_fn(model, loss_fn, optimizer, X.copy(), y.copy())
        except NotImplementedError:
            raise
        except RuntimeError as error:   # bplib's "no gradient" / "backward before forward" errors
            text = str(error)
            if "has no gradient" in text:
                fail(f"optimizer.step(model) found no gradients: you forgot the backward pass, "
                     f"model.backward(loss_fn.backward()), or called it after the step. {order}")
            fail(f"train_step raised RuntimeError: {text.rstrip('.')}. {order}")
            raise  # unreachable
        if value is None:
            fail(f"train_step returned None: return the loss value (the float that loss_fn.forward returns). {order}")
        try:
            returned.append(float(np.asarray(value, dtype=np.float64)))
        except (TypeError, ValueError):
            fail(f"train_step should return the loss, a single number; got {type(value).__name__}.")
        if step == 1:
            after_one = _params(model)

    ref_losses, ref_one = _reference_steps("right", 1)
    ref_losses2, ref_two = _reference_steps("right", 2)
    if _same(after_one, start):
        fail(f"the parameters did not change: you forgot optimizer.step(model). {order}")
    if not _same(after_one, ref_one):
        if _same(after_one, _reference_steps("two steps", 1)[1]):
            fail("the parameters moved twice as far as one step: optimizer.step(model) is called twice.")
        if _same(after_one, _reference_steps("softmax twice", 1)[1]):
            fail("the softmax is applied twice: pass the logits (the output of model.forward) to loss_fn.forward; "
                 "SoftmaxCrossEntropy applies the softmax itself.")
        if _same(after_one, _reference_steps("negated", 1)[1]):
            fail("the parameters moved uphill: pass loss_fn.backward() to model.backward unchanged (no minus "
                 "sign); the optimizer subtracts the gradient itself.")
        fail(f"after one step the parameters differ from the reference step. {order}")
    if not np.isclose(returned[0], ref_losses[0], rtol=1e-9):
        if np.isclose(returned[0], ref_losses2[1], rtol=1e-9):
            fail("train_step returned the loss after the update: return the loss computed by this step's forward "
                 "pass (the value of loss_fn.forward, before optimizer.step).")
        fail(f"train_step returned {returned[0]:.6f}, but the loss of the batch is {ref_losses[0]:.6f}: "
             f"return the value of loss_fn.forward(model.forward(X_batch), y_batch).")
    if not (_same(_params(model), ref_two) and np.isclose(returned[1], ref_losses2[1], rtol=1e-9)):
        fail(f"the first step is right but the second is not: each call must do a full step on the current "
             f"parameters. {order}")
    passed(f"forward -> loss -> backward -> step: the parameters and the returned losses match the reference "
           f"over two steps (loss {ref_losses2[0]:.4f} -> {ref_losses2[1]:.4f}).")


# ---------------------------------------------------------------------------------------------
# Exercise 4: accuracy from logits
# ---------------------------------------------------------------------------------------------

def check_accuracy_from_logits(fn: Callable[[np.ndarray, np.ndarray], Any]) -> None:
    """Check the learner's ``accuracy_from_logits(logits, labels)``: mean of ``argmax(logits, axis=1) == labels``."""
    axis_hint = ("logits has one row per example and one column per class, so the predicted class of each "
                 "example is the argmax over its row: np.argmax(logits, axis=1).")
    # 1. N = 5 examples, C = 3 classes: argmax over axis 0 has the wrong length
    logits = np.array([[2.0, 0.5, -1.0], [0.1, 0.3, 0.2], [-1.0, -2.0, 0.5], [3.0, 2.9, 0.0], [0.0, 1.0, 4.0]])
    labels = np.array([0, 1, 2, 1, 1])    # predicted 0, 1, 2, 0, 2: three correct
    try:
        answer = as_array(fn(logits.copy(), labels.copy()), "accuracy_from_logits(logits, labels)")
    except ValueError as error:   # e.g. comparing 3 predictions with 5 labels
        fail(f"accuracy_from_logits raised ValueError ({error}): probably the argmax over the wrong axis. {axis_hint}")
        raise  # unreachable
    expected = 3 / 5
    if answer.shape == labels.shape:
        fail("accuracy_from_logits returned one value per example: take the mean of the comparison "
             "(predicted == labels).mean(), a single number.")
    if answer.shape != ():
        fail(f"accuracy_from_logits returned shape {answer.shape}; it should be a single number. {axis_hint}")
    answer = float(answer)
    if not np.isclose(answer, expected):
        if np.isclose(answer, 3):
            fail("accuracy_from_logits returned 3, the number of correct predictions: divide by the number of "
                 "examples (or take the mean) to get a fraction.")
        if np.isclose(answer, 100 * expected):
            fail("accuracy_from_logits returned a percentage (60): return a fraction between 0 and 1 (0.6).")
        if np.isclose(answer, 1 - expected):
            fail("accuracy_from_logits returned the error rate (the fraction of wrong predictions): count the rows "
                 "whose prediction equals the label.")
        fail(f"accuracy_from_logits returned {answer:.4f}, expected {expected:.4f}. {axis_hint}")

    # 2. N = C = 4: argmax over axis 0 runs and gives a different value
    square = np.array([[5.0, 0.0, 0.0, 0.0], [4.0, 1.0, 0.0, 0.0], [0.0, 0.0, 2.0, 1.0], [0.0, 0.0, 1.0, 3.0]])
    square_labels = np.array([0, 1, 2, 3])    # rows predict 0, 0, 2, 3: 3 of 4; columns predict 0, 1, 2, 3: 4 of 4
    answer = float(as_array(fn(square.copy(), square_labels.copy()), "accuracy_from_logits(logits, labels)"))
    if np.isclose(answer, 1.0):
        fail(f"on a square batch (4 examples, 4 classes) you get 1.0 instead of 0.75: argmax over axis 0 picks, "
             f"for each class, the example with the largest score. {axis_hint}")
    if not np.isclose(answer, 0.75):
        fail(f"on a square batch (4 examples, 4 classes) accuracy_from_logits returned {answer:.4f}, expected 0.75.")

    # 3. float32 logits, like a model trained in float32
    answer = float(as_array(fn(logits.astype(np.float32), labels.copy()), "accuracy_from_logits(logits, labels)"))
    if not np.isclose(answer, expected):
        fail(f"with float32 logits accuracy_from_logits returned {answer:.4f}, expected {expected:.4f}.")
    passed("accuracy_from_logits is the fraction of rows whose largest logit is at the label.")


# ---------------------------------------------------------------------------------------------
# Exercise 5: the most confidently wrong predictions
# ---------------------------------------------------------------------------------------------

# 8 examples, 3 classes. Rows 0 and 5 are right and very confident; the others are wrong with
# softmax confidences 0.91 (row 1), 0.55 (2), 0.82 (3), 0.58 (4), 0.38 (6) and 0.94 (7), so the answer
# for k = 3 is rows 7, 1, 3. Sorting by the largest logit instead gives 2, 7, 1 (row 2 has the largest
# logit of the mistakes but two classes almost tie); sorting by the lowest probability of the true
# class gives 3, 7, 1.
_CW_LOGITS = np.array([[6.0, 0.0, 0.0], [0.0, 3.0, 0.0], [4.0, 4.2, -10.0], [-6.0, 0.0, 1.5],
                       [1.0, 0.0, 0.0], [0.0, 5.0, 0.0], [0.2, 0.0, 0.0], [0.0, 0.0, 3.5]])
_CW_LABELS = np.array([0, 0, 0, 0, 1, 1, 2, 0])


def _confidently_wrong_reference(logits: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k wrong predictions with the highest softmax probability, most confident first."""
    probs = _softmax(logits)
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probs[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:k]


def check_most_confidently_wrong(fn: Callable[[np.ndarray, np.ndarray, int], Any]) -> None:
    """Check the learner's ``most_confidently_wrong(logits, labels, k)`` -> indices, most confident mistake first."""
    logits, labels = _CW_LOGITS, _CW_LABELS
    probs = _softmax(logits)
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    for k in (3, 6, 1):
        raw = fn(logits.copy(), labels.copy(), k)
        answer = as_array(raw, f"most_confidently_wrong(logits, labels, {k})")
        if answer.ndim != 1:
            fail(f"most_confidently_wrong returned shape {answer.shape}: return only a 1-D array of k row indices "
                 f"(not the probabilities too).")
        if answer.shape != (k,):
            fail(f"most_confidently_wrong(logits, labels, {k}) returned {answer.shape[0]} indices, expected {k}.")
        if not np.all(answer == np.round(answer)):
            fail("most_confidently_wrong should return row indices (integers), not probabilities.")
        answer = answer.astype(np.int64)
        expected = _confidently_wrong_reference(logits, labels, k)
        if np.array_equal(answer, expected):
            continue
        if np.array_equal(answer, np.searchsorted(wrong, expected)):
            fail(f"the indices {answer.tolist()} count within the wrong predictions only: map them back to rows "
                 f"of the whole batch, e.g. wrong_rows[order] with wrong_rows = np.flatnonzero(predicted != labels).")
        if np.any((answer < 0) | (answer >= len(labels))):
            fail(f"most_confidently_wrong returned {answer.tolist()}: the indices must be rows of the batch, "
                 f"0 to {len(labels) - 1}.")
        right = [int(i) for i in answer if predicted[i] == labels[i]]
        if right:
            fail(f"row {right[0]} of your answer is predicted correctly: keep only the wrong predictions "
                 f"(predicted != labels) before sorting.")
        confidence = probs[wrong, predicted[wrong]]
        if np.array_equal(answer, wrong[np.argsort(confidence, kind="stable")][:k]):
            fail("these are the least confident mistakes: sort by decreasing confidence, e.g. np.argsort(-confidence).")
        if np.array_equal(answer, wrong[np.argsort(-logits[wrong].max(axis=1), kind="stable")][:k]):
            fail("you sorted by the largest logit; the confidence is the softmax probability of the predicted class "
                 "(two classes with close logits share the probability, however large the logits are).")
        if np.array_equal(answer, wrong[np.argsort(probs[wrong, labels[wrong]], kind="stable")][:k]):
            fail("you sorted by the probability of the true label; the confidence of a prediction is the "
                 "probability of the predicted class, probs[n, predicted[n]].")
        fail(f"most_confidently_wrong(logits, labels, {k}) returned {answer.tolist()}, expected {expected.tolist()}: "
             f"the wrong predictions, sorted by the softmax probability of the predicted class, largest first.")
    passed("most_confidently_wrong returns the wrong predictions with the highest softmax probability, most "
           "confident first.")
