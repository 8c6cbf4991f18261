"""Build the student pack: one folder (and a zip of it) that a teacher can send to students.

    python tools/student_pack.py                    # build/student-pack/backprop-from-scratch-student{,.zip}
    python tools/student_pack.py --out some/folder

The pack holds

* ``notebooks/``: the student edition (``tools/student_edition.py``: no solutions, no outputs, cells that
  need an unsolved exercise tagged ``raises-exception`` so that Run All carries on);
* ``bplib-<version>-py3-none-any.whl``: the bplib package built from this repository as a wheel (the
  package only: no notebook, no test, no tool of the repository);
* ``requirements.txt``: what a learner installs: JupyterLab and the wheel (which brings NumPy,
  Matplotlib, ipywidgets and tqdm);
* ``README.md``: how to install, how to run, how exercises and checks work
  (``tools/templates/STUDENT_README.md``).

tests/test_student_pack.py unpacks the zip into an empty folder, installs it into a fresh virtual
environment with the README's command and runs every notebook top to bottom.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _editions import BUILD, NOTEBOOKS, REPO, TOOLS  # noqa: E402
import student_edition  # noqa: E402

NAME = "backprop-from-scratch-student"
README = TOOLS / "templates" / "STUDENT_README.md"
APPROX_INSTALL_MB = 420


def project() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]

def learner_packages() -> list[str]:
    """What the repository's requirements.txt gives a learner besides bplib (JupyterLab...): one source of truth.

    bplib's own dependencies come with the wheel; the editable ``-e .`` line is replaced by the wheel.
    """
    lines = (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
    wanted = [line.split("#")[0].strip() for line in lines]
    own = {dependency.split(">")[0].split("=")[0].strip().lower() for dependency in project()["dependencies"]}
    return [spec for spec in wanted
            if spec and not spec.startswith("-") and spec.split(">")[0].split("=")[0].strip().lower() not in own]


def build_wheel(dest: Path) -> Path:
    """Build bplib's wheel from a copy of just what the package needs (pyproject, README, bplib/)."""
    with tempfile.TemporaryDirectory(prefix="bp-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        shutil.copy2(REPO / "pyproject.toml", src / "pyproject.toml")
        for name in ["README.md", "LICENSE", "LICENSE.txt"]:
            if (REPO / name).is_file():
                shutil.copy2(REPO / name, src / name)
        shutil.copytree(REPO / "bplib", src / "bplib",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints"))
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                   "--wheel-dir", str(dest), str(src)]
        subprocess.run(command, check=True)
    wheels = sorted(dest.glob("bplib-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one bplib wheel in {dest}, found {[w.name for w in wheels]}")
    with zipfile.ZipFile(wheels[0]) as zf:
        foreign = [n for n in zf.namelist() if not n.startswith(("bplib/", "bplib-"))]
        notebooks = [n for n in zf.namelist() if n.endswith(".ipynb")]
    if foreign or notebooks:
        raise SystemExit(f"the wheel holds more than the bplib package: {foreign + notebooks}")
    return wheels[0]


def build(out: Path, source: Path = NOTEBOOKS, quiet: bool = True) -> tuple[Path, Path]:
    """Write ``out/NAME/`` and ``out/NAME.zip``; return both paths."""
    out = Path(out).resolve()
    folder = out / NAME
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    student_edition.build(folder / "notebooks", source, quiet=quiet)
    wheel = build_wheel(folder)
    meta = project()
    requirements = [*learner_packages(), f"./{wheel.name}"]
    (folder / "requirements.txt").write_text(
        "# What a learner installs: `pip install -r requirements.txt` in this folder (see README.md).\n"
        + "\n".join(requirements) + "\n", encoding="utf-8")
    python = meta.get("requires-python", ">=3.10").lstrip(">=~ ")
    text = README.read_text(encoding="utf-8").format(wheel=wheel.name, python=python, size=APPROX_INSTALL_MB)
    (folder / "README.md").write_text(text, encoding="utf-8")

    archive = out / f"{NAME}.zip"
    archive.unlink(missing_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, Path(NAME) / path.relative_to(folder))
    return folder, archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=BUILD / "student-pack",
                        help="output folder (default: build/student-pack)")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="notebook folder (default: notebooks/)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        folder, archive = build(args.out, args.notebooks)
    except student_edition.SolutionMarkerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    shown = archive.relative_to(REPO) if archive.is_relative_to(REPO) else archive
    size = archive.stat().st_size / 1e6
    print(f"wrote {folder.name}/ and {shown} ({size:.1f} MB) in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
