"""The backward-pass stepper of notebook 02 (run with MPLBACKEND=Agg; no kernel needed)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from bplib.autograd import Value, topological_order  # noqa: E402
from bplib.course.widgets import backward_stepper, draw_backward_step  # noqa: E402
from bplib.course.experiments import default_expression  # noqa: E402
from bplib.course.widgets.backward_steps import DEFAULT_STEP  # noqa: E402

HIGHLIGHT_FACE = "#ffd27f"  # draw_graph's colour for highlighted nodes


def highlighted_labels() -> list[str]:
    """First line (the label) of every Value box drawn in orange in the current figure."""
    ax = plt.gcf().axes[0]
    hot = [p for p in ax.patches if matplotlib.colors.to_hex(p.get_facecolor()) == HIGHLIGHT_FACE
           and type(p).__name__ == "FancyBboxPatch"]
    labels = []
    for patch in hot:
        cx = patch.get_x() + patch.get_width() / 2
        cy = patch.get_y() + patch.get_height() / 2
        for text in ax.texts:
            if text.get_gid() == "value" and text.get_position() == pytest.approx((cx, cy)):
                labels.append(text.get_text().splitlines()[0])
    return labels


def test_the_stepper_builds_with_a_step_slider_over_all_nodes():
    w = backward_stepper()
    assert isinstance(w, widgets.interactive)
    slider = w.children[0]
    assert isinstance(slider, widgets.IntSlider)
    assert slider.description == "step"
    n = len(topological_order(default_expression()))
    assert (slider.min, slider.max, slider.value) == (0, n, DEFAULT_STEP)


def test_moving_the_slider_redraws_with_another_highlighted_node(capsys):
    w = backward_stepper()
    slider = w.children[0]
    seen = []
    for step in (1, 2, 3, slider.max, 0):
        plt.close("all")
        slider.value = step  # interactive calls the drawing function again
        if step == 0:
            seen.append(tuple(highlighted_labels()))
        else:
            (label,) = highlighted_labels()
            seen.append(label)
    assert seen == ["L", "s", "z", "w", ()]
    out = capsys.readouterr().out
    assert "step 3 of 7: z passes grad" in out


def test_the_stepper_accepts_another_expression():
    def builder():
        a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        out = a * b + a
        out.label = "out"
        return out

    w = backward_stepper(builder)
    slider = w.children[0]
    assert slider.max == len(topological_order(builder()))
    slider.value = slider.max
    assert highlighted_labels()  # the last node (an input) is highlighted


def test_draw_backward_step_defaults_match_the_widget(capsys):
    state = draw_backward_step()
    assert state.node is not None and state.node.label == "s"
    assert "z.grad 0.6225 -> 0.7400" in capsys.readouterr().out
    assert highlighted_labels() == ["s"]


