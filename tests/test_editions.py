"""The static editions: slides (tools/slides.py) and the website (tools/site.py) build offline and publish
no solution.

Both are built into a temporary folder from the committed notebooks. Checked: one page per course
notebook, in course order; no page loads anything from another host (scripts, style sheets, images,
fonts, loaders in inline scripts); the JavaScript they need (reveal.js, MathJax) is in the output folder;
no solution line of the instructor edition and no ``NBVAL`` test marker is in a deck or a public page
(the instructor site keeps the solutions and says so); links between decks lead to decks; widgets
become a still image with a note, progress bars their last line. The JavaScript comes from the npm
packages of tools/package.json (``npm ci`` on first use), so these tests need npm once. How the decks
and the site look in a browser (slide heights, the menu) is tested in tests/test_browser.py.
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


def build(tool: str, out: Path, *extra: str) -> subprocess.CompletedProcess:
    need_npm()
    result = subprocess.run([sys.executable, str(TOOLS / tool), "--out", str(out), *extra], capture_output=True,
                            text=True, timeout=600, cwd=REPO)
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


def solution_lines() -> dict[str, set[str]]:
    """Per notebook: the lines (>= 6 characters) inside solution regions that appear nowhere else in it."""
    import nbformat

    begin, end = re.compile(r"^\s*### BEGIN SOLUTION\s*$"), re.compile(r"^\s*### END SOLUTION\s*$")
    secrets = {}
    for stem in NOTEBOOKS:
        nb = nbformat.read(REPO / "notebooks" / f"{stem}.ipynb", as_version=4)
        inside, public, solution = False, set(), set()
        for cell in nb.cells:
            for line in cell.source.splitlines():
                if cell.cell_type == "code" and begin.match(line):
                    inside = True
                elif inside and end.match(line):
                    inside = False
                else:
                    (solution if inside else public).add(line.strip())
            if cell.cell_type == "code" and not begin.search(cell.source):
                # printed text of a cell without a solution (07 prints the suspects' code, whose lines
                # the fixes share) is public in any edition
                for output in cell.outputs:
                    text = output.get("text", "") or output.get("data", {}).get("text/plain", "")
                    public.update(line.strip() for line in str(text).splitlines())
        secrets[stem] = {line for line in solution - public if len(line) >= 6}
    return secrets


def visible_text(page: str) -> str:
    """The text of an HTML page as a reader sees it (tags dropped, entities decoded)."""
    import html as html_module

    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    return html_module.unescape(re.sub(r"<[^>]+>", "", page))


def test_slides_and_site_show_no_solution_and_no_test_marker(slides, site):
    secrets = solution_lines()
    assert any(secrets.values()), "no solution lines found: are there no exercises any more?"
    for stem in NOTEBOOKS:
        for page in [slides / f"{stem}.slides.html", site / f"{stem}.html"]:
            text = visible_text(page.read_text(encoding="utf-8"))
            lines = {line.strip() for line in text.splitlines()}
            leaked = sorted(secrets[stem] & lines)
            assert not leaked, f"{page.name} shows solution lines: {leaked[:5]}"
            assert "NBVAL" not in text, f"{page.name} shows a # NBVAL_ test marker"
            code = visible_text(" ".join(re.findall(r'<div class="[^"]*highlight[^"]*">.*?</div>',
                                                    page.read_text(encoding="utf-8"), flags=re.DOTALL)))
            assert "### BEGIN SOLUTION" not in code, f"{page.name}: a solution region in a code block"


def test_instructor_site_keeps_solutions_and_says_so(tmp_path):
    out = tmp_path / "site-instructor"
    build("site.py", out, "--instructor")
    secrets = solution_lines()
    stem = next(s for s in NOTEBOOKS if secrets[s])
    text = visible_text((out / f"{stem}.html").read_text(encoding="utf-8"))
    assert secrets[stem] & {line.strip() for line in text.splitlines()}, "the instructor build lost the solutions"
    assert "Instructor edition" in text and "INSTRUCTOR edition" in text
    assert "NBVAL" not in text


def test_deck_links_lead_to_decks(slides):
    for deck in slides.glob("*.slides.html"):
        page = deck.read_text(encoding="utf-8")
        assert ".ipynb" not in "".join(re.findall(r'href="([^"]+)"', page)), f"{deck.name} links a notebook file"
        for href in re.findall(r'<a [^>]*href="([^"#?]+)', page):
            if not re.match(r"^[a-z]+:", href):
                assert (slides / href).is_file(), f"{deck.name} links {href}, which is not in the slides folder"
    decks = sorted(slides.glob("*.slides.html"))
    for before, after in zip(decks, decks[1:]):
        assert f'href="{after.name}"' in before.read_text(encoding="utf-8"), f"{before.name} has no link to the next deck"


def test_widgets_are_still_images_and_progress_bars_final_lines(slides, site):
    import nbformat

    widget_decks = []
    for stem in NOTEBOOKS:
        nb = nbformat.read(REPO / "notebooks" / f"{stem}.ipynb", as_version=4)
        views = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                 if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        if not views:
            continue
        widget_decks.append(stem)
        bars = [o for o in views if "it/s]" in str(o.get("data", {}).get("text/plain", ""))]
        sliders = len(views) - len(bars)
        for page in [site / f"{stem}.html", slides / f"{stem}.slides.html"]:
            text = visible_text(page.read_text(encoding="utf-8"))
            if sliders:
                assert text.count("still image of its default state") >= sliders, page.name
            if bars:
                assert len(re.findall(r"100%\|█{10}\|", text)) >= len(bars), f"{page.name}: progress bars' last lines"
                assert "0%|" not in text.replace("100%|", ""), f"{page.name}: a progress bar's first line"
    assert widget_decks, "no widget in any notebook: nothing was tested"


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
    for needed in ["reveal.js/dist/reveal.js", "reveal.js/plugin/notes/notes.js", "slides.js", "slides.css",
                   "mathjax/MathJax.js", "mathjax/config/TeX-AMS_CHTML-full.js",
                   "mathjax/jax/output/CommonHTML/jax.js"]:
        assert (slides / needed).is_file(), needed


def test_slides_follow_slide_metadata(slides):
    """Each slide/subslide of the notebooks' metadata starts a slide; fragments stay fragments."""
    import nbformat

    for stem in NOTEBOOKS:
        nb = nbformat.read(REPO / "notebooks" / f"{stem}.ipynb", as_version=4)
        starts = sum(c.metadata.get("slideshow", {}).get("slide_type") in {"slide", "subslide"} for c in nb.cells)
        fragments = sum(c.metadata.get("slideshow", {}).get("slide_type") == "fragment" for c in nb.cells)
        html = (slides / f"{stem}.slides.html").read_text(encoding="utf-8")
        sections = html.count('<section class="nb-slide')
        assert sections >= starts, f"{stem}: {sections} slides for {starts} slide starts in the metadata"
        if fragments:
            assert " fragment" in html, f"{stem}: fragments lost"


def test_slides_fold_figure_code_and_show_exercise_code(slides):
    html = (slides / "04_gradient_descent_and_learning_rate.slides.html").read_text(encoding="utf-8")
    assert html.count('<details class="code">') >= 3, "the code of figures is folded"
    with_stub = [p for p in slides.glob("*.slides.html") if "YOUR CODE HERE" in p.read_text(encoding="utf-8")]
    assert with_stub, "exercise cells (with the stub) are shown"
    for deck in with_stub:
        for block in re.findall(r'<details class="code">.*?</details>', deck.read_text(encoding="utf-8"), re.DOTALL):
            assert "YOUR CODE HERE" not in block, f"{deck.name}: an exercise's code is folded"


def test_rise_is_installed_for_live_slides():
    """Live slides in JupyterLab: the RISE extension is installed and every cell's slide type is one RISE knows."""
    import nbformat

    try:
        import jupyterlab_rise  # noqa: F401
    except ImportError:
        pytest.skip("jupyterlab-rise is not installed (pip install jupyterlab-rise)")
    known = {"slide", "subslide", "fragment", "skip", "notes", "-"}
    for stem in NOTEBOOKS:
        nb = nbformat.read(REPO / "notebooks" / f"{stem}.ipynb", as_version=4)
        kinds = {c.metadata.get("slideshow", {}).get("slide_type", "-") for c in nb.cells}
        assert kinds <= known, f"{stem}: unknown slide types {kinds - known}"
        assert nb.cells[0].metadata.get("slideshow", {}).get("slide_type") == "slide", f"{stem}: first cell"


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
