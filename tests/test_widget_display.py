"""bplib.course.widgets._display.show_in_output: how a widget callback shows its figure."""

from __future__ import annotations

import matplotlib.pyplot as plt

import bplib.course.widgets._display as display_module


def test_show_in_output_draws_on_an_unmanaged_figure_and_displays_a_png(monkeypatch) -> None:
    shown = []
    monkeypatch.setattr(display_module, "display", shown.append)

    def draw(fig):
        ax = fig.subplots()
        ax.plot([0, 1], [1, 0])
        return "drawn"

    assert display_module.show_in_output(draw, figsize=(3, 2)) == "drawn"
    assert len(shown) == 1 and shown[0].data[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plt.get_fignums(), "pyplot must not know the widget's figure"
