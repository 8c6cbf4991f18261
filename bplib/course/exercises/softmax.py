"""Checks for notebook 10 (softmax and cross-entropy): a stable softmax-cross-entropy.

The learner writes ``softmax_cross_entropy(logits, labels) -> (loss, dlogits)`` where ``logits``
is ``(N, C)``, ``labels`` holds integer class indices of shape ``(N,)``, ``loss`` is the mean
cross-entropy over the batch and ``dlogits`` is its gradient ``(softmax(logits) - Y) / N`` (``Y`` the
one-hot matrix of the labels). :func:`check_softmax_cross_entropy` compares the answer with the
reference on a small batch, on large logits, on a confidently wrong batch and on rows at very
different levels, and names the likely mistake:

* no max shift: ``exp`` overflows to ``inf`` on large logits and the result is ``nan``,
* ``log(softmax(z))`` instead of log-sum-exp: ``log(0) = -inf`` when a probability underflows,
* the maximum of the whole batch (or a column) subtracted instead of each row's,
* the loss or the gradient is not divided by the batch size ``N`` (or divided twice), the sum
  instead of the mean, one loss per example instead of their mean,
* the sign of the gradient (``y - p`` instead of ``p - y``),
* labels treated as one-hot rows (shapes ``(N, C)`` and ``(N,)`` do not broadcast, or the label index
  is subtracted from every probability), or ``keepdims=True`` missing,
* softmax taken along the wrong axis.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bplib.course.exercises.common import check_shape, diagnose_values, fail, passed

__all__ = ["softmax_cross_entropy_reference", "check_softmax_cross_entropy"]

_LABEL_HINT = ("labels holds integer class indices of shape (N,), not one-hot rows: pick the true "
               "class's log-probability with log_p[np.arange(N), labels], or build the one-hot matrix "
               "first with np.eye(C)[labels].")


def softmax_cross_entropy_reference(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Mean cross-entropy of ``softmax(logits)`` against integer ``labels`` and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (N, C)
    labels : ndarray of int, shape (N,)

    Returns
    -------
    loss : float
        :math:`L = -\frac{1}{N}\sum_n \log p_{n, y_n}` with ``log p`` from log-sum-exp.
    dlogits : ndarray, shape (N, C)
        :math:`\partial L / \partial z = (p - Y) / N`.
    """
    from bplib.functions import cross_entropy, cross_entropy_grad  # log-sum-exp inside

    z = np.asarray(logits, dtype=np.float64)
    return float(cross_entropy(z, labels)), cross_entropy_grad(z, labels)


def _call(fn: Callable, logits: np.ndarray, labels: np.ndarray, *,
          quiet: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Call the learner's function on copies of the inputs; return (loss, dlogits) as float arrays.

    Shape errors raised inside (a broadcast of ``(N, C)`` against ``(N,)``, an index of the wrong
    kind) are turned into the labels/one-hot hint. With ``quiet``, NumPy's overflow/underflow
    warnings are silenced: the check itself reports a ``nan``/``inf`` with a hint.
    """
    try:
        if quiet:
            with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
                answer = fn(logits.copy(), labels.copy())
        else:
            answer = fn(logits.copy(), labels.copy())
    except (ValueError, IndexError) as error:
        fail(f"softmax_cross_entropy raised {type(error).__name__}: {error}\n"
             f"With logits of shape {logits.shape} and labels of shape {labels.shape}, a shape (N, C) met a "
             f"shape (N,). Either keepdims=True is missing in a max or sum over axis=1 (it keeps the shape "
             f"(N, 1), which broadcasts against (N, C)), or {_LABEL_HINT}")
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        fail("softmax_cross_entropy should return two things: (loss, dlogits).")
    loss, dlogits = answer
    try:
        loss = np.asarray(loss, dtype=np.float64)
        dlogits = np.asarray(dlogits, dtype=np.float64)
    except (TypeError, ValueError):
        fail("softmax_cross_entropy should return a number (the loss) and a NumPy array (dlogits).")
    return loss, dlogits


def _check_loss_shape(loss: np.ndarray, n: int) -> None:
    if loss.shape == (n,):
        fail(f"the loss has shape {loss.shape}: one value per example. The loss is a single number, "
             f"the mean over the batch: use .mean().")
    if loss.shape != ():
        fail(f"the loss has shape {loss.shape}; it should be a single number (the mean over the batch). "
             f"If it has a class axis, {_LABEL_HINT}")


def check_softmax_cross_entropy(fn: Callable[[np.ndarray, np.ndarray], tuple]) -> None:
    """Check the learner's ``softmax_cross_entropy(logits, labels) -> (loss, dlogits)``.

    Four batches are used: small random logits (values and a finite-difference gradient check),
    the same logits shifted by +1000 (the max shift must keep ``exp`` from overflowing), a
    confidently wrong batch where the true class is 1000 below the largest logit (the log of the
    softmax must come from log-sum-exp, not from ``log`` of a probability that underflowed to 0) and
    two rows 2000 apart (the shift must be each row's maximum).

    Raises
    ------
    ExerciseFailed
        With a message naming the likely mistake.
    NotImplementedError
        Propagated from an unfinished exercise (never caught).
    """
    from bplib.gradcheck import numerical_gradient, relative_error  # imported here: keep bplib.course.exercises light

    rng = np.random.default_rng(10)
    n, c = 4, 3  # N != C, so that a labels/one-hot mix-up cannot broadcast silently
    logits = rng.normal(size=(n, c))
    labels = np.array([0, 2, 1, 2])

    # 1. small logits: shapes and values
    loss, dlogits = _call(fn, logits, labels)
    _check_loss_shape(loss, n)
    ref_loss, ref_grad = softmax_cross_entropy_reference(logits, labels)
    if not np.isfinite(loss) or not np.all(np.isfinite(dlogits)):
        fail("the result contains nan or inf already for small logits: check the log and the exp.")
    if not np.isclose(loss, ref_loss, rtol=1e-6):
        if np.isclose(loss, n * ref_loss, rtol=1e-6):
            fail(f"the loss is N = {n} times too large: it is the sum over the batch; take the mean (divide by N).")
        if np.isclose(loss, -ref_loss, rtol=1e-6):
            fail("the loss has the wrong sign: cross-entropy is MINUS the mean log-probability of the true class.")
        from bplib.functions import log_softmax

        by_column = -log_softmax(logits, axis=0)[np.arange(n), labels].mean()
        if np.isclose(loss, by_column, rtol=1e-6):
            fail("the loss looks like softmax taken down the columns (axis=0): the probabilities of each "
                 "example are in its ROW, so max, sum and softmax run along axis=1.")
        fail(f"the loss is {float(loss):.6f}, expected {ref_loss:.6f}: it should be -mean(log p[n, labels[n]]).")
    check_shape(dlogits, ref_grad.shape, "dlogits")
    one_hot_mixup = (np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True) - labels[:, None]) / n
    if np.allclose(dlogits, one_hot_mixup, rtol=1e-6):
        fail(f"dlogits looks like (p - labels[:, None]) / N: the label index was subtracted from every "
             f"probability. Subtract the one-hot vector: {_LABEL_HINT}")
    diagnose_values(dlogits, ref_grad, "dlogits", batch_size=n)

    # gradient check: the returned dlogits must be the derivative of the returned loss
    numeric = numerical_gradient(lambda z: float(np.asarray(fn(z.copy(), labels.copy())[0])), logits.copy())
    err = relative_error(dlogits, numeric)
    if not err < 1e-6:
        fail(f"dlogits does not agree with finite differences of your loss (relative error {err:.1e}).")

    # 2. large logits: softmax is shift-invariant, so the answer must not change
    big = logits + 1000.0
    loss_big, dlogits_big = _call(fn, big, labels, quiet=True)
    if not np.isfinite(loss_big) or not np.all(np.isfinite(dlogits_big)):
        fail("with logits around 1000 the result is nan or inf: np.exp(1000) overflows to inf and inf/inf is "
             "nan. Subtract the row maximum first (z - z.max(axis=1, keepdims=True)); softmax does not change.")
    if not (np.isclose(loss_big, ref_loss, rtol=1e-6) and np.allclose(dlogits_big, ref_grad, rtol=1e-6, atol=1e-12)):
        fail("adding 1000 to every logit changed the result, but softmax is shift-invariant: "
             "subtract the maximum of each row (axis=1, keepdims=True), not of a column.")

    # 3. confidently wrong: the true class is 1000 below the largest logit
    wrong = np.array([[0.0, -1000.0, 5.0], [2.0, 1.0, -1000.0]])
    wrong_labels = np.array([1, 2])
    loss_wrong, dlogits_wrong = _call(fn, wrong, wrong_labels, quiet=True)
    ref_wrong, ref_grad_wrong = softmax_cross_entropy_reference(wrong, wrong_labels)
    if not np.isfinite(loss_wrong):
        fail("for a confidently wrong prediction (true class 1000 below the others) the loss is inf or nan: "
             "softmax underflows to 0 and log(0) = -inf. Compute log p with log-sum-exp instead of log(softmax): "
             "log_p = z - m - log(sum(exp(z - m))) with m the row maximum.")
    if not np.isclose(loss_wrong, ref_wrong, rtol=1e-6):
        fail(f"for a confidently wrong prediction the loss is {float(loss_wrong):.6g}, expected {ref_wrong:.6g} "
             f"(about 1000): compute log p with log-sum-exp, not by clipping the probabilities.")
    if not np.allclose(dlogits_wrong, ref_grad_wrong, rtol=1e-6, atol=1e-12):
        fail("dlogits is wrong for a confidently wrong prediction: it should stay (p - Y) / N, finite.")

    # 4. rows at very different levels: the shift must be per row, not the maximum of the whole batch
    levels = np.array([[0.0, 1.0, 2.0], [-2000.0, -2001.0, -2002.0]])
    level_labels = np.array([2, 0])
    loss_levels, dlogits_levels = _call(fn, levels, level_labels, quiet=True)
    ref_levels, ref_grad_levels = softmax_cross_entropy_reference(levels, level_labels)
    if not (np.isfinite(loss_levels) and np.isclose(loss_levels, ref_levels, rtol=1e-6)
            and np.allclose(dlogits_levels, ref_grad_levels, rtol=1e-6, atol=1e-12)):
        fail("with one row of logits near 0 and another near -2000 the result is wrong (or nan): subtract the "
             "maximum of EACH ROW (z.max(axis=1, keepdims=True)), not the maximum of the whole batch; a row "
             "far below the batch maximum underflows to exp(...) = 0 everywhere.")

    passed(f"loss and dlogits match (P - Y) / N on {n} examples, agree with finite differences, "
           f"and stay finite for logits near +1000 and -2000.")
