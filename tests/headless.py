"""Run a course notebook headless with nbclient (used by test_student_edition_runs.py and
test_student_edition.py; test_student_pack.py runs the learner's own ``jupyter nbconvert`` instead).

One change from nbclient's defaults: the client does not stand in for the browser's ``Output`` widget.
By default nbclient answers an ``ipywidgets.Output`` widget's messages by sending comm messages back to
the kernel on the shell channel, while it waits on that same channel for the cell's execute reply. On
some versions the reply is then not noticed until the cell's timeout: the cell after a widget cell waits
the whole timeout and then either goes on or fails with ``CellTimeoutError``. This is nbclient's open
issue jupyter/nbclient#312. It broke CI once: the student edition of notebook 04 timed out after 600 s
on the declared lowest versions.

Measured here by running the student edition of 04 over and over with a 30 s timeout: the declared
lowest versions (nbclient 0.8, jupyter-client 8.1, ipykernel 7.1) stalled in about one run in 30. Swapping
in nbclient 0.11, jupyter-client 8.6 or 8.10, ipykernel 6.31 or 7.2, ipywidgets 8.1.9, IPython 8.12,
matplotlib 3.10, traitlets 5.15 or NumPy 1.26 did not stop the stalls. Without the stand-in: no stall in
50 runs. The newest versions of everything did not stall either (0 in 118 runs).

Nothing the tests check lives in an Output widget's state: they read the cells' own outputs.
"""

from __future__ import annotations

from pathlib import Path

from nbclient import NotebookClient


def execute(nb, cwd: Path, timeout: int) -> None:
    """Execute notebook ``nb`` in place in a fresh ``python3`` kernel started in ``cwd``.

    Errors are stored as outputs, not raised (Run All in JupyterLab carries on past a cell tagged
    ``raises-exception``); a cell that runs longer than ``timeout`` seconds raises ``CellTimeoutError``.
    """
    client = NotebookClient(nb, kernel_name="python3", timeout=timeout, allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}})
    client.widget_registry = {}  # no Output-widget stand-in: see the module docstring
    client.execute()
