"""Export the course notebooks as static reveal.js slide decks that work offline.

    python tools/slides.py                      # writes build/slides/index.html and NN_name.slides.html
    python tools/slides.py --out some/folder

Each notebook becomes one deck with ``jupyter nbconvert --to slides``; its cells' ``slideshow.slide_type``
metadata decides what is a slide, a sub-slide, a fragment or skipped. The decks load nothing from the
network: reveal.js (with its notes plugin), require.js, jQuery and MathJax 2 come from the npm packages
pinned in ``tools/package.json`` (installed with ``npm ci`` on first use), are copied next to the
decks and referenced by relative paths; figures are embedded in the HTML. Live widgets cannot run in a
static page, so each widget output becomes a short note (the next cell of every widget draws the same
figure). Open ``index.html`` in a browser; the folder can be copied to a USB stick or a web server.
For live slides inside JupyterLab use RISE (``jupyterlab-rise``, in requirements.txt).
"""

from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _editions import (BUILD, NOTEBOOKS, REPO, TOOLS, copy_mathjax2, copy_tree, course_notebooks,  # noqa: E402
                       ensure_node_modules, notebook_title, remote_resources, static_copy)

MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"
THEME = "white"   # its fonts are bundled with reveal.js (most other themes load Google Fonts)


def copy_javascript(out: Path) -> None:
    """Put reveal.js (dist + plugins), require.js, jQuery and MathJax 2 into ``out``."""
    modules = ensure_node_modules()
    reveal = out / "reveal.js"
    reveal.mkdir(parents=True, exist_ok=True)
    for sub in ["dist", "plugin"]:
        copy_tree(modules / "reveal.js" / sub, reveal / sub, ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
    for theme in (reveal / "dist" / "theme").glob("*.css"):  # the other themes import fonts from Google
        if theme.name != f"{THEME}.css":
            theme.unlink()
    shutil.copy2(modules / "reveal.js" / "LICENSE", reveal / "LICENSE")
    shutil.copy2(modules / "requirejs" / "require.js", out / "require.js")
    shutil.copy2(modules / "jquery" / "dist" / "jquery.min.js", out / "jquery.min.js")
    copy_mathjax2(out / "mathjax")


def nbconvert_slides(notebooks: list[Path], out: Path) -> None:
    """Run ``jupyter nbconvert --to slides`` once for all notebooks, with the offline template and URLs."""
    command = [
        sys.executable, "-m", "jupyter", "nbconvert", "--to", "slides",
        f"--TemplateExporter.extra_template_basedirs={TOOLS / 'templates'}",
        "--template=reveal_offline",
        "--SlidesExporter.reveal_url_prefix=reveal.js",
        f"--SlidesExporter.reveal_theme={THEME}",
        "--SlidesExporter.reveal_transition=none",
        "--SlidesExporter.reveal_scroll=True",
        "--SlidesExporter.reveal_number=c/t",
        "--SlidesExporter.require_js_url=require.js",
        "--SlidesExporter.jquery_url=jquery.min.js",
        f"--SlidesExporter.mathjax_url={MATHJAX_URL}",
        "--SlidesExporter.exclude_input_prompt=True",
        "--SlidesExporter.exclude_output_prompt=True",
        "--output-dir", str(out),
        *map(str, notebooks),
    ]
    subprocess.run(command, check=True)


def write_index(decks: list[tuple[str, str]], out: Path) -> Path:
    """A plain page linking every deck in course order."""
    items = "\n".join(f'    <li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in decks)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Backprop from Scratch · slides</title>
<style>
  body {{ font-family: system-ui, sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }}
  li {{ margin: 0.3rem 0; }}
</style>
</head>
<body>
<h1>Backprop from Scratch · slides</h1>
<p>One deck per notebook. Arrow keys or space move on; <kbd>Esc</kbd> shows the overview; <kbd>s</kbd> opens
the speaker view. Everything is in this folder: no network needed.</p>
<ol start="0">
{items}
</ol>
</body>
</html>
"""
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def build(out: Path, source: Path = NOTEBOOKS) -> list[Path]:
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.slides.html"):
        stale.unlink()
    copy_javascript(out)
    notebooks = course_notebooks(source)
    decks = []
    with tempfile.TemporaryDirectory(prefix="bp-slides-") as tmp:
        staged = []
        for path in notebooks:
            nb = static_copy(nbformat.read(path, as_version=4))
            target = Path(tmp) / path.name
            nbformat.write(nb, target)
            staged.append(target)
            decks.append((f"{path.stem}.slides.html", notebook_title(nb, path.stem)))
        nbconvert_slides(staged, out)
    written = [out / href for href, _ in decks]
    problems = {p.name: remote_resources(p.read_text(encoding="utf-8")) for p in written}
    problems = {name: found for name, found in problems.items() if found}
    if problems:
        raise SystemExit(f"these decks would load something from the network: {problems}")
    write_index(decks, out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=BUILD / "slides", help="output folder (default: build/slides)")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="notebook folder (default: notebooks/)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    written = build(args.out, args.notebooks)
    where = args.out.resolve()
    shown = where.relative_to(REPO) if where.is_relative_to(REPO) else where
    print(f"wrote {len(written)} deck(s) to {shown}/ in {time.perf_counter() - start:.0f} s; open {shown}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
