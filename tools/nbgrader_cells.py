"""Stamp nbgrader's cell metadata on the instructor notebooks, derived from what the cells say.

    python tools/nbgrader_cells.py            # write the metadata into notebooks/NN_*.ipynb
    python tools/nbgrader_cells.py --check    # only verify it is there and up to date (exit 1 if not)

The course marks its exercises in the notebooks themselves, so this metadata is never edited by hand:

* an **exercise heading** is a markdown cell with a line ``### Exercise 5.1 · MyLinear ... (3 points)``;
* a **solution cell** is a code cell with a ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region;
* a **check cell** is a code cell that calls one check of :mod:`bplib.course.exercises`
  (``check_linear_layer(MyLinear)``); the check's exercise gives the cell's id (``05-linear-layer``)
  and the heading before it gives the points.

From these it writes nbgrader's metadata (schema 3), so that a teacher can copy the notebooks into an
nbgrader course's ``source/`` folder and run ``generate_assignment``, ``autograde``,
``generate_feedback`` and ``export`` unchanged:

* check cells: autograded tests (``grade: true``, ``points``, ``locked: true``), id = the exercise id;
* solution cells: ``solution: true``, id = ``<exercise id>-answer`` (``-answer-2``... for more cells);
* every other cell: read-only (``locked: true``), id = ``cell-<nbformat cell id>``.

The same mapping (:func:`exercise_cells`) tells ``tools/grade.py`` which cells of a submission are the
student's answers and which check decides each exercise's points.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
HEADING = re.compile(r"^#+\s*Exercise\s+(?P<number>\d+\.\d+)\b(?P<title>.*?)\((?P<points>\d+)\s+points?\)\s*$",
                     re.MULTILINE)
# A check cell calls its check at the top level of the cell; a call inside a block (00 shows a failing check
# inside try/except) is a demonstration, not a graded check.
CHECK_CALL = re.compile(r"^(?P<name>check_\w+)\s*\(", re.MULTILINE)
BEGIN_SOLUTION = "### BEGIN SOLUTION"


class ExerciseMarkupError(ValueError):
    """The cells of an exercise do not follow the course's convention (heading, solution, check)."""


@dataclass
class ExerciseCells:
    """Where one exercise lives in a notebook."""

    id: str
    number: str
    points: int
    check: int                                    # index of the check cell
    solutions: list[int] = field(default_factory=list)  # indices of its solution cells


def _check_exercise_ids() -> dict[str, str]:
    """``check function name -> exercise id`` for every check of bplib.course.exercises."""
    import bplib.course.exercises as exercises

    ids = {}
    for name in dir(exercises):
        owner = getattr(getattr(exercises, name), "__self__", None)
        if name.startswith("check_") and owner is not None and hasattr(owner, "id") and hasattr(owner, "run"):
            ids[name] = owner.id
    return ids


def exercise_cells(nb: nbformat.NotebookNode, where: str = "notebook") -> list[ExerciseCells]:
    """The exercises of ``nb`` in order: heading (points), solution cells, check cell.

    Raises :class:`ExerciseMarkupError` naming the cell when the convention is broken: a check cell
    without a heading with points before it, a solution cell without a check after it, a check
    that is not an exercise check, or one exercise checked twice.
    """
    check_ids = _check_exercise_ids()
    found: list[ExerciseCells] = []
    pending_solutions: list[int] = []
    heading: tuple[str, int] | None = None
    for index, cell in enumerate(nb.cells):
        source = cell.source
        if cell.cell_type == "markdown":
            match = HEADING.search(source)
            if match:
                heading = (match["number"], int(match["points"]))
            continue
        if cell.cell_type != "code":
            continue
        if BEGIN_SOLUTION in source:
            pending_solutions.append(index)
            continue
        calls = [m["name"] for m in CHECK_CALL.finditer(source)]
        if not calls:
            continue
        unknown = [name for name in calls if name not in check_ids]
        if unknown:
            raise ExerciseMarkupError(f"{where}, cell {index}: {', '.join(unknown)} is not an exercise check of "
                                      f"bplib.course.exercises (declare it with engine.Exercise)")
        if len(calls) != 1:
            raise ExerciseMarkupError(f"{where}, cell {index}: a check cell calls exactly one check, found {calls}")
        if heading is None:
            raise ExerciseMarkupError(f"{where}, cell {index}: the check {calls[0]} has no exercise heading "
                                      f"'### Exercise N.k · title (P points)' before it")
        if not pending_solutions:
            raise ExerciseMarkupError(f"{where}, cell {index}: the check {calls[0]} has no solution cell "
                                      f"(### BEGIN SOLUTION) before it")
        exercise_id = check_ids[calls[0]]
        if any(e.id == exercise_id for e in found):
            raise ExerciseMarkupError(f"{where}, cell {index}: exercise {exercise_id} is checked twice")
        found.append(ExerciseCells(exercise_id, heading[0], heading[1], index, pending_solutions))
        pending_solutions, heading = [], None
    if pending_solutions:
        raise ExerciseMarkupError(f"{where}, cell {pending_solutions[0]}: a solution cell with no check cell after it")
    return found


def _metadata(grade_id: str, *, solution: bool = False, points: int | None = None) -> dict:
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def stamped(nb: nbformat.NotebookNode, where: str = "notebook") -> nbformat.NotebookNode:
    """A copy of ``nb`` with nbgrader's metadata on every cell."""
    nb = nbformat.from_dict(nb)
    roles: dict[int, dict] = {}
    for exercise in exercise_cells(nb, where):
        roles[exercise.check] = _metadata(exercise.id, points=exercise.points)
        for k, index in enumerate(exercise.solutions, start=1):
            suffix = "" if k == 1 else f"-{k}"
            roles[index] = _metadata(f"{exercise.id}-answer{suffix}", solution=True)
    for index, cell in enumerate(nb.cells):
        cell.metadata["nbgrader"] = roles.get(index, _metadata(f"cell-{cell.get('id', index)}"))
    return nb


def course_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only; exit 1 if a notebook needs stamping")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/NN_*.ipynb")
    args = parser.parse_args(argv)
    stale = []
    for path in args.notebooks or course_notebooks():
        nb = nbformat.read(path, as_version=4)
        try:
            new = stamped(nb, where=path.name)
        except ExerciseMarkupError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        if new == nb:
            continue
        stale.append(path.name)
        if not args.check:
            nbformat.write(new, path)
            print(f"stamped {path.name}")
    if args.check and stale:
        print("nbgrader metadata missing or out of date in: " + ", ".join(stale)
              + " (run python tools/nbgrader_cells.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
