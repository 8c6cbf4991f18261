"""How a widget shows the figure it draws when a slider moves."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypeVar

from IPython.display import Image, display
from matplotlib.figure import Figure

T = TypeVar("T")


def show_in_output(draw: Callable[[Figure], T], **figure_options: Any) -> T:
    """Call ``draw(fig)`` on a new figure that pyplot does not manage, display it as a PNG, return the result.

    A widget callback runs when the browser reports a slider move, not as part of a cell. There, a
    figure made with ``plt.subplots`` and shown with ``plt.show()`` came out blank or half drawn in
    JupyterLab (the browser test found it in notebook 04), while a figure that pyplot never sees
    renders completely every time. ``figure_options`` go to :class:`matplotlib.figure.Figure`
    (e.g. ``figsize=(10, 4), layout="constrained"``).
    """
    fig = Figure(**figure_options)
    result = draw(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    display(Image(data=buffer.getvalue(), format="png"))
    return result
