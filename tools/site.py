"""Build the whole course as a static HTML website, offline, from the notebooks' stored outputs.

    python tools/site.py                   # writes build/site/index.html and one page per notebook
    python tools/site.py --out some/folder

Sphinx with myst-nb (``nb_execution_mode = "off"``: nothing is executed, the committed outputs are
shown) and sphinx-book-theme; the configuration is ``site/conf.py`` and the start page ``site/index.md``.
The notebooks are staged in a temporary source folder together with ``site/`` and a copy of MathJax 3
from the npm package pinned in ``tools/package.json`` (served from ``_static/mathjax``, so formulas render
without a network), and the table of contents is written in course order (``00_…``, ``01_…``, …). Live
widgets cannot run in a static page: each widget output becomes a short note (the next cell of every
widget draws the same figure).
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
                       remote_resources, static_copy)

SITE = REPO / "site"
MARKER = "<!-- NOTEBOOKS"


def stage(source: Path, staging: Path) -> list[Path]:
    """Fill ``staging`` with site/, the static copies of the notebooks, MathJax and the table of contents."""
    shutil.copytree(SITE, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    notebooks = course_notebooks(source)
    entries = []
    for path in notebooks:
        nb = static_copy(nbformat.read(path, as_version=4))
        nbformat.write(nb, staging / path.name)
        entries.append(path.stem)
    copy_mathjax3(staging / "_static" / "mathjax")

    index = staging / "index.md"
    text = index.read_text(encoding="utf-8")
    toctree = "```{toctree}\n:maxdepth: 1\n:caption: Notebooks\n\n" + "\n".join(entries) + "\n```\n"
    head, _, _ = text.partition(MARKER)
    index.write_text(head + toctree, encoding="utf-8")
    return notebooks


def build(out: Path, source: Path = NOTEBOOKS, quiet: bool = True) -> Path:
    out = Path(out).resolve()
    with tempfile.TemporaryDirectory(prefix="bp-site-") as tmp:
        staging = Path(tmp) / "src"
        staging.mkdir()
        stage(source, staging)
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
    parser.add_argument("--out", type=Path, default=BUILD / "site", help="output folder (default: build/site)")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="notebook folder (default: notebooks/)")
    parser.add_argument("--verbose", action="store_true", help="show sphinx-build's progress")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    index = build(args.out, args.notebooks, quiet=not args.verbose)
    shown = index.relative_to(REPO) if index.is_relative_to(REPO) else index
    print(f"built the site in {time.perf_counter() - start:.0f} s; open {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
