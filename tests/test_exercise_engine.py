"""The exercise engine: every declared exercise, every named mistake, and what the learner reads.

The first three tests run over the whole catalogue (``EXERCISES``), so every exercise that any
topic module declares is covered: its reference passes, each of its typical mistakes gets its own
hint (none is shadowed by an earlier one, none equals the reference), and an unfinished answer is
"not done yet" and never passes.
"""

from __future__ import annotations

import textwrap

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import bplib.course.exercises as exercises
from bplib.course.exercises.engine import (EXERCISES, Exercise, ExerciseFailed, Mistake, NotDoneYet, collect,
                                           evaluate, judge, notebook_verdicts, report)

ALL = sorted(EXERCISES)
MISTAKES = [(key, index) for key in ALL for index in range(len(EXERCISES[key].mistakes))]


def test_the_catalogue_is_not_empty() -> None:
    assert "05-linear-layer" in EXERCISES
    assert all(len(ex.names) >= 1 for ex in EXERCISES.values())


@pytest.mark.parametrize("key", ALL)
def test_the_reference_passes(key: str, capsys: pytest.CaptureFixture[str]) -> None:
    exercise = EXERCISES[key]
    exercise.check(*exercise.answers(exercise.reference))
    assert capsys.readouterr().out.startswith("PASSED: ")


@pytest.mark.parametrize("key,index", MISTAKES, ids=[f"{k}-mistake{i}" for k, i in MISTAKES])
def test_each_typical_mistake_gets_its_own_hint(key: str, index: int) -> None:
    exercise = EXERCISES[key]
    mistake = exercise.mistakes[index]
    verdict = evaluate(exercise, *exercise.answers(mistake.answer))
    assert verdict.status == "failed"
    assert verdict.message == mistake.hint


@pytest.mark.parametrize("key", ALL)
def test_an_unfinished_answer_is_not_done_and_never_passes(key: str) -> None:
    exercise = EXERCISES[key]

    def unfinished(*args: object, **kwargs: object) -> None:
        raise NotImplementedError()

    class Unfinished:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise NotImplementedError()

    for placeholder in (unfinished, Unfinished):
        answers = [placeholder] * len(exercise.names)
        with pytest.raises(NotDoneYet, match="^not done yet: complete"):
            exercise.check(*answers)


# ---- the engine on a small exercise of its own ------------------------------------------------

def _run_double(f):  # type: ignore[no-untyped-def]
    x = np.arange(1.0, 5.0)
    yield "f(x)", f(x)
    yield "f(-x)", f(-x)


DOUBLE = Exercise(id="99-double", title="double", writes="`double`", names=("double",), run=_run_double,
                  reference=lambda x: 2 * x, batch_size=4,
                  mistakes=(Mistake("you added x to itself once too often", lambda x: 3 * x),))
EXERCISES.pop(DOUBLE.id)  # a test exercise: not part of the course's catalogue


def test_generic_hints_name_sign_factor_batch_size_and_shape() -> None:
    assert "wrong sign" in evaluate(DOUBLE, lambda x: -2 * x).message
    assert "N = 4 times too large" in evaluate(DOUBLE, lambda x: 8 * x).message
    assert "constant factor 0.5" in evaluate(DOUBLE, lambda x: x).message
    assert "shape (1, 4), expected (4,)" in evaluate(DOUBLE, lambda x: 2 * x[None, :]).message
    assert "inf or nan" in evaluate(DOUBLE, lambda x: np.full_like(x, np.inf)).message
    assert "is None" in evaluate(DOUBLE, lambda x: None).message
    assert evaluate(DOUBLE, lambda x: 3 * x).message == "you added x to itself once too often"


def test_results_before_an_error_are_judged_first() -> None:
    def wrong_then_raises(x: np.ndarray) -> np.ndarray:
        if x[0] < 0:
            raise ValueError("boom")
        return 3 * x

    assert evaluate(DOUBLE, wrong_then_raises).message == "you added x to itself once too often"


def test_an_error_in_the_learners_code_shows_their_frames_only() -> None:
    def learner_code(x: np.ndarray) -> np.ndarray:
        return x @ np.ones((3, 3))

    with pytest.raises(ExerciseFailed) as info:
        DOUBLE.check(learner_code)
    message = str(info.value)
    assert message.startswith("your code raised ValueError")
    assert "learner_code" in message and "x @ np.ones((3, 3))" in message
    assert "bplib" not in message and "engine.py" not in message


def test_judge_never_calls_code_and_rejects_printed_or_fake_results() -> None:
    assert judge(DOUBLE, {"f(x)": "PASSED", "f(-x)": 0}).status == "failed"
    assert judge(DOUBLE, {}).status == "failed"
    assert judge(DOUBLE, {"f(x)": 2 * np.arange(1.0, 5.0), "f(-x)": -2 * np.arange(1.0, 5.0)}).status == "passed"


def test_collect_checks_the_number_of_answers() -> None:
    with pytest.raises(ExerciseFailed, match="takes 1 argument"):
        collect(DOUBLE, 1, 2)


def test_report_lists_each_exercise_of_a_notebook(capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(EXERCISES, DOUBLE.id, DOUBLE)
    assert notebook_verdicts("99", {"double": lambda x: 2 * x}) == [(DOUBLE, exercises.Verdict("passed", DOUBLE.passed))]
    assert notebook_verdicts("99", {})[0][1].status == "missing"
    assert report("99", {"double": lambda x: 2 * x}) is None
    report("99", {})
    out = capsys.readouterr().out
    assert "✓ double: passed" in out and "✗ double: missing" in out


# ---- what the learner sees in Jupyter ---------------------------------------------------------

def _run_cells(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(textwrap.dedent(s)) for s in sources])
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True)
    client.execute()
    return nb


def test_in_jupyter_a_failed_check_shows_its_message_first_and_only() -> None:
    nb = _run_cells(
        "from bplib.course.exercises import check_linear_layer\nimport numpy as np",
        """
        class MyLinear:
            def __init__(self, d_in, d_out, rng):
                self.params = {"W": np.zeros((d_in, d_out)), "b": np.zeros(d_out)}
                self.grads = {}
            def forward(self, X):
                self.X = X
                return X @ self.params["W"] + self.params["b"]
            def backward(self, dZ):
                self.grads["W"] = self.X @ dZ
                self.grads["b"] = dZ.sum(axis=0)
                return dZ @ self.params["W"].T
        """,
        "check_linear_layer(MyLinear)",
        """
        class Unfinished(MyLinear):
            def backward(self, dZ):
                raise NotImplementedError()
        check_linear_layer(Unfinished)
        """,
    )
    failed = [o for o in nb.cells[2].outputs if o.output_type == "error"]
    assert len(failed) == 1
    text = "\n".join(failed[0].traceback)
    assert "the transpose is missing, dW = X.T @ dZ" in text.splitlines()[0]
    assert "bplib" not in text and "Traceback" not in text and "File " not in text
    not_done = [o for o in nb.cells[3].outputs if o.output_type == "error"]
    assert len(not_done) == 1
    assert len(not_done[0].traceback) == 1
    assert "not done yet: complete `Unfinished.backward` in the cell above" in not_done[0].traceback[0]


def test_in_jupyter_a_failed_check_stops_run_all() -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from bplib.course.exercises import check_linear_layer\n"
                                  "check_linear_layer(None)"),
        nbformat.v4.new_code_cell("print('after')"),
    ])
    with pytest.raises(CellExecutionError):
        NotebookClient(nb, timeout=120, kernel_name="python3").execute()


def test_snapshot_freezes_a_result_and_keeps_what_judge_must_name() -> None:
    from bplib.course.exercises.engine import snapshot

    grads = np.ones(3, dtype=np.float32)
    frozen = snapshot(grads)
    grads += 1  # the learner's code changes its array later in the run
    assert frozen.dtype == np.float64 and np.all(frozen == 1.0)
    assert snapshot(None) is None
    assert snapshot("PASSED") == "PASSED"
    assert "should be a number" in judge(DOUBLE, {"f(x)": snapshot("PASSED")}).message
