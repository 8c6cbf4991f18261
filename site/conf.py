"""Sphinx configuration of the course website (built by ``python tools/site.py``, output in build/site/).

tools/site.py copies this folder into a staging directory together with the course notebooks (their
stored outputs are rendered, nothing is executed; the public edition: no solutions, no test markers,
widgets as still images) and a local copy of MathJax 3, writes the table of contents in course order into
index.md, and runs ``sphinx-build``. The build and the pages need no
network: MathJax is served from ``_static/mathjax`` and no widget or require.js script is loaded.
"""

project = "Backprop from Scratch"
author = "The Backprop from Scratch authors"
copyright = "the Backprop from Scratch authors (MIT licence)"

extensions = ["myst_nb"]

# Notebooks: render the stored outputs of the instructor edition; never run them.
nb_execution_mode = "off"
nb_ipywidgets_js = {}            # no require.js / widget manager from a CDN (widgets become a note)
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

# MathJax 3 from the npm package (tools/package.json), copied by tools/site.py into _static/mathjax.
html_static_path = ["_static"]
mathjax_path = "mathjax/tex-chtml.js"
mathjax3_config = {
    "tex": {"tags": "ams"},
    "options": {"processHtmlClass": "tex2jax_process|mathjax_process|math|output_area"},
}

# Furo: its menu (navigation) and contents buttons work on a phone, it follows the system's dark preference
# and has a light/dark toggle. (sphinx-book-theme 1.4 with pydata-sphinx-theme 0.20 bound its buttons to a
# hidden element: nothing opened on a phone and the desktop menu did not collapse the sidebar.)
# _static/course.css adds: a menu button that collapses the sidebar on a wide screen too, figures on a
# light card in dark mode, wrapped code and scrollable (with a visible hint) formulas on a phone.
html_theme = "furo"
html_title = "Backprop from Scratch"
html_css_files = ["course.css"]
html_js_files = ["course.js"]
html_theme_options = {
    "navigation_with_keys": True,
    "top_of_page_buttons": [],
}
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
