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

#: The mime types of a live ipywidgets view and of the widget state a notebook saves.
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

#: A comment line that only steers the tests (``# NBVAL_IGNORE_OUTPUT``, ``# NBVAL_SKIP``, ...).
TEST_MARKER = re.compile(r"^[ \t]*#[ \t]*NBVAL_[A-Z_]+\b.*$")

#: A relative link to a course notebook in markdown or HTML: ``(05_vectorised_layers.ipynb#anchor)``.
NOTEBOOK_LINK = re.compile(r"(?P<open>\(|href=[\"'])(?P<stem>\d\d_[A-Za-z0-9_]+)\.ipynb(?P<rest>#[^)\"'\s]*)?")


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


def strip_test_markers(source: str) -> str:
    """``source`` without the comment lines that only steer the tests (``# NBVAL_...``)."""
    return "\n".join(line for line in source.splitlines() if not TEST_MARKER.match(line))


def rewrite_notebook_links(source: str, suffix: str) -> str:
    """Point links to course notebooks (``05_x.ipynb#a``) at their page in an edition (``05_x`` + ``suffix``)."""
    return NOTEBOOK_LINK.sub(lambda m: f"{m['open']}{m['stem']}{suffix}{m['rest'] or ''}", source)


# ---------------------------------------------------------------------------------------------------
# Live widgets on a static page
# ---------------------------------------------------------------------------------------------------

def _widget_states(nb: nbformat.NotebookNode) -> dict:
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _model(states: dict, ref: str) -> dict | None:
    entry = states.get(str(ref).removeprefix("IPY_MODEL_"))
    return entry if isinstance(entry, dict) else None


def _html_text(value: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", value)).replace("\u2007", " ")


def progress_line(states: dict, model: dict) -> str | None:
    """The text tqdm shows for a progress-bar widget (an HBox of label, bar, counts), at its last update.

    ``epoch 1/5: 100%|██████████| 469/469 [00:01<00:00, 473.49it/s, loss=0.1075]``; ``None`` if
    ``model`` is no progress bar.
    """
    if model.get("model_name") != "HBoxModel":
        return None
    children = [_model(states, ref) for ref in model["state"].get("children", [])]
    if not children or any(child is None for child in children):
        return None
    bars = [c for c in children if c["model_name"] in {"FloatProgressModel", "IntProgressModel"}]
    if len(bars) != 1:
        return None
    parts = []
    for child in children:
        state = child["state"]
        if child is bars[0]:
            low, high = float(state.get("min", 0)), float(state.get("max", 1))
            done = 0.0 if high <= low else (float(state.get("value", 0)) - low) / (high - low)
            full = int(round(10 * min(max(done, 0.0), 1.0)))
            parts.append("|" + "█" * full + " " * (10 - full) + "|")
        elif child["model_name"] in {"HTMLModel", "LabelModel"}:
            parts.append(_html_text(str(state.get("value", ""))))
    return "".join(parts).strip()


def _control_value(model: dict) -> str | None:
    """``description = value`` of a slider, dropdown, checkbox, ...; ``None`` for other models."""
    state = model["state"]
    name = str(state.get("description", "")).strip()
    if not name:
        return None
    kind = model["model_name"]
    if kind in {"DropdownModel", "RadioButtonsModel", "ToggleButtonsModel", "SelectModel"}:
        labels, index = state.get("_options_labels", []), state.get("index")
        value = labels[index] if isinstance(index, int) and 0 <= index < len(labels) else "?"
    elif "value" in state:
        value = state["value"]
        fmt = state.get("readout_format")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and fmt:
            try:
                value = format(value, fmt)
            except (ValueError, TypeError):
                pass
    else:
        return None
    return f"{name} = {value}"


def _walk(states: dict, model: dict, found: list[dict], seen: set[int]) -> None:
    if id(model) in seen:
        return
    seen.add(id(model))
    found.append(model)
    for ref in model["state"].get("children", []):
        child = _model(states, ref)
        if child is not None:
            _walk(states, child, found, seen)


def static_widget_outputs(states: dict, view: dict) -> list[dict] | None:
    """What a static page shows for one widget view output, or ``None`` if the saved state cannot say.

    * a progress bar (tqdm): its last line, as plain text;
    * an interactive widget (controls and an output area): a note naming its settings, then what its
      output area showed when the notebook was run (the figure and text at the default settings).
    """
    model = _model(states, view.get("model_id", ""))
    if model is None:
        return None
    line = progress_line(states, model)
    if line is not None:
        return [nbformat.v4.new_output("stream", name="stdout", text=line + "\n")]
    models: list[dict] = []
    _walk(states, model, models, set())
    shown = [out for m in models if m["model_name"] == "OutputModel" for out in m["state"].get("outputs", [])]
    settings = [v for v in (_control_value(m) for m in models) if v]
    if not shown:
        return None
    what = ", ".join(settings) if settings else "its default settings"
    note = ("*Interactive widget, shown as a still image of its default state* "
            f"({what}). Open the notebook in JupyterLab to move its controls.")
    outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": note, "text/plain": note.replace("*", "")})]
    for out in shown:
        out = copy.deepcopy(out)
        out.pop("transient", None)
        if out.get("output_type") == "execute_result":
            out["output_type"] = "display_data"
            out.pop("execution_count", None)
        outputs.append(nbformat.from_dict(out))
    return outputs


WIDGET_NOTE = ("*Interactive widget*: it cannot move on a static page. Open the notebook in JupyterLab to use it.")


def static_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` for a static page (slides, site): every live widget replaced by what it showed.

    A progress bar becomes its last line; an interactive widget becomes a note naming its default
    settings and the figure and text its output area held when the notebook was run (read from the
    widget state the notebook saved). Without a saved state a widget becomes a short note. The saved
    state is then dropped (it would need the ipywidgets HTML manager from a CDN).
    """
    nb = copy.deepcopy(nb)
    states = _widget_states(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.outputs:
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                outputs.append(output)
                continue
            replaced = static_widget_outputs(states, view)
            if replaced is None:
                replaced = [nbformat.v4.new_output("display_data", data={
                    "text/markdown": WIDGET_NOTE, "text/plain": WIDGET_NOTE.replace("*", "")})]
            outputs.extend(replaced)
        cell.outputs = _merge_streams(outputs)
    nb.metadata.pop("widgets", None)
    return nb


def _merge_streams(outputs: list) -> list:
    """Adjacent stream outputs of the same name as one (five progress lines make one block)."""
    merged: list = []
    for out in outputs:
        if (merged and out.get("output_type") == "stream" and merged[-1].get("output_type") == "stream"
                and merged[-1].get("name") == out.get("name")):
            merged[-1]["text"] = merged[-1]["text"] + out["text"]
        else:
            merged.append(out)
    return merged


def public_notebook(nb: nbformat.NotebookNode, name: str = "notebook", link_suffix: str = ".html",
                    instructor: bool = False) -> nbformat.NotebookNode:
    """The notebook as the slides and the site show it (a new object; ``nb`` is not changed).

    * live widgets become what they showed (:func:`static_copy`);
    * unless ``instructor``: the student edition's sources (solution regions replaced by the stub,
      ``instructor-only`` cells dropped), keeping the stored outputs of the cells that do not depend
      on an exercise (the exercise cells and the cells that need them show no output);
    * no ``# NBVAL_...`` line in any code cell (they steer the tests, not the reader);
    * links to course notebooks point at the edition's pages (``05_x`` + ``link_suffix``).
    """
    from student_edition import student_notebook

    public = static_copy(nb)
    if not instructor:
        public, _ = student_notebook(public, name, keep_outputs=True)
    for cell in public.cells:
        if cell.cell_type == "code":
            cell.source = strip_test_markers(cell.source)
        elif cell.cell_type == "markdown":
            cell.source = rewrite_notebook_links(cell.source, link_suffix)
    public.metadata.pop("widgets", None)
    return public


def ensure_node_modules() -> Path:
    """Make sure the npm packages of ``tools/package.json`` are installed (``npm ci`` from the lock file)."""
    wanted = ["reveal.js", "mathjax", "mathjax2"]
    if all((NODE_MODULES / name / "package.json").is_file() for name in wanted):
        return NODE_MODULES
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed once to fetch reveal.js and MathJax "
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
