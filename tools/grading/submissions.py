"""The students of a SUBMISSIONS folder and the notebook file each handed in.

Two layouts are accepted:

* one folder per student, holding that student's notebooks at any depth (an LMS download unpacked);
* nbgrader's ``submitted/<student>/<assignment>/``: SUBMISSIONS is the course folder (it has a
  ``submitted/`` folder) or the ``submitted/`` folder itself.

A notebook is matched by its file name (``05_vectorised_layers.ipynb``); if the student renamed it,
a single ``05_*.ipynb`` (same two digits) is taken instead.
"""

from __future__ import annotations

import re
from pathlib import Path

SKIPPED = re.compile(r"^(\.|__MACOSX$|__pycache__$)")   # hidden folders and archive debris are not students


def student_folders(submissions: Path) -> dict[str, Path]:
    """``student name -> folder`` for every student folder of ``submissions``, sorted by name."""
    submissions = Path(submissions)
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions} is not a folder: give the folder that holds one folder per student")
    nbgrader = submissions / "submitted"
    root = nbgrader if nbgrader.is_dir() else submissions
    return {p.name: p for p in sorted(root.iterdir()) if p.is_dir() and not SKIPPED.match(p.name)}


def _notebooks_in(folder: Path) -> list[Path]:
    """Every ``*.ipynb`` under ``folder``, shallowest first, without Jupyter's checkpoints."""
    found = [p for p in folder.rglob("*.ipynb")
             if p.is_file() and not any(SKIPPED.match(part) or part == ".ipynb_checkpoints"
                                        for part in p.relative_to(folder).parts[:-1])]
    return sorted(found, key=lambda p: (len(p.relative_to(folder).parts), str(p)))


def find_notebook(folder: Path, name: str) -> tuple[Path | None, str]:
    """The student's file for the instructor notebook ``name``, and a note (why none, or which was taken)."""
    candidates = _notebooks_in(folder)
    exact = [p for p in candidates if p.name == name]
    if exact:
        return exact[0], ""
    prefix = name[:3]   # "05_"
    similar = [p for p in candidates if p.name.startswith(prefix)]
    if len(similar) == 1:
        return similar[0], f"graded {similar[0].name} as {name}"
    if similar:
        names = ", ".join(p.name for p in similar)
        return None, f"{name} is not in the submission, and several notebooks could be it ({names}): rename one"
    return None, f"{name} is not in the submission"
