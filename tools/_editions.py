"""What the edition builders in tools/ share: where things are, the course order, and the offline JavaScript.

The three editions (``student_edition.py``, ``slides.py``, ``site.py``) are built from the committed
notebooks in ``notebooks/`` (the instructor edition, executed, with outputs). This module is imported by
those scripts (``python tools/<script>.py`` puts ``tools/`` on ``sys.path``) and by the tests.
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path

import nbformat

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
NOTEBOOKS = REPO / "notebooks"
BUILD = REPO / "build"
NODE_MODULES = TOOLS / "node_modules"

#: A course notebook is named ``NN_name.ipynb``; its two digits give the course order.
NOTEBOOK_NAME = re.compile(r"^\d\d_[A-Za-z0-9_]+\.ipynb$")

#: The mime type of a live ipywidgets view; a static page can only show a placeholder for it.
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ("*Interactive widget*: run this notebook in JupyterLab to move its sliders.  \n"
               "The next cell draws the same figure with the default settings.")


def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The course notebooks of ``folder`` in course order (``00_…``, ``01_…``, …)."""
    return sorted(p for p in Path(folder).iterdir() if NOTEBOOK_NAME.match(p.name))


def notebook_title(nb: nbformat.NotebookNode, fallback: str) -> str:
    """The text of the first level-1 heading (``# 04 · Gradient descent …``), or ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return fallback


def static_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` for a static page (slides, site): live widgets become a short note.

    A saved widget state would need the ipywidgets HTML manager (from a CDN) and would show sliders that
    move nothing, so the state is dropped and each widget view output is replaced by a plain-text note.
    Every widget cell of the course is followed by a compared cell that draws the same figure, so no
    figure is lost.
    """
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                output["data"] = {"text/markdown": WIDGET_NOTE,
                                  "text/plain": WIDGET_NOTE.replace("*", "").replace("  \n", "\n")}
                output.get("metadata", {}).pop(WIDGET_VIEW, None)
    return nb


def ensure_node_modules() -> Path:
    """Make sure the npm packages of ``tools/package.json`` are installed (``npm ci`` from the lock file)."""
    wanted = ["reveal.js", "requirejs", "jquery", "mathjax", "mathjax2"]
    if all((NODE_MODULES / name / "package.json").is_file() for name in wanted):
        return NODE_MODULES
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed once to fetch reveal.js, require.js, jQuery and MathJax "
                         "(tools/package.json); install Node.js and npm, then run this command again.")
    print("installing the JavaScript packages of tools/package.json (npm ci) ...", flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOLS, check=True)
    return NODE_MODULES


def copy_tree(src: Path, dst: Path, ignore=None) -> None:
    """Copy a directory, replacing ``dst`` if it exists."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=ignore)


def copy_mathjax2(dst: Path) -> Path:
    """Copy the parts of MathJax 2.7 that nbconvert's configuration ``TeX-AMS_CHTML-full,Safe`` loads.

    Left out: the unpacked sources, tests, other output processors than CommonHTML, and every font but
    TeX's web fonts (about 12 MB instead of 73 MB).
    """
    src = ensure_node_modules() / "mathjax2"
    if dst.exists():
        shutil.rmtree(dst)
    dst.mkdir(parents=True)
    shutil.copy2(src / "MathJax.js", dst / "MathJax.js")
    for sub in ["config", "extensions", "localization", "jax/element", "jax/input", "jax/output/CommonHTML",
                "fonts/HTML-CSS/TeX/woff"]:
        shutil.copytree(src / sub, dst / sub)
    return dst


def copy_mathjax3(dst: Path) -> Path:
    """Copy MathJax 3 (es5 build): the combined ``tex-chtml.js`` (what site/conf.py loads), the components
    it may load later (TeX extensions, menu, accessibility) and its CommonHTML fonts; about 6 MB."""
    src = ensure_node_modules() / "mathjax" / "es5"
    copy_tree(src, dst, ignore=shutil.ignore_patterns("sre", "svg", "*.js.map"))
    for bundle in dst.glob("*.js"):  # other combined bundles: not loaded
        if bundle.name != "tex-chtml.js":
            bundle.unlink()
    return dst


# ---------------------------------------------------------------------------------------------------
# Offline check: what a page would fetch from the network
# ---------------------------------------------------------------------------------------------------

_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
_QUOTED_URL = re.compile(r"""["'`](?:https?:)?//[^"'`\s]+""", re.IGNORECASE)
_CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)


def remote_resources(html: str) -> list[str]:
    """Everything a page would load from another host: script, style sheet, image, frame and font URLs.

    Looks at ``src``/``href`` of ``script``, ``link``, ``img``, ``iframe``, ``source``, ``embed`` and
    ``object``, at quoted URLs inside inline scripts (a loader building a ``<script>`` at run time) and
    at ``url(...)``/``@import`` in inline styles. Plain hyperlinks (``<a href>``) are not resources.
    """
    from html.parser import HTMLParser

    found: list[str] = []

    class Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.in_tag: str | None = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            for name in ("src", "href", "data", "srcset"):
                value = attrs.get(name)
                if value and tag in {"script", "link", "img", "iframe", "source", "embed", "object", "audio",
                                     "video"} and _REMOTE.match(value):
                    found.append(f"<{tag} {name}={value}>")
            style = attrs.get("style")
            if style:
                found.extend(f"style attribute: {m}" for m in _CSS_URL.findall(style))
            self.in_tag = tag if tag in {"script", "style"} else None

        def handle_endtag(self, tag):
            self.in_tag = None

        def handle_data(self, data):
            if self.in_tag == "script":
                # Mime bundles (application/json, widget state) are data, not code; skip obvious non-code.
                found.extend(f"inline script: {m}" for m in _QUOTED_URL.findall(data))
            elif self.in_tag == "style":
                found.extend(f"inline style: {m}" for m in _CSS_URL.findall(data))

    Parser().feed(html)
    return found
