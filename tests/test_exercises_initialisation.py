"""The notebook-12 check (Xavier, He, predicted variance), with answers written as a learner writes them."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.course.exercises import ExerciseFailed, NotDoneYet, check_initialisation
from bplib.course.exercises.initialisation import he_normal_reference, xavier_normal_reference
from bplib.nn import Linear


def xavier_normal(d_in, d_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (d_in + d_out)), size=(d_in, d_out))


def he_normal(d_in, d_out, rng):
    std = np.sqrt(2 / d_in)
    return std * rng.standard_normal((d_in, d_out))


def predicted_variance(var_w, D, l):
    return D * var_w * (D * var_w / 2) ** (l - 1)


def test_the_references_draw_what_bplib_linear_draws():
    for init, reference in (("xavier", xavier_normal_reference), ("he", he_normal_reference)):
        W = Linear(30, 20, init=init, rng=np.random.default_rng(3)).W
        np.testing.assert_array_equal(W, reference(30, 20, np.random.default_rng(3)))


def test_correct_answers_pass(capsys):
    check_initialisation(xavier_normal, he_normal, predicted_variance)
    assert capsys.readouterr().out.startswith("PASSED: ")


def test_the_prediction_is_what_a_relu_network_measures():
    """The formula the check demands, against a measured ReLU network (within the sampling spread)."""
    rng = np.random.default_rng(0)
    D, var_w = 256, 2 / 256
    a = rng.standard_normal((2000, D))
    for l in range(1, 6):
        z = a @ (rng.standard_normal((D, D)) * np.sqrt(var_w))
        assert 0.6 < z.var() / predicted_variance(var_w, D, l) < 1.6
        a = np.maximum(z, 0)


# wrong answers, as learners write them
def xavier_transposed(d_in, d_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (d_in + d_out)), size=(d_out, d_in))


def xavier_variance_as_std(d_in, d_out, rng):
    return rng.normal(0.0, 2.0 / (d_in + d_out), size=(d_in, d_out))


def xavier_extra_sqrt(d_in, d_out, rng):
    std = np.sqrt(2.0 / (d_in + d_out))
    return rng.normal(0.0, np.sqrt(std), size=(d_in, d_out))


def xavier_fan_in_only(d_in, d_out, rng):
    return rng.standard_normal((d_in, d_out)) / np.sqrt(d_in)


def xavier_missing_two(d_in, d_out, rng):
    return rng.standard_normal((d_in, d_out)) * np.sqrt(1 / (d_in + d_out))


def he_fan_out(d_in, d_out, rng):
    return rng.normal(0.0, np.sqrt(2 / d_out), size=(d_in, d_out))


def he_missing_two(d_in, d_out, rng):
    return rng.normal(0.0, np.sqrt(1 / d_in), size=(d_in, d_out))


def he_variance_as_std(d_in, d_out, rng):
    return rng.normal(0.0, 2 / d_in, size=(d_in, d_out))


def he_extra_sqrt(d_in, d_out, rng):
    return rng.normal(0.0, np.sqrt(np.sqrt(2 / d_in)), size=(d_in, d_out))


def predicted_no_halving(var_w, D, l):
    return (D * var_w) ** l


def predicted_l_factors(var_w, D, l):
    return D * var_w * (D * var_w / 2) ** l


def predicted_halves_first(var_w, D, l):
    return (D * var_w / 2) ** l


@pytest.mark.parametrize(("answers", "phrase"), [
    ((xavier_transposed, he_normal, predicted_variance), "returns a (d_out, d_in) matrix"),
    ((xavier_variance_as_std, he_normal, predicted_variance), "uses the variance 2 / (d_in + d_out) as the standard"),
    ((xavier_extra_sqrt, he_normal, predicted_variance), "one more square root"),
    ((xavier_fan_in_only, he_normal, predicted_variance), "fan-in only"),
    ((xavier_missing_two, he_normal, predicted_variance), "uses the variance 1 / (d_in + d_out)"),
    ((xavier_normal, he_fan_out, predicted_variance), "he_normal uses fan-out"),
    ((xavier_normal, he_missing_two, predicted_variance), "he_normal has no factor 2"),
    ((xavier_normal, he_variance_as_std, predicted_variance), "he_normal uses the variance 2 / d_in as the standard"),
    ((xavier_normal, he_extra_sqrt, predicted_variance), "he_normal takes one more square root"),
    ((xavier_normal, he_normal, predicted_no_halving), "no ReLU halving"),
    ((xavier_normal, he_normal, predicted_l_factors), "factor l times"),
    ((xavier_normal, he_normal, predicted_halves_first), "halves the first layer too"),
])
def test_typical_mistakes_get_their_hint(answers, phrase):
    with pytest.raises(ExerciseFailed) as info:
        check_initialisation(*answers)
    assert phrase in str(info.value)


def test_a_uniform_draw_is_not_taken_for_xavier_normal():
    """Glorot uniform has Xavier's variance but other numbers: the check wants the normal draw."""
    def glorot_uniform(d_in, d_out, rng):
        r = np.sqrt(6 / (d_in + d_out))
        return rng.uniform(-r, r, size=(d_in, d_out))

    with pytest.raises(ExerciseFailed, match="standard deviation of the entries of xavier_normal"):
        check_initialisation(glorot_uniform, he_normal, predicted_variance)


def test_missing_return_is_named():
    def he_no_return(d_in, d_out, rng):
        rng.normal(0.0, np.sqrt(2 / d_in), size=(d_in, d_out))

    with pytest.raises(ExerciseFailed, match="is None"):
        check_initialisation(xavier_normal, he_no_return, predicted_variance)


def test_unfinished_is_not_done():
    def unfinished(*args):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(NotDoneYet, match="not done yet"):
        check_initialisation(xavier_normal, he_normal, unfinished)
