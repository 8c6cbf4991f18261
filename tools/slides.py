"""Export the course notebooks as reveal.js slide decks for a 1280x720 projector, offline, without solutions.

    python tools/slides.py                      # writes build/slides/index.html and NN_name.slides.html
    python tools/slides.py --out some/folder

What a deck is made of:

* **the public edition of each notebook**: the student edition's sources (solution regions replaced by
  ``# YOUR CODE HERE`` / ``raise NotImplementedError()``, ``instructor-only`` cells dropped) with the
  instructor edition's stored outputs of every cell that does not depend on an exercise; no
  ``# NBVAL_...`` test-marker line; live widgets shown as a still image of their default state and
  progress bars as their last line (``tools/_editions.py``);
* **slides from the notebook's ``slideshow`` metadata**: ``slide`` and ``subslide`` start a slide (all
  slides in one row, so the arrow keys and the space bar visit every one), ``fragment`` appears on a key
  press, ``skip`` is left out, ``notes`` become speaker notes (key ``s``);
* **pagination**: the heights of text, code, outputs and figures are estimated at 1280x720 and a slide
  that would be taller is continued on the next one ("… (continued)"), keeping a text cell with the figure
  that follows it. In the browser, ``slides.js`` then fits each slide it shows: figures are drawn
  large (up to 1.35x their stored size, so tick labels are readable from the back), and a slide that is
  still too tall puts its figure beside the text and scales the figure (not below 0.8x) and, last, the
  text (not below 0.8x). Every slide's fit is recorded on it (``data-fit``) for the browser test;
* **code**: a cell that draws a figure or is longer than 14 lines is folded (a "code" button opens it);
  exercise cells and short cells are shown. Tags ``slides-show-code`` and ``slides-fold-code`` on a
  cell override this. Long lines wrap instead of being clipped; long printed output shows its first
  lines and says how many more there are;
* **links**: ``NN_name.ipynb`` becomes ``NN_name.slides.html``.

The decks load nothing from the network: reveal.js (and its notes plugin) and MathJax 2 come from the
npm packages pinned in ``tools/package.json`` (``npm ci`` on first use) and are copied next to the decks;
figures are embedded. For live slides in JupyterLab use RISE (``jupyterlab-rise``), which reads the
same metadata from the instructor notebooks.
"""

from __future__ import annotations

import argparse
import base64
import html
import math
import re
import shutil
import struct
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _editions import (BUILD, NOTEBOOKS, REPO, TOOLS, copy_mathjax2, copy_tree, course_notebooks,  # noqa: E402
                       ensure_node_modules, notebook_title, public_notebook, remote_resources)

TEMPLATES = TOOLS / "templates" / "slides"
MATHJAX_URL = "mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"

# Geometry of a slide (CSS pixels of the 1280x720 logical slide; see templates/slides/slides.css).
WIDTH, HEIGHT = 1280, 720
BUDGET = HEIGHT - 2 * 26 - 30          # padding top/bottom, room for the slide number
TEXT_LINE, TEXT_CHARS = 33, 92         # 24px text: line height, characters per line
CODE_LINE, CODE_CHARS = 23, 112        # 17px monospace
OUT_LINE = 22
FIGURE_SCALE = 1.0                     # the scale pagination assumes (slides.js may go larger or smaller)
MAX_FIGURE_HEIGHT = 560
FOLD_LINES = 14                        # longer code cells are folded
OUTPUT_LINES = 12                      # printed output on a slide: first lines, then "N more lines"
SHOW_TAG, FOLD_TAG = "slides-show-code", "slides-fold-code"


# ---------------------------------------------------------------------------------------------------
# Cells to HTML blocks, with an estimated height
# ---------------------------------------------------------------------------------------------------

@dataclass
class Block:
    """One piece of a slide: the HTML, its estimated height (px), whether it is a figure, a fragment."""

    html: str
    height: float
    kind: str                 # "text", "code" or "figure"
    fragment: bool = False
    width: float = 0          # a figure's stored width (px)


@dataclass
class Slide:
    title: str = ""
    level: int = 2
    blocks: list[Block] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def height(self) -> float:
        return (70 if self.title else 0) + sum(b.height for b in self.blocks)


def markdown_html(source: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(source)


def text_height(source: str) -> float:
    """Estimated height of rendered markdown (paragraphs, lists, display maths, tables, code blocks)."""
    height = 0.0
    in_code = in_math = False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            height += 12
            continue
        if in_code:
            height += CODE_LINE * max(1, math.ceil(len(line) / CODE_CHARS))
            continue
        if stripped.startswith("$$"):
            in_math = not in_math if stripped == "$$" else in_math
            height += 58 if stripped != "$$" or not in_math else 0
            continue
        if in_math:
            height += 46 if ("\\\\" in stripped or stripped.startswith("\\begin")) else 0
            continue
        if not stripped:
            height += 12
        elif stripped.startswith("#"):
            height += 54
        elif stripped.startswith("|"):
            height += 38 if not re.match(r"^\|[\s:|-]+\|$", stripped) else 0
        else:
            chars = len(re.sub(r"\$[^$]*\$", "xxxxxx", stripped))
            height += TEXT_LINE * max(1, math.ceil(chars / TEXT_CHARS)) + (6 if stripped[:2] in {"- ", "* "} else 0)
    return height + 10


def png_size(data: str) -> tuple[int, int]:
    raw = base64.b64decode(data[:64] + "=" * (-len(data[:64]) % 4))
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        return 600, 400
    return struct.unpack(">II", raw[16:24])


def highlighted(code: str) -> str:
    from nbconvert.filters.highlight import Highlight2HTML

    return Highlight2HTML(pygments_lexer="ipython3")(code)


def code_height(lines: list[str]) -> float:
    return 20 + CODE_LINE * sum(max(1, math.ceil(len(line) / CODE_CHARS)) for line in lines)


def code_pieces(lines: list[str], limit: float) -> list[list[str]]:
    """Cut code taller than ``limit`` at blank lines (between functions or methods) into pieces that fit."""
    pieces: list[list[str]] = [[]]
    for number, line in enumerate(lines):
        pieces[-1].append(line)
        at_blank = not line.strip() and number + 1 < len(lines)
        if at_blank and code_height(pieces[-1]) > limit / 2:
            rest = lines[number + 1:]
            upto_next = next((k for k, l in enumerate(rest) if not l.strip()), len(rest))
            if code_height(pieces[-1] + rest[:upto_next]) > limit:
                pieces[-1].pop()
                pieces.append([])
    return [piece for piece in pieces if piece]


def code_blocks(cell, folded: bool) -> list[Block]:
    """The cell's code: folded behind a button, or shown (cut into pieces that fit a slide when long)."""
    lines = cell.source.splitlines()
    if folded:
        label = f"code ({len(lines)} line{'s' if len(lines) != 1 else ''})"
        return [Block(f'<details class="code"><summary>{label}</summary>{highlighted(cell.source)}</details>',
                      40, "code")]
    pieces = code_pieces(lines, BUDGET - 90) if code_height(lines) > BUDGET - 90 else [lines]
    return [Block(f'<div class="code">{highlighted(chr(10).join(piece))}</div>', code_height(piece), "code")
            for piece in pieces]


def text_output(text: str) -> Block:
    lines = text.rstrip("\n").splitlines()
    more = len(lines) - OUTPUT_LINES
    if more > 1:
        lines = lines[:OUTPUT_LINES]
    body = html.escape("\n".join(lines))
    height = 18 + OUT_LINE * sum(max(1, math.ceil(len(line) / CODE_CHARS)) for line in lines)
    if more > 1:
        body += f'\n<span class="more">… {more} more lines in the notebook</span>'
        height += OUT_LINE
    return Block(f'<pre class="output">{body}</pre>', height, "text")


def output_blocks(cell) -> list[Block]:
    blocks = []
    for output in cell.outputs:
        kind = output.get("output_type")
        if kind == "stream":
            blocks.append(text_output(output.get("text", "")))
        elif kind in {"display_data", "execute_result"}:
            data = output.get("data", {})
            if "image/png" in data:
                png = data["image/png"]
                png = png if isinstance(png, str) else "".join(png)
                w, h = png_size(png)
                shown = min(h * FIGURE_SCALE, MAX_FIGURE_HEIGHT, h * (WIDTH - 80) / w)
                blocks.append(Block(f'<img class="fig" alt="figure" width="{w}" height="{h}" '
                                    f'src="data:image/png;base64,{png}">', shown + 8, "figure", width=w))
            elif "text/markdown" in data:
                blocks.append(Block(f'<div class="note">{markdown_html(data["text/markdown"])}</div>',
                                    text_height(data["text/markdown"]), "text"))
            elif "text/html" in data:
                blocks.append(Block(f'<div class="output-html">{data["text/html"]}</div>', 200, "text"))
            elif "text/latex" in data:
                blocks.append(Block(f'<div class="output-latex">{html.escape(data["text/latex"])}</div>', 60, "text"))
            elif "text/plain" in data:
                blocks.append(text_output(data["text/plain"]))
        # error outputs: not on a slide (the public edition has none; an instructor run should not either)
    return blocks


def is_folded(cell, blocks: list[Block]) -> bool:
    tags = cell.metadata.get("tags", [])
    if SHOW_TAG in tags:
        return False
    if FOLD_TAG in tags:
        return True
    if "# YOUR CODE HERE" in cell.source:   # an exercise: the code is the point
        return False
    return any(b.kind == "figure" for b in blocks) or len(cell.source.splitlines()) > FOLD_LINES


def markdown_chunks(source: str, rows: int = 8) -> list[str]:
    """``source`` cut at blank lines outside code fences and display maths; a long table is cut into
    tables of ``rows`` rows that repeat the header. Pagination may put a slide break between chunks."""
    chunks: list[list[str]] = [[]]
    fence = math_block = False
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = not fence
        elif stripped == "$$" or (stripped.startswith("$$") and not stripped.endswith("$$")) or (
                math_block and stripped.endswith("$$")):
            math_block = not math_block
        if not stripped and not fence and not math_block:
            if chunks[-1]:
                chunks.append([])
            continue
        chunks[-1].append(line)
    out = []
    for chunk in filter(None, chunks):
        if len(chunk) > rows + 2 and all(line.lstrip().startswith("|") for line in chunk):
            head, body = chunk[:2], chunk[2:]
            out.extend("\n".join(head + body[k:k + rows]) for k in range(0, len(body), rows))
        else:
            out.append("\n".join(chunk))
    return out


def split_title(source: str) -> tuple[str, int, str]:
    """(heading text, level, the rest) when the markdown starts with a ``#``/``##`` heading."""
    lines = source.lstrip("\n").splitlines()
    if lines:
        match = re.match(r"^(#{1,2})\s+(.*)$", lines[0])
        if match:
            return match.group(2).strip(), len(match.group(1)), "\n".join(lines[1:]).strip("\n")
    return "", 0, source


# ---------------------------------------------------------------------------------------------------
# Notebook to slides
# ---------------------------------------------------------------------------------------------------

def notebook_slides(nb: nbformat.NotebookNode) -> list[Slide]:
    """Slides from the ``slideshow`` metadata, then paginated to the height of the screen."""
    slides: list[Slide] = []
    for cell in nb.cells:
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-") or "-"
        if kind == "skip" or not cell.source.strip() and not cell.get("outputs"):
            continue
        if kind == "notes":
            if slides:
                slides[-1].notes.append(markdown_html(cell.source) if cell.cell_type == "markdown"
                                        else f"<pre>{html.escape(cell.source)}</pre>")
            continue
        if kind in {"slide", "subslide"} or not slides:
            slides.append(Slide())
        slide = slides[-1]
        fragment = kind == "fragment"
        if cell.cell_type == "markdown":
            source = cell.source
            if not slide.blocks and not slide.title:
                slide.title, slide.level, source = split_title(source)
            if source.strip():
                whole = text_height(source)
                parts = markdown_chunks(source) if whole > BUDGET / 2 else [source]
                slide.blocks.extend(Block(markdown_html(part), text_height(part), "text", fragment) for part in parts)
        elif cell.cell_type == "code":
            outputs = output_blocks(cell)
            blocks = [*code_blocks(cell, is_folded(cell, outputs)), *outputs]
            for block in blocks:
                block.fragment = fragment
            slide.blocks.extend(blocks)
    return [page for slide in slides for page in paginate(slide)]


TEXT_COLUMN_MIN, GAP, CONTENT_WIDTH = 400, 28, WIDTH - 88


def fits(title: str, blocks: list[Block]) -> bool:
    """Do ``blocks`` fit one slide at full size: one above the other, or the figures beside the text?"""
    head = 70 if title else 0
    figures = [b for b in blocks if b.kind == "figure"]
    text = sum(b.height for b in blocks if b.kind != "figure")
    if head + text + sum(b.height for b in figures) <= BUDGET:
        return True
    if not figures or not text:
        return False
    text_width = CONTENT_WIDTH - GAP - max(b.width for b in figures)
    if text_width < TEXT_COLUMN_MIN:
        return False
    return head + max(text * CONTENT_WIDTH / text_width, sum(b.height for b in figures)) <= BUDGET


def groups(blocks: list[Block]) -> list[list[Block]]:
    """Blocks that belong together: a code block with the figures it draws, and the text just before it."""
    out: list[list[Block]] = []
    index = 0
    while index < len(blocks):
        end = index + 1
        if blocks[index].kind == "text" and end < len(blocks) and blocks[end].kind == "code":
            end += 1
        if blocks[end - 1].kind == "code":
            while end < len(blocks) and blocks[end].kind == "figure":
                end += 1
        if end - index > 1 and not any(b.kind == "figure" for b in blocks[index:end]):
            end = index + 1   # text + code without a figure: no need to keep them together
        out.append(blocks[index:end])
        index = end
    return out


def paginate(slide: Slide) -> list[Slide]:
    """Split a slide that does not fit the screen; keep a figure with its code and the text before it."""
    if fits(slide.title, slide.blocks):
        return [slide]
    pages = [Slide(slide.title, slide.level, notes=slide.notes)]

    def place(group: list[Block]) -> None:
        page = pages[-1]
        if fits(page.title, page.blocks + group) or not page.blocks:
            if page.blocks or fits(page.title, group) or len(group) == 1:
                page.blocks.extend(group)
                return
            for block in group:          # too tall even alone: place its parts one by one
                place([block])
            return
        pages.append(Slide(slide.title + " (continued)" if slide.title else "", slide.level))
        place(group)

    for group in groups(slide.blocks):
        place(group)
    return pages


def slide_html(slide: Slide) -> str:
    parts = []
    if slide.title:
        tag = "h1" if slide.level == 1 else "h2"
        parts.append(f"<{tag} class=\"slide-title\">{markdown_html(slide.title)[3:-5].strip()}</{tag}>")
    for block in slide.blocks:
        classes = f"block {block.kind}" + (" fragment" if block.fragment else "")
        parts.append(f'<div class="{classes}">{block.html}</div>')
    notes = f'<aside class="notes">{"".join(slide.notes)}</aside>' if slide.notes else ""
    title_slide = " title-slide" if slide.level == 1 else ""
    return f'<section class="nb-slide{title_slide}"><div class="slide-body">{"".join(parts)}</div>{notes}</section>'


def deck_html(title: str, slides: list[Slide], previous: str | None, following: str | None) -> str:
    template = (TEMPLATES / "deck.html").read_text(encoding="utf-8")
    nav = []
    if previous:
        nav.append(f'<a href="{previous}">← previous deck</a>')
    nav.append('<a href="index.html">all decks</a>')
    if following:
        nav.append(f'<a href="{following}">next deck →</a>')
    return (template.replace("{{TITLE}}", html.escape(title))
            .replace("{{MATHJAX}}", MATHJAX_URL)
            .replace("{{NAV}}", " · ".join(nav))
            .replace("{{SLIDES}}", "\n".join(slide_html(s) for s in slides)))


# ---------------------------------------------------------------------------------------------------
# The folder
# ---------------------------------------------------------------------------------------------------

def copy_javascript(out: Path) -> None:
    """Put reveal.js (dist, white theme, notes plugin), MathJax 2 and slides.css/slides.js into ``out``."""
    modules = ensure_node_modules()
    reveal = out / "reveal.js"
    if reveal.exists():
        shutil.rmtree(reveal)
    (reveal / "dist" / "theme").mkdir(parents=True)
    for name in ["reveal.js", "reveal.css", "reset.css"]:
        shutil.copy2(modules / "reveal.js" / "dist" / name, reveal / "dist" / name)
    shutil.copy2(modules / "reveal.js" / "dist" / "theme" / "white.css", reveal / "dist" / "theme" / "white.css")
    copy_tree(modules / "reveal.js" / "dist" / "theme" / "fonts", reveal / "dist" / "theme" / "fonts")
    copy_tree(modules / "reveal.js" / "plugin" / "notes", reveal / "plugin" / "notes",
              ignore=shutil.ignore_patterns("*.map", "*.esm.js"))
    shutil.copy2(modules / "reveal.js" / "LICENSE", reveal / "LICENSE")
    copy_mathjax2(out / "mathjax")
    for name in ["slides.css", "slides.js"]:
        shutil.copy2(TEMPLATES / name, out / name)
    from pygments.formatters import HtmlFormatter

    (out / "pygments.css").write_text(HtmlFormatter(style="default").get_style_defs(".highlight"), encoding="utf-8")


def write_index(decks: list[tuple[str, str]], out: Path) -> Path:
    """A plain page linking every deck in course order."""
    items = "\n".join(f'    <li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in decks)
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Backprop from Scratch · slides</title>
<style>
  body {{ font-family: system-ui, sans-serif; max-width: 44rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }}
  li {{ margin: 0.3rem 0; }}
  @media (prefers-color-scheme: dark) {{ body {{ background: #111; color: #ddd; }} a {{ color: #8cf; }} }}
</style>
</head>
<body>
<h1>Backprop from Scratch · slides</h1>
<p>One deck per notebook, made for a 1280x720 screen. Arrow keys or space move on (every slide is in one row);
<kbd>Esc</kbd> shows the overview; <kbd>s</kbd> opens the speaker view; a <em>code</em> button unfolds the
code of a figure. The decks show no exercise solutions. Everything is in this folder: no network needed.</p>
<ol start="0">
{items}
</ol>
</body>
</html>
"""
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    return index


def build(out: Path, source: Path = NOTEBOOKS, quiet: bool = True) -> list[Path]:
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.slides.html"):
        stale.unlink()
    copy_javascript(out)
    paths = course_notebooks(source)
    hrefs = [f"{p.stem}.slides.html" for p in paths]
    decks = []
    for number, path in enumerate(paths):
        nb = public_notebook(nbformat.read(path, as_version=4), path.name, link_suffix=".slides.html")
        title = notebook_title(nb, path.stem)
        slides = notebook_slides(nb)
        page = deck_html(title, slides, hrefs[number - 1] if number else None,
                         hrefs[number + 1] if number + 1 < len(hrefs) else None)
        (out / hrefs[number]).write_text(page, encoding="utf-8")
        decks.append((hrefs[number], title))
        if not quiet:
            print(f"{hrefs[number]}: {len(slides)} slides")
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
    parser.add_argument("--verbose", action="store_true", help="print the number of slides of each deck")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    written = build(args.out, args.notebooks, quiet=not args.verbose)
    where = args.out.resolve()
    shown = where.relative_to(REPO) if where.is_relative_to(REPO) else where
    print(f"wrote {len(written)} deck(s) to {shown}/ in {time.perf_counter() - start:.0f} s; open {shown}/index.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
