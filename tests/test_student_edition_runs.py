"""Every notebook of the student edition runs top to bottom, in the current environment, exercises unsolved.

The edition is built by tools/student_edition.py into a temporary folder and each notebook is executed
there with nbclient (tests/headless.py: kernel ``python3``, errors allowed, as Run All in JupyterLab carries
on past a cell tagged ``raises-exception``). Every error output must be an unfinished exercise (the rule of
tests/student_acceptance.py, shared with tests/test_student_pack.py, which checks the same on the pack
installed alone in a fresh environment: slower, this one is the quick guard).

Notebook 13 needs MNIST (``BPLIB_DATA``); without it the test for 13 fails under CI and is skipped elsewhere.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import headless
from student_acceptance import problems_and_unfinished

REPO = Path(__file__).resolve().parents[1]
TOOL = REPO / "tools" / "student_edition.py"
NAME = re.compile(r"^\d\d_[A-Za-z0-9_]+\.ipynb$")
COURSE = sorted(p.name for p in (REPO / "notebooks").iterdir() if NAME.match(p.name))


@pytest.fixture(scope="module")
def edition(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("student-edition")
    result = subprocess.run([sys.executable, str(TOOL), "--out", str(out)], capture_output=True, text=True,
                            timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


@pytest.mark.parametrize("name", COURSE)
def test_student_notebook_runs_with_only_unfinished_exercises_failing(edition, name, monkeypatch):
    if name.startswith("13_") and not os.environ.get("BPLIB_DATA"):
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("BPLIB_DATA is not set: notebook 13 needs MNIST (CI=true: not skipped)")
        pytest.skip("BPLIB_DATA not set: notebook 13 needs MNIST")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    path = edition / name
    nb = nbformat.read(path, as_version=4)
    headless.execute(nb, cwd=edition, timeout=600)
    problems, unfinished_count = problems_and_unfinished(name, nb)
    assert not problems, "\n".join(problems)
    has_exercise = any(c.cell_type == "code" and "raise NotImplementedError()" in c.source for c in nb.cells)
    if has_exercise:
        assert unfinished_count > 0, f"{name}: an exercise but no 'not done yet': are the exercises still stripped?"
