"""Build the whole course as a static HTML website, offline, from the notebooks' stored outputs.

    python tools/site.py                   # the public site: build/site/index.html, one page per notebook
    python tools/site.py --instructor      # with the solutions: build/site-instructor/ (not for publishing)
    python tools/site.py --out some/folder

Sphinx with myst-nb (``nb_execution_mode = "off"``: nothing is executed, the committed outputs are
shown) and the Furo theme; the configuration is ``site/conf.py`` (with ``site/_static/course.css``
and ``course.js``) and the start page ``site/index.md``. The pages show the public edition of each
notebook (``tools/_editions.py``): the student edition's code (no solution; the exercise cells and the
cells that depend on them show no output) with the stored outputs of everything else, no ``# NBVAL_...``
test-marker line, interactive widgets as a still image of their default state with a note saying so, and
progress bars as their last line. ``--instructor`` keeps the solutions and their outputs and says so in
the title of every page. The notebooks are staged in a temporary source folder together with ``site/``
and a copy of MathJax 3 from the npm package pinned in ``tools/package.json`` (served from
``_static/mathjax``, so formulas render without a network), and the table of contents is written in
course order (``00_…``, ``01_…``, …).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _editions import (BUILD, NOTEBOOKS, REPO, copy_mathjax3, course_notebooks,  # noqa: E402
                       public_notebook, remote_resources)

SITE = REPO / "site"
MARKER = "<!-- NOTEBOOKS"


INSTRUCTOR_BANNER = ("```{admonition} Instructor edition\n:class: warning\nThis page shows the exercise "
                     "solutions. Do not publish it; the public site is built without `--instructor`.\n```\n")


def stage(source: Path, staging: Path, instructor: bool = False) -> list[Path]:
    """Fill ``staging`` with site/, the public (or instructor) notebooks, MathJax and the table of contents."""
    shutil.copytree(SITE, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    notebooks = course_notebooks(source)
    entries = []
    for path in notebooks:
        nb = public_notebook(nbformat.read(path, as_version=4), path.name, link_suffix=".ipynb",
                             instructor=instructor)
        if instructor:
            nb.cells.insert(1, nbformat.v4.new_markdown_cell(INSTRUCTOR_BANNER))
        nbformat.write(nb, staging / path.name)
        entries.append(path.stem)
    copy_mathjax3(staging / "_static" / "mathjax")

    index = staging / "index.md"
    text = index.read_text(encoding="utf-8")
    toctree = "```{toctree}\n:maxdepth: 1\n:caption: Notebooks\n\n" + "\n".join(entries) + "\n```\n"
    head, _, _ = text.partition(MARKER)
    if instructor:
        head = head.replace("# Backprop from Scratch", "# Backprop from Scratch · instructor edition", 1)
        head += "\n" + INSTRUCTOR_BANNER + "\n"
    index.write_text(head + toctree, encoding="utf-8")
    if instructor:
        conf = staging / "conf.py"
        conf.write_text(conf.read_text(encoding="utf-8")
                        + '\nhtml_title = "Backprop from Scratch · INSTRUCTOR edition (solutions)"\n', encoding="utf-8")
    return notebooks


def build(out: Path, source: Path = NOTEBOOKS, quiet: bool = True, instructor: bool = False) -> Path:
    out = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="bp-site-") as tmp:
        staging = Path(tmp) / "src"
        staging.mkdir()
        stage(source, staging, instructor)
        # Sphinx writes into the temporary folder (myst-nb puts a jupyter_execute/ folder next to its
        # output folder), then the HTML is moved to ``out``.
        html_dir = Path(tmp) / "html"
        command = [sys.executable, "-m", "sphinx", "-b", "html", "-d", str(Path(tmp) / "doctrees"),
                   "--keep-going", str(staging), str(html_dir)]
        if quiet:
            command.insert(3, "-q")
        subprocess.run(command, check=True)
        (html_dir / ".buildinfo").unlink(missing_ok=True)
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(html_dir, out)

    problems = {}
    for page in out.glob("*.html"):
        found = remote_resources(page.read_text(encoding="utf-8"))
        if found:
            problems[page.name] = found
    if problems:
        raise SystemExit(f"these pages would load something from the network: {problems}")
    return out / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: build/site, or build/site-instructor with --instructor)")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="notebook folder (default: notebooks/)")
    parser.add_argument("--instructor", action="store_true",
                        help="keep the exercise solutions (a site for teachers, never to publish)")
    parser.add_argument("--verbose", action="store_true", help="show sphinx-build's progress")
    args = parser.parse_args(argv)
    out = args.out or BUILD / ("site-instructor" if args.instructor else "site")
    start = time.perf_counter()
    index = build(out, args.notebooks, quiet=not args.verbose, instructor=args.instructor)
    shown = index.relative_to(REPO) if index.is_relative_to(REPO) else index
    print(f"built the site in {time.perf_counter() - start:.0f} s; open {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
