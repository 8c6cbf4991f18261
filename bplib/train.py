"""The training loop: ``fit``, ``evaluate``, ``accuracy``, ``predict``.

``fit`` is the loop every notebook has written by hand before it is introduced::

    for epoch in range(epochs):
        for X_batch, y_batch in minibatches(X, y, batch_size, rng):
            out = model.forward(X_batch)               # forward pass, layers cache what backward needs
            L = loss.forward(out, y_batch)
            model.backward(loss.backward(), need_input_grad=False)   # layers store their gradients
            optimizer.step(model)                      # update the parameters in place

plus the bookkeeping a learner wants (a progress bar, per-epoch loss and accuracy, validation) and
a guard: a NaN or infinite loss stops training with :class:`TrainingDiverged`.

Two things make it fast, both visible in the loop: images may be passed as ``uint8`` (how MNIST is
stored), and each batch is converted to float32 in [0, 1] (:func:`as_float_batch`), so the whole
training set never exists as float; and the gradient with respect to the network's *input* is not
computed (``need_input_grad=False``): nobody needs it to train, and for MNIST it is a
(128, 784) matrix product per step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bplib.data import minibatches


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite during ``fit``; the message says where and what to try."""


@dataclass
class History:
    """What ``fit`` records.

    Attributes
    ----------
    train_loss, train_accuracy : list[float]
        Per epoch, the mean over the epoch's mini-batches (measured while training, like Keras).
    val_loss, val_accuracy : list[float]
        Per epoch, on the validation set after the epoch (empty without ``validation``).
    step_loss : list[float]
        The loss of every mini-batch, in order.
    """

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    step_loss: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    def __repr__(self) -> str:
        if not self.train_loss:
            return "History(no epochs)"
        text = (f"History({self.epochs} epochs, final train loss {self.train_loss[-1]:.4f}, "
                f"train accuracy {self.train_accuracy[-1]:.3f}")
        if self.val_loss:
            text += f", validation loss {self.val_loss[-1]:.4f}, validation accuracy {self.val_accuracy[-1]:.3f}"
        return text + ")"


def as_float_batch(X: np.ndarray) -> np.ndarray:
    """``X`` as floats for a model: uint8 images become float32 in [0, 1] (``X / 255``); floats are kept."""
    if X.dtype == np.uint8:
        return X.astype(np.float32) / 255
    return X


def _predicted_correct(output: np.ndarray, y: np.ndarray) -> int:
    """Number of correct predictions in a batch.

    One output column: a probability, predicted class ``output >= 0.5`` against 0/1 targets.
    Several columns: class scores, predicted class ``argmax``, against integer labels or one-hot rows.
    """
    if output.shape[1] == 1:
        predicted = output[:, 0] >= 0.5
        target = np.asarray(y).reshape(len(y)) >= 0.5
        return int(np.count_nonzero(predicted == target))
    predicted = output.argmax(axis=1)
    labels = y.argmax(axis=1) if y.ndim == 2 else y
    return int(np.count_nonzero(predicted == labels))


def _check_finite(value: float, epoch: int, step: int, optimizer: Any) -> None:
    if math.isfinite(value):
        return
    lr = getattr(optimizer, "lr", None)
    hint = f" (it is {lr:g}; try {lr / 10:g})" if lr is not None else ""
    raise TrainingDiverged(
        f"Training diverged: the loss became {value} at epoch {epoch}, step {step}. "
        f"Lower the learning rate{hint}; check also the initialisation and the input scale."
    )


def _check_inputs(X: np.ndarray, y: np.ndarray, what: str) -> None:
    if X.ndim != 2:
        raise ValueError(f"{what}: X must be 2-D (N, D), got shape {X.shape}")
    if len(X) != len(y):
        raise ValueError(f"{what}: X has {len(X)} rows but y has {len(y)}")


def fit(model: Any, loss: Any, optimizer: Any, X: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int,
        rng: np.random.Generator, validation: tuple[np.ndarray, np.ndarray] | None = None,
        progress: bool = True) -> History:
    """Train ``model`` with mini-batch gradient descent and return its :class:`History`.

    Parameters
    ----------
    model : a layer or ``Sequential`` with ``forward``, ``backward(dOut, need_input_grad)`` and
        ``parameters()``: every bplib layer; a layer of your own must accept ``need_input_grad`` (see ``Layer``).
    loss : ``MSELoss``, ``BCELoss`` or ``SoftmaxCrossEntropy`` (``forward(pred, target)``, ``backward()``).
    optimizer : ``SGD``, ``RMSprop`` or ``Adam`` (``step(model)``).
    X : (N, D) float array, or uint8 images (converted per batch to float32 / 255).
    y : (N,) integer labels, (N, C) one-hot rows or (N, 1) targets, as the loss expects.
    epochs, batch_size : how long and in what portions; the last batch of an epoch may be smaller.
    rng : shuffles the rows at the start of every epoch.
    validation : optional ``(X_val, y_val)``, evaluated after every epoch.
    progress : show a tqdm progress bar per epoch.

    Raises
    ------
    TrainingDiverged
        When a mini-batch loss is NaN or infinite (with the epoch, the step and a hint).
    """
    _check_inputs(X, y, "fit")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"fit: epochs and batch_size must be >= 1, got {epochs} and {batch_size}")
    from tqdm.auto import tqdm  # imported here: only fit() needs it

    n, steps = len(X), math.ceil(len(X) / batch_size)
    history = History()
    for epoch in range(1, epochs + 1):
        total_loss, correct = 0.0, 0
        bar = tqdm(total=steps, desc=f"epoch {epoch}/{epochs}", disable=not progress, leave=True)
        for step, (X_batch, y_batch) in enumerate(minibatches(X, y, batch_size, rng), start=1):
            out = model.forward(as_float_batch(X_batch))
            L = float(loss.forward(out, y_batch))
            _check_finite(L, epoch, step, optimizer)
            model.backward(loss.backward(), need_input_grad=False)
            optimizer.step(model)

            history.step_loss.append(L)
            total_loss += L * len(X_batch)
            correct += _predicted_correct(out, y_batch)
            bar.update(1)
            if step % 20 == 1 or step == steps:
                bar.set_postfix(loss=f"{L:.4f}", refresh=False)
        history.train_loss.append(total_loss / n)
        history.train_accuracy.append(correct / n)
        if validation is not None:
            val_loss, val_accuracy = evaluate(model, loss, *validation)
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
            bar.set_postfix(loss=f"{history.train_loss[-1]:.4f}", val_accuracy=f"{val_accuracy:.4f}")
        bar.close()
    return history


def evaluate(model: Any, loss: Any, X: np.ndarray, y: np.ndarray, batch_size: int = 1024) -> tuple[float, float]:
    """Mean loss and accuracy of ``model`` on ``(X, y)``, computed in batches; returns ``(loss, accuracy)``."""
    _check_inputs(X, y, "evaluate")
    total_loss, correct = 0.0, 0
    for X_batch, y_batch in minibatches(X, y, batch_size, rng=None, shuffle=False):
        out = model.forward(as_float_batch(X_batch))
        total_loss += float(loss.forward(out, y_batch)) * len(X_batch)
        correct += _predicted_correct(out, y_batch)
    return total_loss / len(X), correct / len(X)


def accuracy(model: Any, X: np.ndarray, y: np.ndarray, batch_size: int = 1024) -> float:
    """Fraction of rows of ``X`` that ``model`` classifies correctly.

    One output column: class ``output >= 0.5`` (a probability) against 0/1 targets ``y``;
    several columns: ``argmax`` against integer labels or one-hot rows.
    """
    _check_inputs(X, y, "accuracy")
    return _predicted_correct(predict(model, X, batch_size), y) / len(X)


def predict(model: Any, X: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """The model's output for every row of ``X`` (N, D_out), computed in batches of rows in order."""
    outputs = [model.forward(as_float_batch(X[start:start + batch_size])) for start in range(0, len(X), batch_size)]
    return np.concatenate(outputs, axis=0)
