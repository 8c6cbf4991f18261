"""Helper for the widget tests: find a control of an ``interactive`` widget by its description."""

from __future__ import annotations


def control(explorer, description: str):
    """The one child of ``explorer`` whose description is ``description`` (a slider or a menu)."""
    matches = [w for w in explorer.children if getattr(w, "description", None) == description]
    assert len(matches) == 1, f"no single control described {description!r}"
    return matches[0]
