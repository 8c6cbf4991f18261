"""Run one assembled notebook in its own kernel and say how it ended (a subprocess of the grader).

    python tools/grading/worker.py NOTEBOOK --cwd DIR --timeout S --status STATUS.json --pid-file PID \
        --memory-mb MB --cpu-seconds S

The grader starts this script in a new session; it sets its own resource limits (memory, CPU time,
file size), which the kernel inherits. It executes the code cells in order in a fresh ``python3``
kernel whose working directory is ``DIR`` (a temporary copy of the student's folder), within
``--timeout`` seconds for them all, and keeps no output at all (the grader never reads outputs, so a
100 MB print costs nothing to store). It writes the kernel's process id to ``PID`` (so the grader can
kill the kernel's process group on a timeout) and, at the end, the outcome to ``STATUS.json``:
``{"outcome": "finished" | "kernel died" | "timeout" | "error", "message": ...}``. A cell that raises
does not stop the run (the next cells and collectors still run).
"""

from __future__ import annotations

import argparse
import json
import queue
import resource
import sys
import time
from pathlib import Path

# jupyter_client alone, not nbclient: nbclient imports nbformat, whose JSON-schema validator takes
# seconds to import, once per notebook graded.
from jupyter_client import KernelManager

POLL = 0.2   # seconds between looks at a running cell (is the kernel alive, is the time up)


def limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    """Limits of this process, inherited by the kernel it starts: memory, CPU time, file size, no core dumps."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 1024 * 1024,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def code_cells(notebook: Path) -> list[str]:
    """The sources of the notebook's code cells, in order."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells if c.get("cell_type") == "code"]


def run_cell(km: KernelManager, client, source: str, deadline: float) -> str | None:
    """Execute one cell and wait for its reply, dropping its output; None, "timeout" or "kernel died"."""
    msg_id = client.execute(source, store_history=False, allow_stdin=False, stop_on_error=False)
    while True:
        while True:   # drop the output as it comes (a 100 MB print is never kept)
            try:
                client.get_iopub_msg(timeout=0)
            except queue.Empty:
                break
        try:
            reply = client.get_shell_msg(timeout=POLL)
        except queue.Empty:
            if not km.is_alive():
                return "kernel died"
            if time.monotonic() > deadline:
                return "timeout"
            continue
        if reply.get("parent_header", {}).get("msg_id") == msg_id:
            return None


def run(notebook: Path, cwd: Path, timeout: float, pid_file: Path) -> dict:
    """Run the notebook's code cells in a fresh python3 kernel, within ``timeout`` seconds in all; a cell
    that raises does not stop the run."""
    km = KernelManager(kernel_name="python3")
    client = None
    try:
        km.start_kernel(cwd=str(cwd))
        pid_file.write_text(str(getattr(km.provisioner, "pid", "") or ""))
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        deadline = time.monotonic() + timeout   # for the whole notebook
        for source in code_cells(notebook):
            ended = run_cell(km, client, source, deadline)
            if ended == "timeout":
                return {"outcome": "timeout", "message": f"the notebook ran longer than {timeout:g} s"}
            if ended == "kernel died":
                return {"outcome": "kernel died",
                        "message": "the kernel died (os._exit, a crash, or the memory limit)"}
    except Exception as err:  # the kernel could not start, or did not answer
        if not km.is_alive():
            return {"outcome": "kernel died", "message": f"the kernel died: {type(err).__name__}: {err}"}
        return {"outcome": "error", "message": f"the notebook could not run: {type(err).__name__}: {err}"}
    finally:
        if client is not None:
            client.stop_channels()
        if km.has_kernel:
            km.shutdown_kernel(now=True)
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
