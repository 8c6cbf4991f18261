"""The training-loop diagram of notebook 06: it draws, returns (fig, ax), and carries the expected labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from bplib.course.diagrams import training_loop_diagram  # noqa: E402


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_default_diagram_has_forward_backward_and_update_labels():
    fig, ax = training_loop_diagram(("Linear", "Sigmoid", "Linear", "Sigmoid", "MSELoss"))
    try:
        assert isinstance(fig, matplotlib.figure.Figure)
        assert ax.figure is fig
        texts = _texts(ax)
        # forward values on top
        for label in ["X", "$Z^{(1)}$", "$A^{(1)}$", "$Z^{(2)}$", "$A^{(2)}$", "$L$", "Y"]:
            assert label in texts, label
        # backward gradients below; no dL/dX (the first layer does not need it)
        for label in [r"$\partial L/\partial A^{(2)}$", r"$\partial L/\partial Z^{(2)}$",
                      r"$\partial L/\partial A^{(1)}$", r"$\partial L/\partial Z^{(1)}$"]:
            assert label in texts, label
        assert r"$\partial L/\partial X$" not in texts
        # parameter gradients of both linear layers go to the update
        joined = "\n".join(texts)
        for label in [r"$\partial L/\partial W^{(1)}$", r"$\partial L/\partial b^{(1)}$",
                      r"$\partial L/\partial W^{(2)}$"]:
            assert label in joined, label
        assert any(t.startswith("Update") for t in texts)
        for title in ["Input", "Linear 1", "Sigmoid", "Linear 2", "MSELoss"]:
            assert title in texts, title
        # each box says what its forward pass really keeps (bplib's MSELoss: the difference from Y)
        assert "keeps $A^{(2)} - Y$" in texts
        assert "keeps $A^{(2)}$" in texts  # the output sigmoid keeps its output
        assert "keeps X" in texts
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            "forward: values", "backward: gradients", "update: parameters"]
        fig.canvas.draw()  # mathtext must render
    finally:
        plt.close(fig)


def test_draws_into_a_given_axes_and_numbers_deeper_nets():
    fig, ax = plt.subplots(figsize=(6, 4))
    try:
        fig2, ax2 = training_loop_diagram(("Linear", "ReLU", "Linear", "Tanh", "Linear", "Loss"), ax=ax)
        assert fig2 is fig and ax2 is ax
        texts = _texts(ax)
        for label in ["Linear 3", "ReLU", "Tanh", "$Z^{(3)}$", "$A^{(2)}$", r"$\partial L/\partial Z^{(3)}$"]:
            assert label in texts, label
        assert "keeps $Z^{(1)} > 0$" in texts  # ReLU keeps where its input was positive
        assert "keeps $A^{(2)}$" in texts  # tanh keeps its output
        assert "keeps $Z^{(3)}$, Y" in texts  # a loss of unknown kind: the prediction and the targets
        fig.canvas.draw()
    finally:
        plt.close(fig)


def test_softmax_cross_entropy_keeps_logits_and_targets():
    fig, ax = training_loop_diagram(("Linear", "ReLU", "Linear", "SoftmaxCrossEntropy"))
    try:
        texts = _texts(ax)
        assert "keeps $Z^{(2)}$, Y" in texts  # bplib's SoftmaxCrossEntropy keeps its input and one-hot targets
        fig.canvas.draw()
    finally:
        plt.close(fig)


def test_needs_a_layer_and_a_loss():
    with pytest.raises(ValueError, match="at least one layer and a loss"):
        training_loop_diagram(("Loss",))
