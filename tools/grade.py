"""Grade a folder of submissions: points per exercise in a CSV and a feedback page per student.

    python tools/grade.py SUBMISSIONS --out OUT [--timeout 300] [--memory-mb 2048] [--jobs 2]

SUBMISSIONS holds one folder per student with that student's notebooks (any depth), or is an nbgrader
course (``submitted/<student>/<assignment>/``). For every student and every instructor notebook with
exercises, the notebook that runs is the instructor's, with only the solution cells taken from the
submission; the checks are replaced by collectors whose results this process judges with its own
bplib, so editing a check, printing "PASSED" or monkeypatching bplib gains nothing. Of the other
instructor cells only those the checks need run (those binding a name a later kept cell reads). Each
notebook runs in its own kernel, in a temporary copy of the student's folder, under a time limit
(``--timeout`` for the whole notebook), a memory limit (``--memory-mb``, address space of the kernel)
and without keeping outputs.

Writes ``OUT/grades.csv`` (``student,notebook,exercise,points,max_points,status,message``; status is
passed, failed, not done, error, timeout or missing; sorted, no timestamps: the same folder gives the
same file) and ``OUT/feedback/<student>.html``. Points come from the instructor edition's exercise
headings ("### Exercise 5.1 · ... (3 points)").
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
from grading import assemble, judging, submissions  # noqa: E402
from grading.report import Row, write_csv, write_feedback  # noqa: E402
from nbgrader_cells import ExerciseMarkupError, exercise_cells  # noqa: E402

REPO = TOOLS.parent
WORKER = TOOLS / "grading" / "worker.py"
COPY_LIMIT_MB = 200   # a student folder larger than this is not copied beside the notebook


def instructor_notebooks(source: Path) -> list[tuple[str, nbformat.NotebookNode]]:
    """``(file name, notebook)`` of each instructor notebook with exercises, in course order."""
    found = []
    for path in sorted(source.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if exercise_cells(nb, path.name):     # raises ExerciseMarkupError naming the cell
            found.append((path.name, nb))
    return found


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _working_copy(notebook: Path, into: Path) -> Path:
    """A copy of the folder the notebook is in (or an empty folder if it is too large to copy)."""
    work = into / "work"
    folder = notebook.parent
    if _folder_size(folder) <= COPY_LIMIT_MB * 1024 * 1024:
        shutil.copytree(folder, work, symlinks=True, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    else:
        work.mkdir()
    return work


def run_notebook(plan: assemble.Plan, notebook: Path, scratch: Path, results: Path, args) -> dict:
    """Run the plan's notebook in a worker subprocess under limits; return the worker's status."""
    work = _working_copy(notebook, scratch)
    built, status, pid_file = scratch / "run.ipynb", scratch / "status.json", scratch / "kernel.pid"
    nbformat.write(plan.notebook, built)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("JPY_", "JUPYTER_RUNTIME"))}
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg",
               PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, str(WORKER), str(built), "--cwd", str(work), "--timeout", str(args.timeout),
               "--status", str(status), "--pid-file", str(pid_file), "--memory-mb", str(args.memory_mb),
               "--cpu-seconds", str(int(args.timeout) + 30)]
    process = subprocess.Popen(command, cwd=scratch, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(timeout=args.timeout + 20)   # the worker's own limit fires first; this is the backstop
    except subprocess.TimeoutExpired:
        pass
    finally:
        kernel = pid_file.read_text().strip() if pid_file.exists() else ""
        if kernel.isdigit():
            _kill_group(int(kernel))
        _kill_group(process.pid)
        process.wait()
    if status.exists():
        try:
            return json.loads(status.read_text())
        except ValueError:
            pass
    return {"outcome": "timeout", "message": ""} if process.returncode in (-signal.SIGKILL, None) \
        else {"outcome": "error", "message": f"the grading worker stopped with exit code {process.returncode}"}


def grade_notebook(student: str, folder: Path, name: str, instructor: nbformat.NotebookNode, args) -> list[Row]:
    """The rows of one student's notebook."""
    exercises = exercise_cells(instructor, name)
    titles = {e.id: judging.EXERCISES[e.id].title for e in exercises}

    def rows(outcome: dict[str, tuple[str, str]]) -> list[Row]:
        out = []
        for e in exercises:
            status, message = outcome[e.id]
            out.append(Row(student, name, e.id, e.points if status == "passed" else 0, e.points, status, message,
                           titles[e.id]))
        return out

    path, note = submissions.find_notebook(folder, name)
    if path is None:
        return rows({e.id: ("missing", note) for e in exercises})
    try:
        submission = assemble.read_submission(path)
    except assemble.NotANotebook as err:
        return rows({e.id: ("error", str(err)) for e in exercises})
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory(prefix="grade-") as scratch:
        scratch = Path(scratch)
        results = scratch / "results.jsonl"   # outside the working copy (scratch/work)
        plan = assemble.build(instructor, submission, results, token, where=name)
        status = run_notebook(plan, path, scratch, results, args)
        lines = judging.read_lines(results, token)
    kind = status.get("outcome", "error")
    unfinished = {
        "timeout": ("timeout", f"timeout after {args.timeout:g} s: the notebook ran longer than that before "
                               f"this check ran"),
        "kernel died": ("error", f"the kernel died before this check ran (os._exit, a crash, or more than "
                                 f"{args.memory_mb} MB of memory)"),
        "finished": ("error", "the check did not run (its collector cell failed)"),
    }.get(kind, ("error", status.get("message") or "the notebook could not run"))
    outcome = {e.id: plan.decided.get(e.id) or (judging.verdict(lines[e.id]) if e.id in lines else unfinished)
               for e in exercises}
    if note:
        outcome = {k: (s, f"{m} ({note})" if m else note) for k, (s, m) in outcome.items()}
    return rows(outcome)


def grade_student(student: str, folder: Path, notebooks, args) -> list[Row]:
    out: list[Row] = []
    for name, instructor in notebooks:
        out.extend(grade_notebook(student, folder, name, instructor, args))
    return out


def grade(submissions_folder: Path, out: Path, args) -> list[Row]:
    notebooks = instructor_notebooks(args.source)
    students = submissions.student_folders(submissions_folder)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {s: pool.submit(grade_student, s, folder, notebooks, args) for s, folder in students.items()}
        per_student = {s: f.result() for s, f in futures.items()}
    rows = [row for s in sorted(per_student) for row in per_student[s]]
    if not notebooks:
        print("warning: no instructor notebook with exercises was found in " + str(args.source), file=sys.stderr)
    write_csv(rows, out / "grades.csv")
    write_feedback({s: per_student[s] for s in sorted(per_student)}, out / "feedback")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="one folder per student, or an nbgrader course folder")
    parser.add_argument("--out", type=Path, required=True, help="where grades.csv and feedback/ are written")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per notebook (default 300)")
    parser.add_argument("--memory-mb", type=int, default=2048, help="memory limit of each kernel (default 2048)")
    parser.add_argument("--jobs", type=int, default=2, help="students graded in parallel (default 2)")
    parser.add_argument("--source", type=Path, default=REPO / "notebooks",
                        help="the instructor notebooks (default notebooks/)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        rows = grade(args.submissions, args.out, args)
    except (FileNotFoundError, ExerciseMarkupError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    students = len({r.student for r in rows})
    passed = sum(r.status == "passed" for r in rows)
    print(f"graded {students} student(s), {len(rows)} exercise(s), {passed} passed, in "
          f"{time.monotonic() - started:.0f} s: {args.out / 'grades.csv'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
