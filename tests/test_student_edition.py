"""The student edition (tools/student_edition.py): solutions gone, every check fails, instructor edition untouched.

The tool is run as a command (``python tools/student_edition.py --notebooks <copy> --out <tmp>``) on a
snapshot of ``notebooks/``, so the test does not depend on notebooks being edited meanwhile. What
counts as a solution, a check cell and an exercise is worked out here independently of the tool:

* solution lines: the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` in the instructor
  edition's code cells;
* check cells: the instructor cells that call a ``check_*`` function of ``bplib.course.exercises`` and printed
  a line starting with ``PASSED:``.

In each student notebook with exercises, the exercise and check cells and the cells they need are
executed (nbclient, errors allowed): every check cell must stop with ``NotDoneYet`` whose message is one
line starting "not done yet:", and print no ``PASSED``; every cell that raised must be tagged
``raises-exception`` (so Run All carries on).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
TOOL = REPO / "tools" / "student_edition.py"
NAME = re.compile(r"^\d\d_[A-Za-z0-9_]+\.ipynb$")
BEGIN = re.compile(r"^\s*### BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*### END SOLUTION\s*$")
RAISES = "raises-exception"


def course_notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if NAME.match(p.name))


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.ipynb"))}


def split_solutions(source: str) -> tuple[list[str], list[list[str]], list[str]]:
    """(lines outside solution regions, the lines of each region, the indentation of each BEGIN line)."""
    public, regions, indents = [], [], []
    inside = False
    for line in source.splitlines():
        if not inside and BEGIN.match(line):
            inside = True
            regions.append([])
            indents.append(line[: len(line) - len(line.lstrip())])
        elif inside and END.match(line):
            inside = False
        elif inside:
            regions[-1].append(line)
        else:
            public.append(line)
    assert not inside, "unclosed solution region in the instructor edition"
    return public, regions, indents


def printed_passed(cell) -> bool:
    for output in cell.get("outputs", []):
        text = output.get("text", "") if output.get("output_type") == "stream" else ""
        if any(line.startswith("PASSED") for line in text.splitlines()):
            return True
    return False


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """Snapshot notebooks/, run the tool on the snapshot, return (instructor dir, student dir, hashes before)."""
    base = tmp_path_factory.mktemp("editions")
    instructor = base / "instructor"
    instructor.mkdir()
    for path in course_notebooks(NOTEBOOKS):
        shutil.copy2(path, instructor / path.name)
    before = digest(instructor)
    student = base / "student"
    result = subprocess.run([sys.executable, str(TOOL), "--notebooks", str(instructor), "--out", str(student)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return instructor, student, before


def pairs(editions):
    instructor, student, _ = editions
    for path in course_notebooks(instructor):
        yield path.name, nbformat.read(path, as_version=4), nbformat.read(student / path.name, as_version=4)


def test_instructor_edition_untouched(editions):
    instructor, student, before = editions
    assert digest(instructor) == before
    assert sorted(p.name for p in student.glob("*.ipynb")) == sorted(before), "one student notebook per notebook"


def test_student_notebooks_valid_and_cleared(editions):
    for name, inst, stud in pairs(editions):
        nbformat.validate(stud)
        inst.cells = [c for c in inst.cells if "instructor-only" not in c.metadata.get("tags", [])]
        assert len(stud.cells) == len(inst.cells), name
        assert "widgets" not in stud.metadata, f"{name}: saved widget state survived"
        for index, cell in enumerate(stud.cells):
            assert cell.cell_type == inst.cells[index].cell_type
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{name} cell {index}: output kept"
                assert "execution" not in cell.metadata


def test_no_solution_text_survives(editions):
    checked = 0
    for name, inst, stud in pairs(editions):
        public, solution = set(), set()
        for cell in inst.cells:
            if cell.cell_type != "code":
                continue
            outside, regions, _ = split_solutions(cell.source)
            public.update(line.strip() for line in outside)
            solution.update(line.strip() for region in regions for line in region)
        secret = {line for line in solution - public if len(line) >= 6}
        checked += len(secret)
        student_lines = {line.strip() for cell in stud.cells for line in cell.source.splitlines()}
        leaked = sorted(secret & student_lines)
        assert not leaked, f"{name}: solution lines in the student edition: {leaked}"
        for index, cell in enumerate(stud.cells):
            if cell.cell_type == "code":
                assert "### BEGIN SOLUTION" not in cell.source and "### END SOLUTION" not in cell.source
    assert checked > 0, "no solution lines found: are there no exercises any more?"


def test_regions_become_stubs_with_their_indentation(editions):
    from IPython.core.inputtransformer2 import TransformerManager

    regions_total = 0
    for name, inst, stud in pairs(editions):
        for index, (icell, scell) in enumerate(zip(inst.cells, stud.cells)):
            if icell.cell_type != "code":
                continue
            _, regions, indents = split_solutions(icell.source)
            regions_total += len(regions)
            lines = scell.source.splitlines()
            stubs = [lines[k][: len(lines[k]) - len(lines[k].lstrip())]
                     for k in range(len(lines) - 1)
                     if lines[k].strip() == "# YOUR CODE HERE" and lines[k + 1].strip() == "raise NotImplementedError()"
                     and lines[k + 1].startswith(lines[k][: len(lines[k]) - len(lines[k].lstrip())] + "raise")]
            assert stubs == indents, f"{name} cell {index}: stubs {stubs!r}, BEGIN lines indented {indents!r}"
            if regions:
                compile(TransformerManager().transform_cell(scell.source), f"{name}[{index}]", "exec")
                assert RAISES in scell.metadata.get("tags", []), f"{name} cell {index}: exercise cell not tagged"
    assert regions_total > 0


def exercise_notebooks() -> list[str]:
    """The course notebooks with a solution region in a code cell (read at collection time)."""
    names = []
    for path in course_notebooks(NOTEBOOKS):
        nb = nbformat.read(path, as_version=4)
        if any(c.cell_type == "code" and split_solutions(c.source)[1] for c in nb.cells):
            names.append(path.name)
    return names


def exercise_checks() -> set[str]:
    import bplib.course.exercises

    return {name for name in bplib.course.exercises.__all__ if name.startswith("check_")}


def printed_check_pass(cell) -> bool:
    """Is this instructor cell an exercise check: it calls a check of bplib.course.exercises and printed ``PASSED: ...``?

    (The reports of bplib.gradcheck print ``PASSED: ...`` too; they are no exercise checks.)"""
    if not any(re.search(rf"\b{name}\s*\(", cell.source) for name in exercise_checks()):
        return False
    for output in cell.get("outputs", []):
        text = output.get("text", "") if output.get("output_type") == "stream" else ""
        if any(line.startswith("PASSED:") for line in text.splitlines()):
            return True
    return False


def backward_slice(nb, targets: set[int]) -> list[int]:
    """The code cells needed to run ``targets``: they, the first code cell, and every earlier cell binding or
    changing a name that an included cell reads (the grader's selection, tools/grading/assemble.py). Only a
    speed-up: a long training cell that no check depends on is not run."""
    sys.path.insert(0, str(REPO / "tools"))
    from grading.assemble import cells_to_run

    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and i <= max(targets)]
    always = {k for k, index in enumerate(code) if index in targets or k == 0}
    return [code[k] for k in cells_to_run([nb.cells[i].source for i in code], always, {})]


@pytest.mark.parametrize("name", exercise_notebooks())
def test_every_check_says_not_done_yet(editions, name, tmp_path):
    """Run the student notebook's exercise and check cells (and what they need): every check raises
    NotDoneYet ("not done yet: ..." in one line), none prints PASSED, and every error is in a cell
    tagged raises-exception."""
    import headless

    instructor, student, _ = editions
    inst = nbformat.read(instructor / name, as_version=4)
    stud = nbformat.read(student / name, as_version=4)
    checks = [i for i, cell in enumerate(inst.cells) if cell.cell_type == "code" and printed_check_pass(cell)]
    exercises = [i for i, cell in enumerate(inst.cells) if cell.cell_type == "code" and split_solutions(cell.source)[1]]
    assert checks, f"{name} has solution regions but no check cell printing 'PASSED: ...'"
    run = backward_slice(inst, set(checks) | set(exercises))
    if any("load_mnist(" in inst.cells[i].source for i in run):
        from bplib.course.setup_check import mnist_available
        if not mnist_available():
            pytest.skip(f"{name}: its checks need MNIST, which is not available here (set BPLIB_DATA)")
    executed = nbformat.v4.new_notebook(metadata=stud.metadata)
    executed.cells = [stud.cells[i] for i in run]

    headless.execute(executed, cwd=tmp_path, timeout=120)

    for index, cell in zip(run, executed.cells):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if errors:
            assert RAISES in cell.metadata.get("tags", []), (
                f"{name} cell {index} raised {errors[0].ename}: {errors[0].evalue} but is not tagged {RAISES}: "
                f"Run All would stop there")
    for index in checks:
        cell = executed.cells[run.index(index)]
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not printed_passed(cell), f"{name} cell {index}: an unsolved exercise printed PASSED"
        assert [e.ename for e in errors] == ["NotDoneYet"], (
            f"{name} cell {index} ({cell.source[:60]!r}): expected NotDoneYet, got "
            f"{[e.ename + ': ' + e.evalue for e in errors] or 'no error'}")
        message = errors[0].evalue
        assert message.startswith("not done yet:") and "\n" not in message.strip(), message


# ---------------------------------------------------------------------------------------------------
# The region rewriting itself, on small sources
# ---------------------------------------------------------------------------------------------------

def tool():
    sys.path.insert(0, str(REPO / "tools"))
    import student_edition

    return student_edition


def test_strip_solutions_keeps_indentation_and_drops_hidden_tests():
    source = ("def f(x):\n    # a comment the learner keeps\n    ### BEGIN SOLUTION\n    y = 2 * x\n    return y\n"
              "    ### END SOLUTION\n### BEGIN HIDDEN TESTS\nassert f(1) == 2\n### END HIDDEN TESTS\nprint(1)")
    out, regions = tool().strip_solutions(source)
    assert out == ("def f(x):\n    # a comment the learner keeps\n    # YOUR CODE HERE\n"
                   "    raise NotImplementedError()\nprint(1)")
    assert regions == [["    y = 2 * x", "    return y"]]


@pytest.mark.parametrize("source", ["### BEGIN SOLUTION\nx = 1\n", "x = 1\n### END SOLUTION\n",
                                    "### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n"])
def test_strip_solutions_rejects_broken_markers(source):
    with pytest.raises(tool().SolutionMarkerError):
        tool().strip_solutions(source)


def test_cells_that_raise_follow_names():
    nb = nbformat.v4.new_notebook()
    sources = ["import numpy as np\n%matplotlib inline",                              # 0
               "def g(z):\n    ### BEGIN SOLUTION\n    return z\n    ### END SOLUTION",     # 1 exercise
               "check(g)",                                                             # 2 uses g
               "values = [g(v) for v in range(3)]",                                    # 3 uses g
               "print(values)",                                                        # 4 uses values
               "def h(g):\n    return g + 1\nprint(h(1))",                             # 5 g is a parameter
               "values = np.zeros(3)\nprint(values)"]                                  # 6 re-bound, clean
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    assert tool().cells_that_raise(nb, {1}) == {1, 2, 3, 4}


def test_instructor_only_cells_dropped_and_student_source_used():
    """How 00 says which edition it is: a cell tagged instructor-only is dropped; a cell's
    metadata["student_source"] replaces its text in the student edition."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 00 · Welcome"),
                nbformat.v4.new_markdown_cell("In this edition (the *instructor edition*) the solutions are there.",
                                              metadata={"student_source": "In this edition (the *student edition*) "
                                                                          "you write the solutions."}),
                nbformat.v4.new_markdown_cell("Answers: see below.", metadata={"tags": ["instructor-only"]}),
                nbformat.v4.new_code_cell("x = 1\nprint(x)", outputs=[nbformat.v4.new_output("stream", text="1\n")])]
    student, _ = tool().student_notebook(nb, "00")
    text = "\n".join(c.source for c in student.cells)
    assert "instructor edition" not in text and "student edition" in text
    assert "Answers: see below." not in text and len(student.cells) == 3
    assert all("student_source" not in c.metadata for c in student.cells)
    assert student.cells[-1].outputs == []
    public, _ = tool().student_notebook(nb, "00", keep_outputs=True)
    assert public.cells[-1].outputs[0]["text"] == "1\n", "the public edition keeps outputs of clean cells"
    assert "instructor edition" in nb.cells[1].source, "the instructor notebook is not changed"


def test_public_edition_drops_outputs_of_cells_that_need_an_exercise():
    nb = nbformat.v4.new_notebook()
    out = nbformat.v4.new_output("stream", text="PASSED: the answer\n")
    nb.cells = [nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
                nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\ncheck(f)", outputs=[out]),
                nbformat.v4.new_code_cell("print(3)", outputs=[nbformat.v4.new_output("stream", text="3\n")])]
    sys.path.insert(0, str(REPO / "tools"))
    from _editions import public_notebook

    public = public_notebook(nb, "x")
    assert "return 2 * x" not in public.cells[0].source
    assert public.cells[1].outputs == [] and "NBVAL" not in public.cells[1].source
    assert public.cells[2].outputs[0]["text"] == "3\n"
    instructor = public_notebook(nb, "x", instructor=True)
    assert "return 2 * x" in instructor.cells[0].source and instructor.cells[1].outputs
