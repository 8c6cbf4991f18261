"""Which instructor cells the grader runs: those the checks need (tools/grading/assemble.py).

The grader runs the solution cells, the checks, and every earlier cell that binds or changes a name a
kept cell reads, so that a check sees what it would see after "Run All" without the figures and
trainings that no check reads.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
from grading.assemble import build, cells_to_run, names_of  # noqa: E402
from nbgrader_cells import course_notebooks, exercise_cells, stamped  # noqa: E402


def kept(sources: list[str], always: set[int], reads: dict[int, set[str]] | None = None) -> list[str]:
    return [sources[k] for k in cells_to_run(sources, always, reads or {})]


def test_a_cell_no_check_reads_is_dropped_and_helpers_of_helpers_are_kept():
    sources = [
        "import numpy as np",
        "scale = 2.0",
        "def helper(x):\n    return scale * np.asarray(x)",
        "losses = [helper(k) for k in range(10_000)]\nplt_data = np.array(losses)",   # read by nothing kept
        "def answer(x):\n    return helper(x) + 1",                                   # the solution cell
        "__grader_collect('ex', globals())",
    ]
    assert kept(sources, always={4, 5}, reads={5: {"answer"}}) == [sources[k] for k in (0, 1, 2, 4, 5)]


def test_a_check_reads_the_names_of_its_exercise():
    sources = ["def answer(x):\n    return x", "print('a figure')", "__grader_collect('ex', globals())"]
    assert kept(sources, always={2}, reads={2: {"answer"}}) == [sources[0], sources[2]]
    assert kept(sources, always={2}) == [sources[2]]


@pytest.mark.parametrize("change", [
    "params['W'] = 0",
    "params.W = 0",
    "params.append(1)",
    "params = params + [1]",
    "params += [1]",
    "for params in range(3):\n    pass",
    "with open('f') as params:\n    pass",
    "def setter():\n    global params\n    params = 1\nsetter()",
])
def test_a_cell_that_changes_a_read_name_is_kept(change):
    sources = ["params = [0]", change, "def answer():\n    return params", "check"]
    assert kept(sources, always={2, 3}) == sources


def test_a_module_method_and_a_function_parameter_do_not_count():
    # np.random.seed changes NumPy, not a name; rng inside answer is its own parameter, not the global rng
    sources = ["import numpy as np", "rng = np.random.default_rng(0)", "np.random.seed(1)\nnoise = rng.normal()",
               "def answer(rng):\n    return np.zeros(3) + rng.normal()", "check"]
    assert kept(sources, always={3, 4}) == [sources[0], sources[3], sources[4]]


def test_ipython_syntax_is_read_and_a_star_import_is_always_kept():
    sources = ["%matplotlib inline\nimport numpy as np", "from math import *", "x = 1",
               "def answer():\n    return np.pi", "check"]
    assert kept(sources, always={3, 4}) == [sources[0], sources[1], sources[3], sources[4]]


@pytest.mark.parametrize("student_cell", [
    "def answer(:\n",                          # a syntax error
    "(" * 10_000 + ")" * 10_000,              # nesting deep enough to break the parser
    "x = " + "1 + " * 3_000 + "1",            # parses, too deep for the name analysis to visit
    "return 1",                               # parses, does not compile
    "\x00\udcff",                             # not even text
], ids=["syntax-error", "too-deep-to-parse", "too-deep-to-visit", "return-outside-function", "not-text"])
def test_a_cell_that_does_not_parse_reads_and_changes_nothing(student_cell):
    assert names_of(student_cell) == (set(), set())
    sources = ["x = 1", student_cell, "check"]
    assert kept(sources, always={1, 2}) == [student_cell, "check"]


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name[:2])
def test_a_solved_notebook_keeps_every_solution_and_check(path):
    instructor = stamped(nbformat.read(path, as_version=4), path.name)
    exercises = exercise_cells(instructor, path.name)
    plan = build(instructor, instructor, Path("results.jsonl"), "token", where=path.name)
    sources = [cell.source for cell in plan.notebook.cells]
    for exercise in exercises:
        assert f"__grader_collect({exercise.id!r}, globals())" in sources
        for index in exercise.solutions:
            assert instructor.cells[index].source in sources


def test_the_capstone_is_graded_without_training_the_networks():
    name = "13_mnist_exercise.ipynb"
    instructor = stamped(nbformat.read(REPO / "notebooks" / name, as_version=4), name)
    plan = build(instructor, instructor, Path("results.jsonl"), "token", where=name)
    ran = "\n".join(cell.source for cell in plan.notebook.cells)
    trainings = [c.source for c in instructor.cells if c.cell_type == "code" and ("fit(" in c.source
                                                                                  or "= train(" in c.source)]
    assert trainings, "13 no longer trains with fit(...) or train(...): update this test"
    assert not any(source in ran for source in trainings)
