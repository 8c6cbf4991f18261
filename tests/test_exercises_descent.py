"""Notebook 04's check of `descend`, with answers written as a learner writes them."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import ExerciseFailed, NotDoneYet, check_descent
from bplib.course.surfaces import gradient_descent, quadratic_grad


def correct(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(steps):
        w = w - lr * grad(w)
        path.append(w.copy())
    return np.array(path)


def correct_preallocated(grad, w0, lr, steps):
    path = np.zeros((steps + 1, 2))
    path[0] = w0
    for t in range(steps):
        path[t + 1] = path[t] - lr * grad(path[t])
    return path


def ascent(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    for _ in range(steps):
        w = w + lr * grad(w)
        path.append(w.copy())
    return np.array(path)


def lr_on_point(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps):
        w = lr * w - grad(w)
        path.append(w)
    return np.array(path)


def start_left_out(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = []
    for _ in range(steps):
        w = w - lr * grad(w)
        path.append(w)
    return np.array(path)


def last_left_out(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = []
    for _ in range(steps):
        path.append(w)
        w = w - lr * grad(w)
    return np.array(path)


def one_step_too_many(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = [w]
    for _ in range(steps + 1):
        w = w - lr * grad(w)
        path.append(w)
    return np.array(path)


def appends_without_copy(grad, w0, lr, steps):
    w = np.array(w0, dtype=float)
    path = []
    path.append(w)
    for _ in range(steps):
        w -= lr * grad(w)
        path.append(w)
    return np.array(path)


def moves_the_start(grad, w0, lr, steps):
    w = w0
    path = [w.copy()]
    for _ in range(steps):
        w -= lr * grad(w)
        path.append(w.copy())
    return np.array(path)


def unfinished(grad, w0, lr, steps):
    # YOUR CODE HERE
    raise NotImplementedError()


@pytest.mark.parametrize("answer", [correct, correct_preallocated])
def test_correct_answers_pass(answer, capsys):
    check_descent(answer)
    assert capsys.readouterr().out.startswith("PASSED: path[0] = w0")


def test_reference_is_bplib_gradient_descent():
    path = correct(quadratic_grad, (-4.0, 1.5), 0.15, 30)
    assert np.array_equal(path, gradient_descent(quadratic_grad, (-4.0, 1.5), lr=0.15, steps=30))


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (ascent, "gradient ASCENT"),
        (lr_on_point, "the learning rate multiplies the point"),
        (start_left_out, "leaves out the start"),
        (last_left_out, "leaves out the last one"),
        (one_step_too_many, "one update too many"),
        (appends_without_copy, "the same array again and again"),
        (moves_the_start, "changed the caller's w0"),
    ],
)
def test_typical_mistakes_get_their_hint(answer, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_descent(answer)
    assert phrase in str(info.value)


def test_unfinished_is_not_done_yet():
    with pytest.raises(NotDoneYet, match="not done yet: complete `unfinished`"):
        check_descent(unfinished)
