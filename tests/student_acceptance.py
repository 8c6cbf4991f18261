"""What counts as an acceptable error when the student edition runs top to bottom (shared by the tests).

A student notebook runs with every exercise unsolved. Every error output it shows must be an unfinished
exercise:

* a check that says ``not done yet: ...`` (``NotDoneYet``), or
* ``NotImplementedError`` raised by the student edition's stub line ``raise NotImplementedError()``,

each in a cell tagged ``raises-exception`` (so that Run All in JupyterLab carries on past it). Any other
error (a ``NameError``, a ``ValueError`` from a figure, a wrong answer) is a problem. Used by
tests/test_student_pack.py (the pack, installed alone) and tests/test_student_edition_runs.py (the
edition, in the current environment).
"""

from __future__ import annotations

import re

STUB = "raise NotImplementedError()"
RAISES = "raises-exception"


def error_outputs(nb) -> list[tuple[int, dict]]:
    """(cell index, error output) for every error output of an executed notebook."""
    return [(index, out) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for out in cell.get("outputs", []) if out.get("output_type") == "error"]


def unfinished(cell, error) -> bool:
    """Is this error an unfinished exercise: a "not done yet" check, or the stub raising?"""
    if error["ename"] == "NotDoneYet" or error.get("evalue", "").startswith("not done yet"):
        return True
    traceback = "\n".join(error.get("traceback", []))
    traceback = re.sub(r"\x1b\[[0-9;]*m", "", traceback)
    return error["ename"] == "NotImplementedError" and STUB in traceback


def problems_and_unfinished(name: str, nb) -> tuple[list[str], int]:
    """The errors of executed notebook ``nb`` that are not acceptable, and how many unfinished exercises it showed."""
    problems, count = [], 0
    for index, error in error_outputs(nb):
        cell = nb.cells[index]
        what = f"{name} cell {index}: {error['ename']}: {error.get('evalue', '')[:200]}"
        if not unfinished(cell, error):
            problems.append(what + "  <- not an unfinished exercise")
        elif RAISES not in cell.metadata.get("tags", []):
            problems.append(what + f"  <- not tagged {RAISES}: Run All in JupyterLab would stop here")
        else:
            count += 1
    return problems, count
