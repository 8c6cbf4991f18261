"""Fixtures shared by the unit tests."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def inspectable_widget_figures(request, monkeypatch):
    """In the widget tests, let a widget callback draw on a pyplot figure the test can inspect.

    In a notebook, a callback draws on a figure pyplot does not manage and displays it as a PNG
    (``bplib.course.widgets._display.show_in_output``, tested in test_widget_display.py). Here the same
    drawing goes to ``plt.gcf()`` instead, and every figure is closed after the test.
    """
    if not request.module.__name__.rsplit(".", 1)[-1].startswith("test_widgets_"):
        yield
        return
    import bplib.course.widgets._display as display_module

    monkeypatch.setattr(display_module, "show_in_output", lambda draw, **options: draw(plt.figure(**options)))
    yield
    plt.close("all")


@pytest.fixture
def figure_drawn_by():
    """``figure_drawn_by(move)`` runs ``move()`` (e.g. setting a slider) and returns the one figure it drew.

    A widget test asserts what that figure shows for the new setting (its lines' data, titles), not
    merely that some figure exists: the widget's first drawing exists from construction anyway.
    """
    def run(move):
        before = set(plt.get_fignums())
        move()
        new = sorted(set(plt.get_fignums()) - before)
        assert len(new) == 1, f"the move should have drawn exactly one new figure, it drew {len(new)}"
        return plt.figure(new[0])

    return run
