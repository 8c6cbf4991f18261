"""Write the student edition of the course: the notebooks with the exercise solutions taken out.

    python tools/student_edition.py                  # writes build/student/NN_*.ipynb
    python tools/student_edition.py --out student    # or any other folder

The committed notebooks in ``notebooks/`` are the instructor edition: every exercise cell holds its
solution between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the nbgrader convention). For each
course notebook this writes a copy in which

* every solution region becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError()``, indented like
  the ``### BEGIN SOLUTION`` line it replaces (``### BEGIN HIDDEN TESTS`` regions are dropped);
* all outputs, execution counts, execution metadata and saved widget state are cleared;
* every code cell that will raise until the exercise is solved is tagged ``raises-exception``, so that
  *Run All* (and ``jupyter nbconvert --execute``) carries on past an unsolved exercise: the exercise cells
  themselves, and every later cell that uses a name an exercise cell defines (its check cell, and cells
  using those, followed transitively through the names they define);
* cells tagged ``instructor-only`` are dropped, and a cell whose metadata holds ``student_source``
  shows that text instead of its own (how 00 says which edition the reader holds);
* the result is validated with nbformat.

Nothing else of the instructor edition is copied. The instructor notebooks are only read.
Markdown cells are copied as they are (notebook 00 shows the solution markers in a code block).
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _editions import BUILD, NOTEBOOKS, REPO, course_notebooks  # noqa: E402
from cell_names import cell_names  # noqa: E402

BEGIN = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION\s*$")
END = re.compile(r"^[ \t]*### END SOLUTION\s*$")
BEGIN_HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\s*$")
END_HIDDEN = re.compile(r"^[ \t]*### END HIDDEN TESTS\s*$")
RAISES_TAG = "raises-exception"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


class SolutionMarkerError(ValueError):
    """A solution region is not closed, or an END marker has no BEGIN."""


@dataclass
class Region:
    """One solution region of the instructor edition: where it was and the lines it held."""

    cell: int
    lines: list[str] = field(default_factory=list)


def strip_solutions(source: str, where: str = "cell") -> tuple[str, list[list[str]]]:
    """Replace each solution region of ``source`` by the two-line stub; drop hidden-test regions.

    Returns the new source and, for each solution region, the lines it held (without the markers).
    Raises :class:`SolutionMarkerError` on an unclosed or unopened region.
    """
    out: list[str] = []
    regions: list[list[str]] = []
    inside: str | None = None   # None, "solution" or "hidden"
    for number, line in enumerate(source.splitlines(), start=1):
        begin = BEGIN.match(line)
        if inside is None:
            if begin:
                indent = begin.group("indent")
                out.extend(indent + stub for stub in STUB)
                regions.append([])
                inside = "solution"
            elif BEGIN_HIDDEN.match(line):
                inside = "hidden"
            elif END.match(line) or END_HIDDEN.match(line):
                raise SolutionMarkerError(f"{where}, line {number}: END marker without a BEGIN marker")
            else:
                out.append(line)
        elif inside == "solution":
            if END.match(line):
                inside = None
            elif begin or BEGIN_HIDDEN.match(line):
                raise SolutionMarkerError(f"{where}, line {number}: a region opens inside a solution region")
            else:
                regions[-1].append(line)
        else:  # hidden tests
            if END_HIDDEN.match(line):
                inside = None
    if inside is not None:
        raise SolutionMarkerError(f"{where}: a {inside} region is not closed by its END marker")
    return "\n".join(out), regions


# ---------------------------------------------------------------------------------------------------
# Which cells will raise: names defined by exercise cells, followed through later cells.
# ---------------------------------------------------------------------------------------------------


def cells_that_raise(nb: nbformat.NotebookNode, exercise_cells: set[int]) -> set[int]:
    """Indices of the code cells that raise in the student edition until the exercises are solved.

    An exercise cell (one with a solution region) either raises itself or defines names (functions,
    classes, variables) whose use raises. Every later cell that reads such a name is counted, and the
    names it binds count from then on (so a cell using a result built from an exercise is found too);
    a name re-bound by a cell that does not depend on an exercise is clean again.
    """
    tainted: set[str] = set()
    raising: set[int] = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        used, bound = cell_names(cell.source)
        if index in exercise_cells or used & tainted:
            raising.add(index)
            tainted |= bound
        else:
            tainted -= bound
    return raising


# ---------------------------------------------------------------------------------------------------
# One notebook, the whole edition
# ---------------------------------------------------------------------------------------------------

#: A cell with this tag is only for the instructor edition (e.g. 00's "this is the instructor edition"):
#: the student edition, the slides and the public site drop it.
INSTRUCTOR_ONLY = "instructor-only"
#: A cell may carry the text the student edition shows instead of its own in ``metadata["student_source"]``
#: (a string or a list of lines, like a cell's source).
STUDENT_SOURCE = "student_source"


def student_notebook(nb: nbformat.NotebookNode, name: str = "notebook",
                     keep_outputs: bool = False) -> tuple[nbformat.NotebookNode, list[Region]]:
    """The student version of one instructor notebook (a new object) and its solution regions.

    With ``keep_outputs`` (for the slides and the public site) the stored outputs of the cells that do
    not depend on an exercise are kept; the exercise cells and every cell tagged ``raises-exception``
    lose theirs (they would show what the solution computes, or a check that passed).
    """
    student = copy.deepcopy(nb)
    regions: list[Region] = []
    exercise_cells: set[int] = set()
    for index, cell in enumerate(student.cells):
        # Nothing from running the instructor edition: no outputs, counts, timings, attachments' run data.
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        replacement = cell.metadata.pop(STUDENT_SOURCE, None)
        if replacement is not None:
            cell.source = replacement if isinstance(replacement, str) else "".join(replacement)
        if cell.cell_type != "code":
            continue
        if not keep_outputs:
            cell.outputs = []
            cell.execution_count = None
        source, found = strip_solutions(cell.source, where=f"{name}, cell {index}")
        if found:
            cell.source = source
            exercise_cells.add(index)
            regions.extend(Region(index, lines) for lines in found)

    for index in cells_that_raise(nb, exercise_cells):
        cell = student.cells[index]
        tags = list(cell.metadata.get("tags", []))
        if RAISES_TAG not in tags:
            tags.append(RAISES_TAG)
        cell.metadata["tags"] = tags
        cell.outputs = []
        cell.execution_count = None

    student.cells = [cell for cell in student.cells if INSTRUCTOR_ONLY not in cell.metadata.get("tags", [])]
    student.metadata.pop("widgets", None) if not keep_outputs else None  # saved widget state is output too
    nbformat.validate(student)
    return student, regions


def build(out: Path, source: Path = NOTEBOOKS, quiet: bool = False) -> list[Path]:
    """Write the student edition of every course notebook of ``source`` into ``out``; return the paths."""
    out = Path(out).resolve()
    source = Path(source).resolve()
    if out == source:
        raise SystemExit("refusing to write the student edition over the instructor edition")
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.ipynb"):  # a notebook renamed or removed upstream must not linger
        stale.unlink()
    written = []
    for path in course_notebooks(source):
        nb = nbformat.read(path, as_version=4)
        student, regions = student_notebook(nb, path.name)
        target = out / path.name
        nbformat.write(student, target)
        written.append(target)
        if not quiet:
            tagged = sum(RAISES_TAG in c.metadata.get("tags", []) for c in student.cells)
            print(f"{path.name}: {len(regions)} solution region(s) removed, {tagged} cell(s) tagged {RAISES_TAG}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=BUILD / "student",
                        help="folder for the student notebooks (default: build/student)")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS,
                        help="folder of the instructor notebooks (default: notebooks/)")
    args = parser.parse_args(argv)
    try:
        written = build(args.out, args.notebooks)
    except SolutionMarkerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    where = args.out.resolve()
    shown = where.relative_to(REPO) if where.is_relative_to(REPO) else where
    print(f"wrote {len(written)} student notebook(s) to {shown}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
