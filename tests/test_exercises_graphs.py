"""The notebook-02 check: the right answer passes, typical mistakes get their own hint."""

from __future__ import annotations

import pytest

from bplib.course.exercises import BY_HAND_INPUTS, ExerciseFailed, check_backprop_by_hand
from bplib.course.exercises.graphs import backprop_by_hand_reference


def correct(a, b, c, f):
    d = a * b + c
    return b * f + 1.0, a * f, f, d


def forgot_accumulate(a, b, c, f):
    # the "+ a" path is overwritten by the product path: a.grad = ... instead of +=
    d = a * b + c
    return b * f, a * f, f, d


def forgot_upstream(a, b, c, f):
    # local derivatives only: de/da = b, de/db = a, dd/dc = 1
    d = a * b + c
    return b + 1.0, a, 1.0, d


def swapped_product(a, b, c, f):
    d = a * b + c
    return a * f + 1.0, b * f, f, d


def wrong_sign(a, b, c, f):
    d = a * b + c
    return -(b * f + 1.0), -a * f, -f, -d


def hard_coded_numbers(a, b, c, f):
    # right at the notebook's numbers only
    return -11.0, 8.0, 4.0, -1.0


def test_reference_matches_hand_formula():
    a, b, c, f = (BY_HAND_INPUTS[k] for k in "abcf")
    assert backprop_by_hand_reference(a, b, c, f) == pytest.approx(correct(a, b, c, f))
    assert correct(a, b, c, f) == (-11.0, 8.0, 4.0, -1.0)


def test_correct_answer_passes(capsys):
    check_backprop_by_hand(correct)
    out = capsys.readouterr().out
    assert out.startswith("PASSED")
    assert "dL/da = -11" in out


def test_lists_and_numpy_numbers_are_accepted(capsys):
    import numpy as np

    check_backprop_by_hand(lambda a, b, c, f: [np.float64(x) for x in correct(a, b, c, f)])
    assert capsys.readouterr().out.startswith("PASSED")


@pytest.mark.parametrize(
    ("answer", "phrase", "wrong"),
    [
        (forgot_accumulate, "its gradient is the SUM of both paths", "dL/da"),
        (forgot_upstream, "forgot the chain rule's upstream factor", "dL/dc"),
        (swapped_product, "partials of a product are swapped", "dL/db"),
        (wrong_sign, "the sign is wrong", "dL/df"),
    ],
)
def test_typical_mistakes_get_their_hint(answer, phrase, wrong):
    with pytest.raises(ExerciseFailed) as info:
        check_backprop_by_hand(answer)
    message = str(info.value)
    assert phrase in message
    assert wrong in message


def test_only_the_wrong_partials_are_reported():
    with pytest.raises(ExerciseFailed) as info:
        check_backprop_by_hand(forgot_accumulate)
    message = str(info.value)
    assert "dL/da" in message
    assert "dL/db" not in message and "dL/dc" not in message and "dL/df" not in message


def test_overwritten_with_the_other_path_is_named():
    with pytest.raises(ExerciseFailed, match="SUM of both paths"):
        check_backprop_by_hand(lambda a, b, c, f: (1.0, *correct(a, b, c, f)[1:]))


def test_hard_coded_numbers_ask_for_expressions():
    with pytest.raises(ExerciseFailed, match="expressions"):
        check_backprop_by_hand(hard_coded_numbers)


def test_wrong_return_type():
    with pytest.raises(ExerciseFailed, match="four numbers"):
        check_backprop_by_hand(lambda a, b, c, f: (1.0, 2.0))
    with pytest.raises(ExerciseFailed, match="four numbers"):
        check_backprop_by_hand(lambda a, b, c, f: None)


def test_unfinished_exercise_propagates_not_implemented():
    def unfinished(a, b, c, f):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        check_backprop_by_hand(unfinished)
