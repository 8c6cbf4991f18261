"""The static editions: slides (tools/slides.py) and the website (tools/site.py) build offline.

Both are built into a temporary folder from the committed notebooks. Checked: one page per course
notebook, in course order; no page loads anything from another host (scripts, style sheets, images,
fonts, loaders in inline scripts); the JavaScript they need (reveal.js, require.js, jQuery, MathJax) is
in the output folder. The JavaScript comes from the npm packages of tools/package.json (``npm ci`` on
first use), so these tests need npm once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TOOLS = REPO / "tools"
NAME = re.compile(r"^\d\d_[A-Za-z0-9_]+\.ipynb$")
NOTEBOOKS = sorted(p.stem for p in (REPO / "notebooks").iterdir() if NAME.match(p.name))


def remote_resources(html: str) -> list[str]:
    sys.path.insert(0, str(TOOLS))
    from _editions import remote_resources as find

    return find(html)


def remote_css(folder: Path) -> list[str]:
    """``@import``/``url()`` of another host in any style sheet of ``folder``."""
    pattern = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)
    found = []
    for css in folder.rglob("*.css"):
        text = re.sub(r"/\*.*?\*/", "", css.read_text(encoding="utf-8", errors="replace"), flags=re.DOTALL)
        found += [f"{css.relative_to(folder)}: {m}" for m in pattern.findall(text)]
    return found


def need_npm() -> None:
    modules = TOOLS / "node_modules"
    if not (modules / "reveal.js").is_dir() and shutil.which("npm") is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("npm is needed once to install tools/package.json (CI=true: not skipped)")
        pytest.skip("npm is needed once to install the JavaScript of tools/package.json")


def build(tool: str, out: Path) -> subprocess.CompletedProcess:
    need_npm()
    result = subprocess.run([sys.executable, str(TOOLS / tool), "--out", str(out)], capture_output=True, text=True,
                            timeout=600, cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def slides(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    build("slides.py", out)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "site"
    build("site.py", out)
    return out


def test_slides_one_deck_per_notebook_in_course_order(slides):
    decks = sorted(p.name for p in slides.glob("*.slides.html"))
    assert decks == [f"{stem}.slides.html" for stem in NOTEBOOKS]
    index = (slides / "index.html").read_text(encoding="utf-8")
    positions = [index.index(f'href="{stem}.slides.html"') for stem in NOTEBOOKS]
    assert positions == sorted(positions), "the index lists the decks in course order"


def test_slides_work_offline(slides):
    for deck in slides.glob("*.slides.html"):
        html = deck.read_text(encoding="utf-8")
        assert remote_resources(html) == [], deck.name
        for url in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html):
            local = slides / url.split("?")[0]
            assert local.is_file(), f"{deck.name} refers to {url}, which is not in the output folder"
        assert "reveal.js/dist/reveal.js" in html and "mathjax/MathJax.js" in html
        assert "application/vnd.jupyter.widget-view+json" not in html, "a live widget needs a CDN manager"
    assert remote_css(slides) == []
    for needed in ["reveal.js/dist/reveal.js", "reveal.js/plugin/notes/notes.js", "require.js", "jquery.min.js",
                   "mathjax/MathJax.js", "mathjax/config/TeX-AMS_CHTML-full.js",
                   "mathjax/jax/output/CommonHTML/jax.js"]:
        assert (slides / needed).is_file(), needed


def test_slides_follow_slide_metadata(slides):
    """Fragments and sub-slides of the notebooks' slideshow metadata reach the decks."""
    html = "".join(p.read_text(encoding="utf-8") for p in slides.glob("*.slides.html"))
    assert html.count('class="fragment"') > 0
    assert html.count("<section") > 2 * len(NOTEBOOKS)


def test_site_has_every_notebook_in_course_order(site):
    for stem in NOTEBOOKS:
        assert (site / f"{stem}.html").is_file(), stem
    index = (site / "index.html").read_text(encoding="utf-8")
    positions = [index.index(f'href="{stem}.html"') for stem in NOTEBOOKS]
    assert positions == sorted(positions), "the table of contents is in course order"


def test_site_works_offline_with_math_and_figures(site):
    pages = [site / "index.html", *(site / f"{stem}.html" for stem in NOTEBOOKS)]
    for page in pages:
        assert remote_resources(page.read_text(encoding="utf-8")) == [], page.name
    assert remote_css(site / "_static") == []
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    math_pages = [p for p in pages if 'class="math' in p.read_text(encoding="utf-8")]
    assert len(math_pages) >= len(NOTEBOOKS) // 2, "formulas are rendered by MathJax on most pages"
    for page in math_pages:
        assert "_static/mathjax/tex-chtml.js" in page.read_text(encoding="utf-8"), page.name
    figures = list((site / "_images").glob("*.png"))
    assert len(figures) >= len(NOTEBOOKS), "the stored figures are on the pages"
