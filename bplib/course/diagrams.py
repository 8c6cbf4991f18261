"""Schematic diagrams drawn with matplotlib only (boxes and arrows, no graphviz).

``training_loop_diagram`` draws one step of training an MLP: the forward pass left to right
along the top of the boxes, the backward pass right to left along the bottom, and the parameter
gradients going down into the update step. Labels use the course notation (batch arrays, one row
per example): the input ``X`` (also :math:`A^{(0)}`), pre-activations :math:`Z^{(l)}`, activations
:math:`A^{(l)}`, the targets ``Y``, the loss :math:`L`, and gradients such as
:math:`\\partial L/\\partial Z^{(l)}` (which is :math:`\\Delta^{(l)}`).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

FORWARD_COLOR = "tab:blue"
BACKWARD_COLOR = "tab:red"
UPDATE_COLOR = "tab:green"

# What each kind of layer keeps from its forward pass for its backward pass ("{i}" = its input's
# name, "{o}" = its output's name). Sigmoid and tanh derivatives are cheapest from their output
# (sigma' = a(1 - a), tanh' = 1 - a^2); ReLU needs to know where its input was positive.
_KEEPS = {
    "linear": "{i}",
    "sigmoid": "{o}",
    "tanh": "{o}",
    "relu": "{i} > 0",
}

# What a loss keeps for its backward pass ("{o}" = the prediction it receives): bplib's MSELoss keeps
# the difference from the targets, SoftmaxCrossEntropy its input (the logits) and the one-hot targets.
_LOSS_KEEPS = {
    "mseloss": "${o} - Y$",
    "mse": "${o} - Y$",
    "softmaxcrossentropy": "${o}$, Y",
}


def _is_linear(name: str) -> bool:
    return name.lower() in {"linear", "dense"}


def _math(symbol: str) -> str:
    """Wrap a symbol such as ``Z^{(1)}`` in mathtext dollars (``X`` stays plain)."""
    return symbol if symbol == "X" else f"${symbol}$"


def _sup(n: int) -> str:
    """A layer superscript for mathtext, with parentheses: ``2`` becomes ``{(2)}``."""
    return f"{{({n})}}"


def _grad(symbol: str) -> str:
    """Mathtext label for the gradient of the loss with respect to ``symbol``."""
    return rf"$\partial L/\partial {symbol}$"


def training_loop_diagram(
    layers: Sequence[str] = ("Linear", "Sigmoid", "Linear", "Sigmoid", "MSELoss"),
    ax: Axes | None = None,
) -> tuple[Figure, Axes]:
    """Draw the forward and backward flow of one training step of an MLP.

    Boxes, left to right: the input batch, one box per layer, the loss. Blue arrows on top carry
    the forward values (``X``, :math:`Z^{(1)}`, :math:`A^{(1)}`, ...; the loss also receives the
    targets ``Y``); red arrows below carry the gradients back (:math:`\\partial L/\\partial Z^{(2)}`, ...);
    each ``Linear`` box sends :math:`\\partial L/\\partial W^{(l)}` and :math:`\\partial L/\\partial b^{(l)}`
    down to the update step (green), which changes the weights in place before the next batch.
    Each box also says what its forward pass keeps for the backward pass.

    Parameters
    ----------
    layers : sequence of str
        Layer names in order, the last one being the loss, e.g.
        ``("Linear", "ReLU", "Linear", "Loss")``. ``"Linear"`` (or ``"Dense"``) layers are numbered
        1, 2, ...; an activation takes the number of the linear layer before it. A loss named
        ``"MSELoss"`` keeps the difference from the targets; ``"SoftmaxCrossEntropy"`` and any other
        name keep the prediction and the targets.
    ax : matplotlib Axes, optional
        Where to draw; by default a new 10 x 4 inch figure is made.

    Returns
    -------
    (fig, ax)
        The figure and the axes drawn on (axis lines turned off). ``plt.show()`` is not called.
    """
    layers = [str(name) for name in layers]
    if len(layers) < 2:
        raise ValueError(f"training_loop_diagram: need at least one layer and a loss, got {layers}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 4))
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.92)
    else:
        fig = ax.figure

    # ---- names of the values flowing between boxes: X -> Z1 -> A1 -> Z2 -> ... -> L
    flow = ["X"]  # flow[k] is the input of box k+1 (box 0 is the input batch)
    keeps = []  # what each layer box keeps for backward
    linear_index = []  # the layer number l of each Linear box (None for other boxes)
    n_linear = 0
    for name in layers[:-1]:
        i = "A^{(0)}" if flow[-1] == "X" else flow[-1]
        if _is_linear(name):
            n_linear += 1
            out = f"Z^{_sup(n_linear)}"
            linear_index.append(n_linear)
        else:
            out = f"A^{_sup(max(n_linear, 1))}"
            linear_index.append(None)
        template = _KEEPS.get(name.lower(), "{i}")
        kept = template.format(i=i, o=out)
        keeps.append("keeps X" if kept == "A^{(0)}" else f"keeps ${kept}$".replace("A^{(0)} > 0", "X > 0"))
        flow.append(out)
    loss_keeps = _LOSS_KEEPS.get(layers[-1].lower(), "${o}$, Y").format(o=flow[-1])
    keeps.append(f"keeps {loss_keeps}")
    linear_index.append(None)

    # ---- geometry in data coordinates: box k spans [xs[k], xs[k] + box_w] horizontally
    n_boxes = len(layers) + 1
    box_w, gap = 1.25, 1.05
    xs = [0.35 + k * (box_w + gap) for k in range(n_boxes)]
    x_max = xs[-1] + box_w + 0.95  # room for the L arrow on the right
    box_lo, box_hi = 1.85, 3.25

    # Text sizes are in points but the boxes are in data units: when a data unit is narrower than
    # about 0.78 inch (a narrow axes, or many layers) shrink the text so labels still fit between boxes.
    width_in = ax.get_position().width * fig.get_figwidth()
    scale = min(1.0, max(0.5, width_in / x_max / 0.78))

    def fs(points: float) -> float:
        return points * scale

    y_fwd, y_bwd = 2.95, 2.15
    upd_lo, upd_hi = 0.15, 0.8

    def box(x0, y0, w, h, color, face):
        ax.add_patch(FancyBboxPatch((x0, y0), w, h, boxstyle="round,pad=0.02,rounding_size=0.12",
                                    linewidth=1.5, edgecolor=color, facecolor=face))

    def arrow(p, q, color, **kw):
        ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=14 * scale, linewidth=1.8 * scale,
                                     color=color, shrinkA=0, shrinkB=0, **kw))

    titles = ["Input"] + [
        f"{name} {linear_index[k]}" if linear_index[k] is not None else name for k, name in enumerate(layers)
    ]
    subtitles = ["batch X"] + keeps
    for k in range(n_boxes):
        is_loss = k == n_boxes - 1
        box(xs[k], box_lo, box_w, box_hi - box_lo, "0.25", "#fff4d6" if is_loss else "#eef2f7")
        xc = xs[k] + box_w / 2
        ax.text(xc, 2.72, titles[k], ha="center", va="center", fontsize=fs(11), fontweight="bold")
        ax.text(xc, 2.33, subtitles[k], ha="center", va="center", fontsize=fs(9), color="0.3")

    # ---- forward arrows (top): X, Z1, A1, ..., then L out of the loss; the targets Y come in from above
    for k in range(n_boxes - 1):
        x0, x1 = xs[k] + box_w, xs[k + 1]
        arrow((x0 + 0.05, y_fwd), (x1 - 0.05, y_fwd), FORWARD_COLOR)
        ax.text((x0 + x1) / 2, y_fwd + 0.1, _math(flow[k]), ha="center", va="bottom",
                fontsize=fs(11), color=FORWARD_COLOR)
    x_loss = xs[-1] + box_w
    arrow((x_loss + 0.05, y_fwd), (x_loss + 0.6, y_fwd), FORWARD_COLOR)
    ax.text(x_loss + 0.32, y_fwd + 0.1, "$L$", ha="center", va="bottom", fontsize=fs(11), color=FORWARD_COLOR)
    xc_loss = xs[-1] + box_w / 2
    arrow((xc_loss, box_hi + 0.5), (xc_loss, box_hi + 0.04), FORWARD_COLOR)
    ax.text(xc_loss + 0.08, box_hi + 0.3, "Y", ha="left", va="center", fontsize=fs(11), color=FORWARD_COLOR)

    # ---- backward arrows (bottom), right to left: dL/d(output of box k) goes from box k+1 to box k.
    # The first layer needs no dL/dX (nobody uses it), so the arrow into the input box is left out.
    for k in range(1, n_boxes - 1):
        x0, x1 = xs[k] + box_w, xs[k + 1]
        arrow((x1 - 0.05, y_bwd), (x0 + 0.05, y_bwd), BACKWARD_COLOR)
        ax.text((x0 + x1) / 2, y_bwd - 0.1, _grad(flow[k]), ha="center", va="top",
                fontsize=fs(11), color=BACKWARD_COLOR)

    # ---- parameter gradients down into the update step, new weights back up
    linear_boxes = [k + 1 for k, idx in enumerate(linear_index) if idx is not None]
    if linear_boxes:
        u0, u1 = xs[linear_boxes[0]] - 0.1, xs[linear_boxes[-1]] + box_w + 0.1
        box(u0, upd_lo, u1 - u0, upd_hi - upd_lo, UPDATE_COLOR, "#eaf6ea")
        ax.text((u0 + u1) / 2, (upd_lo + upd_hi) / 2,
                r"Update (SGD):  $W^{(l)} \leftarrow W^{(l)} - \eta\,\partial L/\partial W^{(l)}$,  same for $b^{(l)}$",
                ha="center", va="center", fontsize=fs(10))
        for k in linear_boxes:
            sup = _sup(linear_index[k - 1])
            xc = xs[k] + box_w / 2
            arrow((xc - 0.2, box_lo - 0.04), (xc - 0.2, upd_hi + 0.04), BACKWARD_COLOR)
            param_grads = f"$\\partial L/\\partial W^{sup}$\n$\\partial L/\\partial b^{sup}$"
            ax.text(xc - 0.27, (box_lo + upd_hi) / 2, param_grads,
                    ha="right", va="center", fontsize=fs(9.5), color=BACKWARD_COLOR, linespacing=1.5)
            arrow((xc + 0.2, upd_hi + 0.04), (xc + 0.2, box_lo - 0.04), UPDATE_COLOR)
            ax.text(xc + 0.27, (box_lo + upd_hi) / 2, f"new\n$W^{sup}, b^{sup}$", ha="left", va="center",
                    fontsize=fs(9.5), color=UPDATE_COLOR, linespacing=1.5)

    handles = [
        Line2D([], [], color=FORWARD_COLOR, lw=2, label="forward: values"),
        Line2D([], [], color=BACKWARD_COLOR, lw=2, label="backward: gradients"),
        Line2D([], [], color=UPDATE_COLOR, lw=2, label="update: parameters"),
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=fs(9), frameon=False)
    ax.set_xlim(0, x_max)
    ax.set_ylim(0.05, 3.9)
    ax.set_axis_off()
    ax.set_title("One training step: forward on top, backward below, then the update", fontsize=fs(12))
    return fig, ax
