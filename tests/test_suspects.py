"""The bug-hunt suspects of notebook 07: each fails the check where the notebook says; each correction passes."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bplib.course.suspects import SUSPECTS, SuspectA, SuspectB, SuspectC, SuspectD, SuspectE, corrected
from bplib.data import xor
from bplib.gradcheck import check_layer, check_model
from bplib.nn import Linear, MSELoss, Sequential, Sigmoid


def _check(suspect_class, seed):
    """Run the check the notebook runs for this suspect (on XOR for the networks and the loss)."""
    rng = np.random.default_rng(seed)
    X, y = xor()
    if suspect_class in (SuspectB, corrected(SuspectB)):
        return check_layer(suspect_class(rng=rng), rng.normal(size=(3, 2)))
    if suspect_class in (SuspectD, corrected(SuspectD)):
        model = Sequential(Linear(2, 4, rng=rng), Sigmoid(), Linear(4, 1, rng=rng), Sigmoid())
        return check_model(model, suspect_class(), X, y)
    return check_model(suspect_class(rng=rng), MSELoss(), X, y)


# Which arrays fail for each suspect (the symptom the notebook reads from the report).
FAILING = {
    SuspectA: {"W1", "b1", "W2"},
    SuspectB: {"input"},
    SuspectC: {"b1"},
    SuspectD: {"0.W", "0.b", "2.W", "2.b"},
    SuspectE: {"W1", "b1", "W2", "b2"},
}


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("suspect", SUSPECTS, ids=lambda s: s.__name__)
def test_suspect_fails_where_expected(suspect, seed):
    report = _check(suspect, seed)
    assert not report.passed
    assert {row.name for row in report if not row.passed} == FAILING[suspect]
    assert all(row.error > 1e-3 for row in report if not row.passed)   # a bug, not a rounding question


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("suspect", SUSPECTS, ids=lambda s: s.__name__)
def test_corrected_version_passes(suspect, seed):
    fixed = corrected(suspect)
    assert issubclass(fixed, suspect)
    assert _check(fixed, seed).passed


def test_missing_one_over_n_gives_the_same_error_everywhere():
    report = _check(SuspectD, 0)
    assert all(np.isclose(row.error, 3 / 5) for row in report)   # factor N = 4: (4 - 1) / (4 + 1)


def test_faults_are_described_and_names_do_not_reveal_them():
    for suspect in SUSPECTS:
        assert isinstance(suspect.fault, str) and len(suspect.fault) > 40
        assert suspect.__name__.startswith("Suspect") and len(suspect.__name__) == len("SuspectA")
        assert "fault" not in (suspect.__doc__ or "").lower()


def test_corrected_rejects_other_classes():
    with pytest.raises(ValueError, match="not one of the suspects"):
        corrected(Linear)


def test_verdicts_hide_the_noise_of_passing_rows():
    text = _check(SuspectC, 0).verdicts()
    assert re.search(r"^b1 +\(4,\) +FAIL +\(error \de-01\)$", text, flags=re.MULTILINE)
    assert re.search(r"^W1 +\(2, 4\) +pass +\(error < 1e-07\)$", text, flags=re.MULTILINE)
