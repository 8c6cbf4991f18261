"""tools/grade.py on a class of submissions made from the student edition of notebook 05.

One grade.py run (``--jobs 2``) grades every case: solved, untouched, one wrong exercise, and each bad
submission of issue 12 (a check edited, deleted or redefined, bplib monkeypatched, "PASSED" printed,
invalid JSON, no notebook, an infinite loop, os._exit, 100 MB of output, a renamed class, a solution
that raises, a cell that deletes the files of its working directory). Expectations are derived from
the stamped instructor notebook (``exercise_cells``) and from bplib's own verdicts (``evaluate``), so
that more exercises in notebook 05 change nothing here.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
from nbgrader_cells import exercise_cells, stamped  # noqa: E402
from student_edition import student_notebook  # noqa: E402

from bplib.course.exercises.engine import EXERCISES, evaluate  # noqa: E402

NAME = "05_vectorised_layers.ipynb"
TARGET = "05-linear-layer"     # the exercise the submissions below answer (right, wrong or badly)
TIMEOUT = 90                   # seconds per notebook: the infinite loop waits this long
STATUSES = {"passed", "failed", "not done", "error", "timeout", "missing"}


def _instructor() -> nbformat.NotebookNode:
    return stamped(nbformat.read(REPO / "notebooks" / NAME, as_version=4), NAME)


def _answer_index(nb: nbformat.NotebookNode, exercise_id: str = TARGET) -> int:
    ids = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == f"{exercise_id}-answer"]
    assert len(ids) == 1, f"one solution cell {exercise_id}-answer expected, found {ids}"
    return ids[0]


def _check_index(nb: nbformat.NotebookNode, exercise_id: str = TARGET) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == exercise_id)


SOLVED = "solved"


def _wrong_answer(solution: str) -> str:
    """The solution with the bias gradient summed over the wrong axis (a mistake the check names)."""
    wrong = solution.replace('grad_out.sum(axis=0)', 'grad_out.sum(axis=1)')
    assert wrong != solution, "the instructor's solution of 5.1 no longer has grad_out.sum(axis=0)"
    return wrong


def _submissions(instructor: nbformat.NotebookNode) -> dict[str, object]:
    """student -> a notebook, raw text (invalid JSON), or None (no notebook)."""
    student, _ = student_notebook(instructor, NAME)
    solution = instructor.cells[_answer_index(instructor)].source
    stub = student.cells[_answer_index(student)].source

    def with_answer(source: str, edit=None) -> nbformat.NotebookNode:
        nb = nbformat.from_dict(json.loads(json.dumps(student)))
        nb.cells[_answer_index(nb)].source = source
        if edit:
            edit(nb)
        return nb

    def set_check(source: str):
        def edit(nb):
            nb.cells[_check_index(nb)].source = source
        return edit

    def delete_check(nb):
        del nb.cells[_check_index(nb)]

    def delete_answer(nb):
        del nb.cells[_answer_index(nb)]

    own_check = ("def check_linear_layer(layer):\n    print('PASSED: matches the reference.')\n\n"
                 "check_linear_layer(MyLinear)\n")
    patch = ("import bplib.course.exercises as exercises\nfrom bplib.course.exercises import engine\n"
             "engine.judge = lambda *a, **k: engine.Verdict('passed', 'ok')\n"
             "engine.collect = lambda exercise, *a: engine._reference_results(exercise)\n"
             "exercises.check_linear_layer = lambda *a: print('PASSED')\n"
             "exercises.linear_layer.LINEAR_LAYER.__dict__['run'] = lambda *a: {}\n" + own_check)
    raises = solution.replace("self.x = x", "raise ValueError('boom in forward')", 1)
    assert raises != solution
    deletes = ("import os, glob\nfor _path in glob.glob('*') + glob.glob('.*'):\n"
               "    if os.path.isfile(_path):\n        os.remove(_path)\n")
    return {
        "solved": with_answer(solution),
        "untouched": student,
        "wrong": with_answer(_wrong_answer(solution)),
        "edits_check": with_answer(stub, set_check("print('PASSED: matches the reference.')")),
        "deletes_check": with_answer(stub, delete_check),
        "own_check": with_answer(stub + "\n\n" + own_check, set_check(own_check)),
        "monkeypatch": with_answer(stub + "\n\n" + patch),
        "prints_passed": with_answer(stub + "\n\nprint('PASSED: matches the reference.')\n"),
        "invalid_json": nbformat.writes(with_answer(solution))[:-40],
        "no_notebook": None,
        "infinite_loop": with_answer("while True:\n    pass\n"),
        "kernel_dies": with_answer("import os\nos._exit(1)\n"),
        "huge_output": with_answer(solution + "\n\nprint('x' * 100_000_000)\n"),
        "renamed": with_answer(solution.replace("class MyLinear", "class MyLinearLayer")),
        "deleted_answer": with_answer(stub, delete_answer),
        "raises": with_answer(raises),
        "deletes_files": with_answer(solution + "\n\n" + deletes),
    }


def _write(folder: Path, submission: object) -> None:
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("a file the notebook's folder holds\n")
    if isinstance(submission, str):
        (folder / NAME).write_text(submission)
    elif submission is not None:
        nbformat.write(submission, folder / NAME)


def _grade(submissions: Path, out: Path, source: Path, *extra: str) -> dict[tuple[str, str], dict]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    done = subprocess.run([sys.executable, str(REPO / "tools" / "grade.py"), str(submissions), "--out", str(out),
                           "--source", str(source), "--jobs", "2", *extra],
                          env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {(r["student"], r["exercise"]): r for r in rows}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A source folder holding the stamped notebook 05, and the exercises it declares."""
    root = tmp_path_factory.mktemp("course")
    instructor = _instructor()
    (root / "source").mkdir()
    nbformat.write(instructor, root / "source" / NAME)
    return root, instructor, exercise_cells(instructor, NAME)


@pytest.fixture(scope="module")
def graded(course):
    root, instructor, exercises = course
    cases = _submissions(instructor)
    for student, submission in cases.items():
        _write(root / "class" / student, submission)
    rows = _grade(root / "class", root / "out", root / "source", "--timeout", str(TIMEOUT))
    return root, instructor, exercises, cases, rows


def test_every_student_has_a_row_per_exercise_with_a_known_status(graded):
    root, _, exercises, cases, rows = graded
    assert {key for key in rows} == {(s, e.id) for s in cases for e in exercises}
    for row in rows.values():
        assert row["status"] in STATUSES
        assert row["max_points"] == str(next(e.points for e in exercises if e.id == row["exercise"]))
        assert row["points"] == (row["max_points"] if row["status"] == "passed" else "0")
    listed = list(csv.reader(open(root / "out" / "grades.csv", encoding="utf-8")))
    assert listed[0] == ["student", "notebook", "exercise", "points", "max_points", "status", "message"]
    order = [e.id for e in exercises]
    assert listed[1:] == sorted(listed[1:], key=lambda r: (r[0], r[1], order.index(r[2])))


def test_solved_gets_full_points_and_untouched_gets_none(graded):
    _, _, exercises, _, rows = graded
    for e in exercises:
        solved = rows[("solved", e.id)]
        assert (solved["status"], solved["points"]) == ("passed", str(e.points)), solved
        untouched = rows[("untouched", e.id)]
        assert (untouched["status"], untouched["points"]) == ("not done", "0"), untouched
        assert untouched["message"].startswith("not done yet: complete")


def test_a_wrong_exercise_fails_with_the_checks_diagnosis(graded):
    _, instructor, exercises, _, rows = graded
    namespace: dict = {}
    exec(compile("import numpy as np\n" + _wrong_answer(instructor.cells[_answer_index(instructor)].source),
                 "<wrong>", "exec"), namespace)
    expected = evaluate(EXERCISES[TARGET], namespace["MyLinear"])   # what report() shows the student
    assert expected.status == "failed" and "axis" in expected.message
    row = rows[("wrong", TARGET)]
    assert (row["status"], row["points"]) == ("failed", "0")
    assert row["message"] == expected.message.splitlines()[0]


@pytest.mark.parametrize("student", ["edits_check", "deletes_check", "own_check", "monkeypatch", "prints_passed"])
def test_checks_come_from_the_instructor_edition(graded, student):
    row = graded[4][(student, TARGET)]
    assert (row["status"], row["points"]) == ("not done", "0"), row


@pytest.mark.parametrize("student, status, words", [
    ("invalid_json", "error", "is not valid JSON: line"),
    ("no_notebook", "missing", f"{NAME} is not in the submission"),
    ("infinite_loop", "timeout", f"timeout after {TIMEOUT} s"),
    ("kernel_dies", "error", "the kernel died"),
    ("renamed", "missing", "MyLinear is not defined"),
    ("deleted_answer", "missing", f"{TARGET}-answer) is not in the submission"),
    ("raises", "failed", "your code raised ValueError: boom in forward"),
])
def test_bad_submissions_get_a_clear_status(graded, student, status, words):
    row = graded[4][(student, TARGET)]
    assert (row["status"], row["points"]) == (status, "0"), row
    assert words in row["message"], row


@pytest.mark.parametrize("student", ["huge_output", "deletes_files"])
def test_solutions_with_noise_still_pass(graded, student):
    row = graded[4][(student, TARGET)]
    assert row["status"] == "passed", row


def test_deleting_files_touches_only_the_copy(graded):
    root = graded[0]
    assert (root / "class" / "deletes_files" / NAME).exists()
    assert (root / "class" / "deletes_files" / "notes.txt").exists()


def test_feedback_page_per_student_shows_verdicts_and_escaped_messages(graded):
    root, _, exercises, cases, rows = graded
    for student in cases:
        page = (root / "out" / "feedback" / f"{student}.html").read_text(encoding="utf-8")
        total = sum(int(rows[(student, e.id)]["points"]) for e in exercises)
        assert f"Total: {total} / {sum(e.points for e in exercises)} points" in page
    wrong = (root / "out" / "feedback" / "wrong.html").read_text(encoding="utf-8")
    assert "failed" in wrong and "grads[&#x27;b&#x27;]" in wrong      # the diagnosis, HTML-escaped


def test_nbgrader_layout_and_grading_twice_gives_the_same_csv(course, tmp_path):
    root, instructor, exercises = course
    cases = _submissions(instructor)
    for student in ("solved", "wrong", "invalid_json"):
        _write(tmp_path / "submitted" / student / "ps05", cases[student])
    (tmp_path / "submitted" / "nobody").mkdir(parents=True)
    first = _grade(tmp_path, tmp_path / "out1", root / "source")
    text = (tmp_path / "out1" / "grades.csv").read_text()
    _grade(tmp_path, tmp_path / "out2", root / "source")
    assert (tmp_path / "out2" / "grades.csv").read_text() == text
    assert {s for s, _ in first} == {"solved", "wrong", "invalid_json", "nobody"}
    assert first[("solved", TARGET)]["status"] == "passed"
    assert first[("nobody", TARGET)]["status"] == "missing"
