"""The notebook that runs for one student: the instructor's cells, the student's answers, our collectors.

Every cell is the instructor's, except the solution cells, which come from the submission (matched by
nbgrader's ``grade_id`` ``<exercise id>-answer[-k]``, else by the nbformat cell id). A student who edits
or deletes a check cell changes nothing: the check cells are replaced by **collector cells**. The first
cell (before any student code) keeps private references to the exercise engine's ``collect``, ``json``
and the results file in a closure, and snapshots the namespaces of bplib, NumPy and json; each collector
restores those namespaces (undoing any monkeypatching by the submission), looks up the exercise's names
in the kernel's globals, collects the results and appends one JSON line to the results file, which
lies outside the working directory. The grader then judges those numbers with its own bplib.

Only the cells the checks need run (:func:`cells_to_run`): the solution cells, the collectors, and every
earlier instructor cell that binds or changes a name that a cell kept after it reads, found backwards.
Figures, sweeps and trainings that no check reads (13 trains two networks on MNIST) are left out, so a
notebook grades in about the time of a kernel's start, and a student's slow training cannot time out
the checks of exercises it does not touch. Cells after the last check never run.
"""

from __future__ import annotations

import ast
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cell_names import parse_cell, tree_names  # noqa: E402
from nbgrader_cells import ExerciseCells, exercise_cells  # noqa: E402

from bplib.course.exercises.engine import EXERCISES  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


class NotANotebook(ValueError):
    """A submitted file is not a notebook (not valid JSON, or not nbformat 4)."""


def read_submission(path: Path) -> nbformat.NotebookNode:
    """The submitted notebook, or :class:`NotANotebook` saying where its JSON breaks."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise NotANotebook(f"{path.name} is not UTF-8 text (byte {err.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise NotANotebook(f"{path.name} is not valid JSON: line {err.lineno}, column {err.colno} "
                           f"({err.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise NotANotebook(f"{path.name} is JSON but not a notebook (no list of cells)")
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as err:  # nbformat's own reasons: a version it cannot read, a malformed cell
        raise NotANotebook(f"{path.name} is not a readable notebook: {type(err).__name__}: {err}") from None


def _solution_key(cell: nbformat.NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def answer_cells(instructor: nbformat.NotebookNode, exercise: ExerciseCells) -> list[tuple[int, str, str]]:
    """``(cell index, grade_id, nbformat id)`` of each solution cell of ``exercise`` in the instructor edition."""
    out = []
    for k, index in enumerate(exercise.solutions, start=1):
        grade_id = f"{exercise.id}-answer" + ("" if k == 1 else f"-{k}")
        out.append((index, grade_id, instructor.cells[index].get("id", "")))
    return out


def find_answer(submission: nbformat.NotebookNode, grade_id: str, cell_id: str) -> nbformat.NotebookNode | None:
    """The student's cell for one solution cell: by nbgrader grade_id, else by cell id (last one if copied)."""
    by_grade = [c for c in submission.cells if _solution_key(c) == grade_id]
    if by_grade:
        return by_grade[-1]
    by_id = [c for c in submission.cells if cell_id and c.get("id") == cell_id]
    return by_id[-1] if by_id else None


SETUP = '''\
# Injected by tools/grade.py before any student code.
def __grader_make_collector(results_path, token, repo):
    import builtins, json, sys
    sys.path.insert(0, repo)
    import numpy
    import bplib.course.exercises
    from bplib.course.exercises import engine
    import pathlib
    expected = pathlib.Path(repo, "bplib").resolve()
    if pathlib.Path(engine.__file__).resolve().parents[2] != expected:
        raise RuntimeError(f"bplib was not imported from the grader's copy ({engine.__file__})")
    modules = [m for name, m in sorted(sys.modules.items())
               if m is not None and (name == "bplib" or name.startswith("bplib.")
                                     or name in ("numpy", "numpy.linalg", "json"))]
    exercises = dict(engine.EXERCISES)
    snapshot = [(vars(m), dict(vars(m))) for m in [*modules, *exercises.values()]]
    module_type = type(sys)
    collect, NotDoneYet, ExerciseFailed = engine.collect, engine.NotDoneYet, engine.ExerciseFailed
    asarray, float64, dumps, open_, type_, str_, isinstance_ = (numpy.asarray, numpy.float64, json.dumps,
                                                                builtins.open, type, str, isinstance)

    def encode(value):
        if value is None:
            return None
        try:
            array = asarray(value, dtype=float64)
            return {"shape": list(array.shape), "values": array.reshape(-1).tolist()}
        except Exception:
            return {"not numeric": type_(value).__name__}

    def collector(exercise_id, namespace):
        for namespace_dict, saved in snapshot:   # undo any monkeypatching of bplib, numpy, json, exercises
            for key in [k for k in namespace_dict if k not in saved]:
                if type_(namespace_dict[key]) is not module_type:   # a submodule imported since stays
                    del namespace_dict[key]
            namespace_dict.update(saved)
        exercise = exercises[exercise_id]
        line = {"id": exercise_id, "token": token, "results": {}, "message": ""}
        missing = [name for name in exercise.names if name not in namespace]
        if missing:
            line.update(status="missing", message=", ".join(missing) + " is not defined: keep the name the "
                                                  "exercise gives and run its cell")
        else:
            try:
                results = collect(exercise, *(namespace[name] for name in exercise.names))
                line.update(status="collected", results={str_(k): encode(v) for k, v in results.items()})
            except NotDoneYet as err:
                line.update(status="not done", message=str_(err))
            except ExerciseFailed as err:
                line.update(status="failed", message=str_(err))
            except BaseException as err:  # SystemExit, KeyboardInterrupt... raised by the student's code
                line.update(status="failed", message=f"your code raised {type_(err).__name__}: {err}")
        with open_(results_path, "a", encoding="utf-8") as handle:
            handle.write(dumps(line) + "\\n")

    return collector


__grader_collect = __grader_make_collector(@RESULTS@, @TOKEN@, @REPO@)
del __grader_make_collector
'''


# --- Which instructor cells run: only those the checks need ----------------------------------------------------

def _base_name(node: ast.AST) -> str | None:
    """``params`` for ``params["W"]``, ``model.layers[0].W`` or ``params``; None for anything else."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _walk_outside_definitions(node: ast.AST):
    """The nodes under ``node`` that run when the cell runs (not the bodies of functions and classes)."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in ast.iter_child_nodes(node) if not isinstance(child, _DEFINITIONS))


def names_of(source: str, imported: frozenset[str] = frozenset()) -> tuple[set[str] | None, set[str]]:
    """``(changed, read)``: the global names a cell may bind or change, and the global names it reads.

    Read and bound come from :func:`cell_names.cell_names`: what the cell reads from the notebook
    (function bodies included, as a function reads its globals when it is called later; its parameters
    and local variables not) and what it assigns, defines or imports. Changed adds the object behind an
    item, attribute or method at the top level (``params["W"] = ...``, ``history.append(...)``,
    ``rng.normal()`` change ``params``, ``history``, ``rng``; a method of an ``imported`` name, a module
    such as ``np``, does not count). None when it cannot be known (``from x import *``). A cell that
    does not parse changes and reads nothing. What is not seen: a function that changes its arguments
    in place, or global state such as NumPy's legacy random seed.
    """
    return _names(parse_cell(source), imported)


def _names(tree: ast.Module, imported: frozenset[str]) -> tuple[set[str] | None, set[str]]:
    """:func:`names_of` for a parsed cell."""
    if any(isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names) for node in ast.walk(tree)):
        return None, set()
    read, changed = tree_names(tree)
    top_level = [node for statement in tree.body if not isinstance(statement, _DEFINITIONS)
                 for node in _walk_outside_definitions(statement)]
    for node in top_level:
        if isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            name = _base_name(node)
            if name:
                changed.add(name)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = _base_name(node.func)
            if name and name not in imported:
                changed.add(name)
    return changed, read


def cells_to_run(sources: list[str], always: set[int], reads: dict[int, set[str]]) -> list[int]:
    """Indices of the cells to run, in order: the ``always`` cells, and every earlier cell that may bind
    or change a name that a kept cell after it reads (found backwards, so the helpers of helpers are kept
    too). ``reads`` adds names a kept cell reads that its source does not show (a check reads the names
    of its exercise). A cell whose changes cannot be known is kept.
    """
    trees = [parse_cell(source) for source in sources]
    imported = frozenset((alias.asname or alias.name).split(".")[0] for tree in trees for node in ast.walk(tree)
                         if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names)
    needed: set[str] = set()
    keep: list[int] = []
    for index in range(len(sources) - 1, -1, -1):
        changed, read = _names(trees[index], imported)
        if index in always or changed is None or changed & needed:
            keep.append(index)
            needed |= read | reads.get(index, set())
    return sorted(keep)


COLLECT = "__grader_collect({id!r}, globals())"


@dataclass
class Plan:
    """What runs for one student's notebook, and the exercises decided before it runs."""

    notebook: nbformat.NotebookNode
    exercises: list[ExerciseCells]
    decided: dict[str, tuple[str, str]] = field(default_factory=dict)   # id -> (status, message)


def build(instructor: nbformat.NotebookNode, submission: nbformat.NotebookNode, results: Path,
          token: str, where: str = "notebook") -> Plan:
    """The notebook to run: instructor cells, the submission's solution cells, a collector per check."""
    exercises = exercise_cells(instructor, where)
    setup = SETUP.replace("@RESULTS@", repr(str(results))).replace("@TOKEN@", repr(token)).replace("@REPO@", repr(str(REPO)))
    cells = [nbformat.v4.new_code_cell(setup)]
    decided: dict[str, tuple[str, str]] = {}
    replace: dict[int, nbformat.NotebookNode] = {}
    for exercise in exercises:
        for index, grade_id, cell_id in answer_cells(instructor, exercise):
            answer = find_answer(submission, grade_id, cell_id)
            if answer is None:
                decided.setdefault(exercise.id, ("missing", f"the solution cell of exercise {exercise.number} "
                                                            f"({grade_id}) is not in the submission"))
                replace[index] = nbformat.v4.new_code_cell("")
            elif answer.get("cell_type") != "code":
                replace[index] = nbformat.v4.new_code_cell("")
            else:
                replace[index] = nbformat.v4.new_code_cell(answer.source)
        replace[exercise.check] = nbformat.v4.new_code_cell(COLLECT.format(id=exercise.id))
    last = max((e.check for e in exercises), default=-1)
    code = [(index, replace.get(index, cell)) for index, cell in enumerate(instructor.cells[:last + 1])
            if cell.cell_type == "code"]
    always = {k for k, (index, _) in enumerate(code) if index in replace}
    checks = {e.check: set(EXERCISES[e.id].names) for e in exercises}
    reads = {k: checks[index] for k, (index, _) in enumerate(code) if index in checks}
    for k in cells_to_run([cell.source for _, cell in code], always, reads):
        cells.append(nbformat.v4.new_code_cell(code[k][1].source))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    return Plan(notebook, exercises, decided)
