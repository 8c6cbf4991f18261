"""Run one assembled notebook in its own kernel and say how it ended (a subprocess of the grader).

    python tools/grading/worker.py NOTEBOOK --cwd DIR --timeout S --status STATUS.json --pid-file PID \
        --memory-mb MB --cpu-seconds S

The grader starts this script in a new session; it sets its own resource limits (memory, CPU time,
file size), which the kernel inherits. It executes the cells in order in a fresh ``python3`` kernel whose working
directory is ``DIR`` (a temporary copy of the student's folder), keeps no output at all (the grader
never reads outputs, so a 100 MB print costs nothing to store), writes the kernel's process id to
``PID`` (so the grader can kill the kernel's process group on a timeout) and, at the end, the outcome
to ``STATUS.json``: ``{"outcome": "finished" | "kernel died" | "timeout" | "error", "message": ...}``.
A cell that raises does not stop the run (the next cells and collectors still run).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError


class _NoOutputClient(NotebookClient):
    """A notebook client that executes cells and drops every output they produce."""

    def output(self, outs, msg, display_id, cell_index):  # noqa: D401 - nbclient's hook
        return None

    def clear_output(self, outs, msg, cell_index):
        return None


def limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    """Limits of this process, inherited by the kernel it starts: memory, CPU time, file size, no core dumps."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(notebook: Path, cwd: Path, timeout: float, pid_file: Path) -> dict:
    nb = nbformat.read(notebook, as_version=4)
    client = _NoOutputClient(nb, timeout=timeout, allow_errors=True, kernel_name="python3",
                             record_timing=False, store_widget_state=False,
                             resources={"metadata": {"path": str(cwd)}})
    try:
        with client.setup_kernel():
            pid = getattr(client.km.provisioner, "pid", None) if client.km.provisioner else None
            pid_file.write_text(str(pid or ""))
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
    except CellTimeoutError:
        return {"outcome": "timeout", "message": f"a cell ran longer than {timeout:g} s"}
    except DeadKernelError:
        return {"outcome": "kernel died", "message": "the kernel died (os._exit, a crash, or the memory limit)"}
    except Exception as err:  # the kernel could not start, or nbclient itself failed
        return {"outcome": "error", "message": f"the notebook could not run: {type(err).__name__}: {err}"}
    return {"outcome": "finished", "message": ""}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--cwd", type=Path, required=True)
    parser.add_argument("--timeout", type=float, required=True)
    parser.add_argument("--status", type=Path, required=True)
    parser.add_argument("--pid-file", type=Path, required=True)
    parser.add_argument("--memory-mb", type=int, required=True, help="address-space limit, inherited by the kernel")
    parser.add_argument("--cpu-seconds", type=int, required=True, help="CPU-time limit, inherited by the kernel")
    args = parser.parse_args(argv)
    limit_resources(args.memory_mb, args.cpu_seconds)
    status = run(args.notebook, args.cwd, args.timeout, args.pid_file)
    args.status.write_text(json.dumps(status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
