"""Benchmark: grade a class of solved submissions (every notebook with exercises) and print the time.

    python benchmarks/grade_class.py [--students 30] [--jobs 2]

Each student folder holds the instructor notebooks stamped with nbgrader metadata (their solutions
are correct), so every exercise should pass; the script says how many did and how long it took.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
from nbgrader_cells import course_notebooks, exercise_cells, stamped  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="grade-class-") as tmp:
        tmp = Path(tmp)
        source = tmp / "source"
        source.mkdir()
        notebooks = 0
        for path in course_notebooks():
            nb = nbformat.read(path, as_version=4)
            try:
                if not exercise_cells(nb, path.name):
                    continue
            except ValueError as err:
                print(f"skipping {path.name}: {err}")
                continue
            nbformat.write(stamped(nb, path.name), source / path.name)
            notebooks += 1
        for k in range(args.students):
            folder = tmp / "class" / f"student{k:02d}"
            folder.mkdir(parents=True)
            for path in source.glob("*.ipynb"):
                (folder / path.name).write_bytes(path.read_bytes())
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
        started = time.monotonic()
        subprocess.run([sys.executable, str(REPO / "tools" / "grade.py"), str(tmp / "class"), "--out", str(tmp / "out"),
                        "--source", str(source), "--jobs", str(args.jobs), "--timeout", str(args.timeout)],
                       env=env, check=True)
        seconds = time.monotonic() - started
        rows = list(csv.DictReader(open(tmp / "out" / "grades.csv", encoding="utf-8")))
    passed = sum(r["status"] == "passed" for r in rows)
    print(f"{args.students} students x {notebooks} notebooks: {passed}/{len(rows)} exercises passed, "
          f"graded in {seconds:.0f} s with --jobs {args.jobs} on {os.cpu_count()} cores "
          f"({seconds / max(args.students, 1):.1f} s per student)")
    return 0 if passed == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
