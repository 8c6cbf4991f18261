"""Sphinx configuration of the course website (built by ``python tools/site.py``, output in build/site/).

tools/site.py copies this folder into a staging directory together with the course notebooks (their
stored outputs are rendered, nothing is executed) and a local copy of MathJax 3, writes the table of
contents in course order into index.md, and runs ``sphinx-build``. The build and the pages need no
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

html_theme = "sphinx_book_theme"
html_title = "Backprop from Scratch"
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "show_navbar_depth": 1,
    "navigation_with_keys": True,
}
html_context = {"default_mode": "light"}
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = True          # the download button offers the .ipynb
