"""The notebook-13 checks: correct answers pass, typical mistakes get their own hint, unfinished ones propagate.

Only small synthetic data: the real MNIST is never needed here.
"""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import (ExerciseFailed, check_accuracy_from_logits, check_most_confidently_wrong,
                             check_one_hot, check_r3_model, check_train_step)
from bplib.course.exercises.mnist import R3_PARAMETERS
from bplib.functions import softmax
from bplib.nn import Linear, ReLU, Sequential, Sigmoid, SoftmaxCrossEntropy
from bplib.optim import SGD


def unfinished(*args, **kwargs):
    raise NotImplementedError()


def _passes(check, answer, capsys):
    check(answer)
    out = capsys.readouterr().out
    assert out.startswith("PASSED"), out


# ---- exercise 1: one_hot ---------------------------------------------------------------------------

def one_hot(labels, num_classes=10):
    return np.eye(num_classes, dtype=np.float32)[labels]


def one_hot_loop(labels, num_classes=10):
    out = np.zeros((len(labels), num_classes))
    for n, label in enumerate(labels):
        out[n, label] = 1
    return out


def one_hot_transposed(labels, num_classes=10):
    return np.eye(num_classes)[labels].T


def one_hot_off_by_one(labels, num_classes=10):
    return np.eye(num_classes)[labels - 1]


def one_hot_max_plus_one(labels, num_classes=10):
    return np.eye(labels.max() + 1)[labels]


def one_hot_not_one_hot(labels, num_classes=10):
    return np.ones((len(labels), num_classes)) * labels[:, None]


@pytest.mark.parametrize("answer", [one_hot, one_hot_loop])
def test_one_hot_correct_answers_pass(answer, capsys):
    _passes(check_one_hot, answer, capsys)


@pytest.mark.parametrize(("answer", "phrase"), [
    (one_hot_transposed, "transposed"),
    (one_hot_off_by_one, "one column off"),
    (one_hot_max_plus_one, "not labels.max"),
    (one_hot_not_one_hot, "exactly one 1"),
])
def test_one_hot_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed, match=phrase):
        check_one_hot(answer)


def test_one_hot_unfinished_propagates():
    with pytest.raises(NotImplementedError):
        check_one_hot(unfinished)


# ---- exercise 2: the R3 model ------------------------------------------------------------------------

def build_r3(rng):
    return Sequential(Linear(784, 512, rng=rng), ReLU(), Linear(512, 10, rng=rng))


def build_r3_xavier(rng):  # Keras's default scale is fine too
    return Sequential(Linear(784, 512, init="xavier", rng=rng), ReLU(), Linear(512, 10, init="xavier", rng=rng))


def build_r3_transposed(rng):
    return Sequential(Linear(512, 784, rng=rng), ReLU(), Linear(10, 512, rng=rng))


def build_r3_no_relu(rng):
    return Sequential(Linear(784, 512, rng=rng), Linear(512, 10, rng=rng))


def build_r3_sigmoid(rng):
    return Sequential(Linear(784, 512, rng=rng), Sigmoid(), Linear(512, 10, rng=rng))


class Softmax:
    """A learner's softmax layer, as Keras's activation='softmax' might suggest."""

    params: dict = {}
    grads: dict = {}

    def forward(self, x):
        return softmax(x, axis=1)

    def backward(self, g):
        return g

    def __repr__(self):
        return "Softmax()"


def build_r3_softmax_twice(rng):
    return Sequential(Linear(784, 512, rng=rng), ReLU(), Linear(512, 10, rng=rng), Softmax())


def build_r3_normal_init(rng):
    return Sequential(Linear(784, 512, init="normal", rng=rng), ReLU(), Linear(512, 10, init="normal", rng=rng))


def build_r3_ignores_rng(rng):
    return Sequential(Linear(784, 512), ReLU(), Linear(512, 10))


def build_r3_own_rng(rng):
    own = np.random.default_rng(0)
    return Sequential(Linear(784, 512, rng=own), ReLU(), Linear(512, 10, rng=own))


def build_r3_wrong_width(rng):
    return Sequential(Linear(784, 128, rng=rng), ReLU(), Linear(128, 10, rng=rng))


def build_r3_list(rng):
    return [Linear(784, 512, rng=rng), ReLU(), Linear(512, 10, rng=rng)]


@pytest.mark.parametrize("answer", [build_r3, build_r3_xavier])
def test_r3_model_correct_answers_pass(answer, capsys):
    check_r3_model(answer)
    out = capsys.readouterr().out
    assert out.startswith("PASSED") and f"{R3_PARAMETERS:,} parameters" in out


@pytest.mark.parametrize(("answer", "phrase"), [
    (build_r3_transposed, "takes the input size first"),
    (build_r3_no_relu, "forgot the ReLU"),
    (build_r3_sigmoid, "uses ReLU"),
    (build_r3_softmax_twice, "applied twice"),
    (build_r3_normal_init, "far too large"),
    (build_r3_ignores_rng, "pass rng=rng"),
    (build_r3_own_rng, "not a generator of your own"),
    (build_r3_wrong_width, "two Linear layers, Linear\\(784, 512\\)"),
    (build_r3_list, "should return a Sequential"),
])
def test_r3_model_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed, match=phrase):
        check_r3_model(answer)


def test_r3_model_unfinished_propagates():
    with pytest.raises(NotImplementedError):
        check_r3_model(unfinished)


# ---- exercise 3: one training step -------------------------------------------------------------------

def train_step(model, loss_fn, optimizer, X_batch, y_batch):
    logits = model.forward(X_batch)
    loss = loss_fn.forward(logits, y_batch)
    model.backward(loss_fn.backward())
    optimizer.step(model)
    return loss


def step_without_backward(model, loss_fn, optimizer, X_batch, y_batch):
    loss = loss_fn.forward(model.forward(X_batch), y_batch)
    optimizer.step(model)
    return loss


def step_in_wrong_order(model, loss_fn, optimizer, X_batch, y_batch):
    loss = loss_fn.forward(model.forward(X_batch), y_batch)
    optimizer.step(model)
    model.backward(loss_fn.backward())
    return loss


def step_without_optimizer(model, loss_fn, optimizer, X_batch, y_batch):
    loss = loss_fn.forward(model.forward(X_batch), y_batch)
    model.backward(loss_fn.backward())
    return loss


def step_twice(model, loss_fn, optimizer, X_batch, y_batch):
    loss = train_step(model, loss_fn, optimizer, X_batch, y_batch)
    optimizer.step(model)
    return loss


def step_softmax_twice(model, loss_fn, optimizer, X_batch, y_batch):
    probs = softmax(model.forward(X_batch), axis=1)
    loss = loss_fn.forward(probs, y_batch)
    model.backward(loss_fn.backward())
    optimizer.step(model)
    return loss


def step_negated(model, loss_fn, optimizer, X_batch, y_batch):
    loss = loss_fn.forward(model.forward(X_batch), y_batch)
    model.backward(-loss_fn.backward())
    optimizer.step(model)
    return loss


def step_returns_nothing(model, loss_fn, optimizer, X_batch, y_batch):
    train_step(model, loss_fn, optimizer, X_batch, y_batch)


def step_returns_loss_after_update(model, loss_fn, optimizer, X_batch, y_batch):
    train_step(model, loss_fn, optimizer, X_batch, y_batch)
    return loss_fn.forward(model.forward(X_batch), y_batch)


def test_train_step_correct_answer_passes(capsys):
    _passes(check_train_step, train_step, capsys)


def test_train_step_correct_answer_decreases_the_loss():
    rng = np.random.default_rng(0)
    model = Sequential(Linear(4, 8, rng=rng), ReLU(), Linear(8, 3, rng=rng))
    X, y = rng.normal(size=(16, 4)), rng.integers(0, 3, size=16)
    loss_fn, optimizer = SoftmaxCrossEntropy(), SGD(0.1)
    losses = [train_step(model, loss_fn, optimizer, X, y) for _ in range(50)]
    assert losses[-1] < losses[0]


@pytest.mark.parametrize(("answer", "phrase"), [
    (step_without_backward, "forgot the backward pass"),
    (step_in_wrong_order, "forgot the backward pass"),
    (step_without_optimizer, "forgot optimizer.step"),
    (step_twice, "called twice"),
    (step_softmax_twice, "softmax is applied twice"),
    (step_negated, "moved uphill"),
    (step_returns_nothing, "returned None"),
    (step_returns_loss_after_update, "loss after the update"),
])
def test_train_step_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed, match=phrase):
        check_train_step(answer)


def test_train_step_unfinished_propagates():
    with pytest.raises(NotImplementedError):
        check_train_step(unfinished)


# ---- exercise 4: accuracy from logits ----------------------------------------------------------------

def accuracy_from_logits(logits, labels):
    return np.mean(np.argmax(logits, axis=1) == labels)


def accuracy_via_softmax(logits, labels):  # softmax first does not change the argmax
    return float((softmax(logits, axis=1).argmax(axis=1) == labels).mean())


def accuracy_wrong_axis(logits, labels):
    return np.mean(np.argmax(logits, axis=0) == labels)


def accuracy_count(logits, labels):
    return int(np.sum(np.argmax(logits, axis=1) == labels))


def accuracy_percent(logits, labels):
    return 100 * np.mean(np.argmax(logits, axis=1) == labels)


def accuracy_error_rate(logits, labels):
    return np.mean(np.argmax(logits, axis=1) != labels)


def accuracy_per_example(logits, labels):
    return np.argmax(logits, axis=1) == labels


@pytest.mark.parametrize("answer", [accuracy_from_logits, accuracy_via_softmax])
def test_accuracy_correct_answers_pass(answer, capsys):
    _passes(check_accuracy_from_logits, answer, capsys)


@pytest.mark.parametrize(("answer", "phrase"), [
    (accuracy_wrong_axis, "axis"),
    (accuracy_count, "number of correct predictions"),
    (accuracy_percent, "percentage"),
    (accuracy_error_rate, "error rate"),
    (accuracy_per_example, "one value per example"),
])
def test_accuracy_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed, match=phrase):
        check_accuracy_from_logits(answer)


def test_accuracy_wrong_axis_on_square_batch_names_the_axis():
    """When N == C the wrong axis runs without error; the check still names it."""
    def wrong_axis_that_runs(logits, labels):
        if logits.shape[0] != logits.shape[1]:
            return np.mean(np.argmax(logits, axis=1) == labels)   # right on the first batch ...
        return np.mean(np.argmax(logits, axis=0) == labels)       # ... wrong on the square one
    with pytest.raises(ExerciseFailed, match="argmax over axis 0"):
        check_accuracy_from_logits(wrong_axis_that_runs)


def test_accuracy_unfinished_propagates():
    with pytest.raises(NotImplementedError):
        check_accuracy_from_logits(unfinished)


# ---- exercise 5: the most confidently wrong predictions ----------------------------------------------

def most_confidently_wrong(logits, labels, k):
    probs = softmax(logits, axis=1)
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probs[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence)][:k]


def mcw_keeps_correct(logits, labels, k):
    probs = softmax(logits, axis=1)
    return np.argsort(-probs.max(axis=1))[:k]


def mcw_ascending(logits, labels, k):
    probs = softmax(logits, axis=1)
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    return wrong[np.argsort(probs[wrong, predicted[wrong]])][:k]


def mcw_by_logit(logits, labels, k):
    predicted = logits.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    return wrong[np.argsort(-logits[wrong].max(axis=1))][:k]


def mcw_true_class(logits, labels, k):
    probs = softmax(logits, axis=1)
    wrong = np.flatnonzero(probs.argmax(axis=1) != labels)
    return wrong[np.argsort(probs[wrong, labels[wrong]])][:k]


def mcw_subset_indices(logits, labels, k):
    probs = softmax(logits, axis=1)
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    return np.argsort(-probs[wrong, predicted[wrong]])[:k]


def mcw_with_probabilities(logits, labels, k):
    indices = most_confidently_wrong(logits, labels, k)
    return indices, softmax(logits, axis=1)[indices].max(axis=1)


def test_most_confidently_wrong_correct_answer_passes(capsys):
    _passes(check_most_confidently_wrong, most_confidently_wrong, capsys)


@pytest.mark.parametrize(("answer", "phrase"), [
    (mcw_keeps_correct, "predicted correctly"),
    (mcw_ascending, "least confident"),
    (mcw_by_logit, "largest logit"),
    (mcw_true_class, "probability of the true label"),
    (mcw_subset_indices, "within the wrong predictions only"),
    (mcw_with_probabilities, "only a 1-D array"),
])
def test_most_confidently_wrong_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed, match=phrase):
        check_most_confidently_wrong(answer)


def test_most_confidently_wrong_unfinished_propagates():
    with pytest.raises(NotImplementedError):
        check_most_confidently_wrong(unfinished)
