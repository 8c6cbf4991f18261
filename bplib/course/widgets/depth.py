"""The depth explorer of notebook 12: vanishing and exploding gradients in a deep MLP.

Pick a depth, an initialisation and an activation; the figure shows, for one forward and one
backward pass of a fresh network on random data (no training),

* histograms of the activations of a few hidden layers (top row): saturated sigmoid/tanh units
  pile up at the ends of their range, ReLU activations shrink or blow up with a bad scale;
* the norm of the weight gradient of every layer, on a log scale (bottom): bars that fall by
  orders of magnitude toward the input are *vanishing* gradients, huge bars *exploding* ones;

and a one-line summary is printed.

* :func:`depth_run` builds the network, runs it once and returns a :class:`DepthRun`;
* :func:`plot_depth_run` draws the figure and prints the summary (the notebook's compared cell calls
  it with its defaults);
* :func:`depth_explorer` wraps the same drawing in an ipywidgets ``interactive`` with an
  ``IntSlider`` "depth" and two ``Dropdown`` menus, "init" and "activation".
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
import numpy as np

from bplib.nn import Linear, ReLU, Sequential, Sigmoid, SoftmaxCrossEntropy, Tanh
from bplib.course.plots import gradient_norms, histograms, layer_gradient_norms
from bplib.course.widgets import _display

__all__ = ["DEFAULT_DEPTH", "DEFAULT_INIT", "DEFAULT_ACTIVATION", "INITS", "ACTIVATIONS", "WIDTH", "N_EXAMPLES",
           "N_CLASSES", "DepthRun", "build_deep_net", "depth_run", "verdict", "describe_depth_run",
           "plot_depth_run", "depth_explorer"]

#: Number of ``Linear`` layers drawn by default.
DEFAULT_DEPTH: int = 10
#: Default initialisation (Glorot/Xavier, Keras's default scale).
DEFAULT_INIT: str = "xavier"
#: Default activation: the sigmoid, whose gradients vanish in a deep net.
DEFAULT_ACTIVATION: str = "sigmoid"
#: The initialisations of :class:`bplib.nn.Linear`, in the order of the menu.
INITS: tuple[str, ...] = ("normal", "xavier", "he")
#: The activations of the menu and their layers.
ACTIVATIONS: dict[str, type] = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}
#: Width of every hidden layer (and of the input).
WIDTH: int = 64
#: Number of random input rows of one run.
N_EXAMPLES: int = 512
#: Number of classes of the random labels (the output width).
N_CLASSES: int = 10
#: Bounds of the "depth" slider.
MIN_DEPTH, MAX_DEPTH = 2, 20
#: A first-layer / last-layer gradient-norm ratio below this is called "vanishing", above its inverse "exploding".
RATIO_LIMIT: float = 1e-2
#: A weight-gradient norm above this is called "exploding" whatever the ratio.
NORM_LIMIT: float = 1e3


@dataclass
class DepthRun:
    """One forward and backward pass of a fresh deep network (see :func:`depth_run`).

    Attributes
    ----------
    depth, init, activation : the settings of the run
    activations : dict ``"layer l" -> (N, WIDTH)`` array, the output of the activation of every
        hidden layer ``l = 1 .. depth - 1``
    grad_norms : dict ``"l" -> float``, the norm of ``dL/dW`` of every ``Linear`` layer ``l = 1 .. depth``
    loss : the softmax cross-entropy of the fresh network on random labels (``log(10) = 2.30`` is chance)
    """

    depth: int
    init: str
    activation: str
    activations: dict[str, np.ndarray]
    grad_norms: dict[str, float]
    loss: float

    @property
    def ratio(self) -> float:
        """Gradient norm of the first layer divided by that of the last (``inf`` if the last is 0)."""
        first, last = self.grad_norms["1"], self.grad_norms[str(self.depth)]
        return first / last if last > 0 else float("inf")


def _check_settings(depth: int, init: str, activation: str) -> None:
    if int(depth) != depth or depth < 2:
        raise ValueError(f"depth must be an integer >= 2 (Linear layers), got {depth}")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {list(INITS)}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {list(ACTIVATIONS)}")


def build_deep_net(depth: int, init: str, activation: str, rng: np.random.Generator, *, width: int = WIDTH,
                   n_classes: int = N_CLASSES) -> Sequential:
    """``depth`` ``Linear`` layers: ``depth - 1`` hidden ``Linear(width, width)`` + activation, then ``Linear(width, n_classes)``.

    Every ``Linear`` is drawn with ``init`` ("normal", "xavier" or "he") from ``rng``.
    """
    _check_settings(depth, init, activation)
    layers = []
    for _ in range(depth - 1):
        layers += [Linear(width, width, init=init, rng=rng), ACTIVATIONS[activation]()]
    layers.append(Linear(width, n_classes, init=init, rng=rng))
    return Sequential(*layers)


def depth_run(depth: int = DEFAULT_DEPTH, init: str = DEFAULT_INIT, activation: str = DEFAULT_ACTIVATION, *,
              seed: int = 0) -> DepthRun:
    """Build a fresh network, run one forward and one backward pass on random data, and measure.

    The data are ``N_EXAMPLES`` rows of ``WIDTH`` standard normal inputs with random labels in
    ``0 .. N_CLASSES - 1``, the loss is :class:`bplib.nn.SoftmaxCrossEntropy`; everything is drawn
    from ``np.random.default_rng(seed)`` and computed in float64, so a run is reproducible.
    """
    _check_settings(depth, init, activation)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_EXAMPLES, WIDTH))
    y = rng.integers(0, N_CLASSES, size=N_EXAMPLES)
    model = build_deep_net(depth, init, activation, rng)

    activations: dict[str, np.ndarray] = {}
    out = X
    for i, layer in enumerate(model):
        out = layer.forward(out)
        if i % 2 == 1:  # layers 1, 3, 5, ... are the activations of hidden layers 1, 2, 3, ...
            activations[f"layer {i // 2 + 1}"] = out
    loss = SoftmaxCrossEntropy()
    value = loss.forward(out, y)
    model.backward(loss.backward(), need_input_grad=False)

    # "0.W", "2.W", ... -> "1", "2", ...: number the Linear layers from 1, as in the notebook's formulas
    norms = {str(k + 1): v for k, v in enumerate(layer_gradient_norms(model).values())}
    return DepthRun(depth, init, activation, activations, norms, float(value))


def _saturated_fraction(activation: str, a: np.ndarray) -> float:
    """Fraction of sigmoid/tanh outputs within 1% of the ends of their range (where the derivative is tiny)."""
    if activation == "sigmoid":
        return float(np.mean((a < 0.01) | (a > 0.99)))
    if activation == "tanh":
        return float(np.mean(np.abs(a) > 0.99))
    return 0.0  # ReLU does not saturate for z > 0


def verdict(run: DepthRun) -> str:
    """What is wrong with a run, or ``"healthy"``: the problems found, joined by commas.

    * "exploding gradients": some weight gradient has a norm above ``NORM_LIMIT``, or the first
      layer's is more than ``1 / RATIO_LIMIT`` times the last layer's;
    * "vanishing gradients": the first layer's is less than ``RATIO_LIMIT`` times the last layer's;
    * "exploding activations" / "shrinking activations": the standard deviation of the last hidden
      layer's activations is more than 10 times / less than 1/10 of the first hidden layer's;
    * "saturated units": on average over the hidden layers, more than a quarter of the sigmoid/tanh
      outputs lie within 1% of the ends of their range, where the derivative is almost 0.
    """
    problems = []
    if max(run.grad_norms.values()) > NORM_LIMIT or run.ratio > 1 / RATIO_LIMIT:
        problems.append("exploding gradients")
    elif run.ratio < RATIO_LIMIT:
        problems.append("vanishing gradients")
    first, last = list(run.activations.values())[0], list(run.activations.values())[-1]
    growth = float(last.std()) / max(float(first.std()), 1e-300)
    if growth > 10:
        problems.append("exploding activations")
    elif growth < 0.1:
        problems.append("shrinking activations")
    saturated = np.mean([_saturated_fraction(run.activation, a) for a in run.activations.values()])
    if saturated > 0.25:
        problems.append("saturated units")
    return ", ".join(problems) if problems else "healthy"


def describe_depth_run(run: DepthRun) -> str:
    """The one-line summary, e.g.
    ``"depth 10, sigmoid, xavier init: activation std 0.21 (layer 1) -> 0.12 (layer 9); gradient norm
    layer 1 / layer 10 = 8.5e-07: vanishing gradients"``."""
    stds = [float(a.std()) for a in run.activations.values()]
    last = run.depth - 1
    return (f"depth {run.depth}, {run.activation}, {run.init} init: activation std {stds[0]:.2g} (layer 1) -> "
            f"{stds[-1]:.2g} (layer {last}); gradient norm layer 1 / layer {run.depth} = {run.ratio:.1e}: "
            f"{verdict(run)}")


def _shown_layers(depth: int, n_panels: int = 5) -> list[int]:
    """Up to ``n_panels`` hidden layers spread from the first (1) to the last (depth - 1)."""
    hidden = depth - 1
    if hidden <= n_panels:
        return list(range(1, hidden + 1))
    return sorted({int(round(x)) for x in np.linspace(1, hidden, n_panels)})


def plot_depth_run(depth: int = DEFAULT_DEPTH, init: str = DEFAULT_INIT,
                   activation: str = DEFAULT_ACTIVATION, fig: Figure | None = None) -> DepthRun:
    """Draw the activations and gradient norms of one :func:`depth_run` and print its summary.

    Top row: histograms of the activations of up to five hidden layers (a shared x range, so the
    spreads compare at a glance). Bottom: the norm of ``dL/dW`` of every ``Linear`` layer on a log
    scale. The figure is 10 x 6 inches; the caller ends the cell with ``plt.show()``.

    Parameters
    ----------
    depth : number of ``Linear`` layers (default 10; hidden layers are ``depth - 1``)
    init : "normal", "xavier" (default) or "he"
    activation : "sigmoid" (default), "tanh" or "relu"

    Returns
    -------
    DepthRun
        The measurements behind the figure.
    """
    run = depth_run(depth, init, activation)
    print(describe_depth_run(run))

    shown = _shown_layers(depth)
    if fig is None:
        fig = plt.figure(figsize=(10, 6), layout="constrained")
    grid = fig.add_gridspec(2, len(shown), height_ratios=[1, 1.25])
    top = [fig.add_subplot(grid[0, k]) for k in range(len(shown))]
    bottom = fig.add_subplot(grid[1, :])

    shown_activations = {f"layer {l}": run.activations[f"layer {l}"] for l in shown}
    stds = [max(float(a.std()), 1e-300) for a in shown_activations.values()]
    # One x range for all panels compares the spreads at a glance, unless they differ by orders of
    # magnitude (exploding activations): then each panel gets its own range (read the std in its title).
    histograms(shown_activations, axes=top, bins=40, xlabel=f"{activation}(z)",
               shared_range=max(stds) / min(stds) < 100)
    gradient_norms(run.grad_norms, ax=bottom, title="Norm of dL/dW per layer (the input side on the left)")
    bottom.set_xlabel("layer (Linear)")
    if depth > 12:  # too many bars for readable value labels
        for text in list(bottom.texts):
            text.remove()
    fig.suptitle(f"A fresh {depth}-layer {activation} network, {init} initialisation: "
                 f"activations (top) and gradients (bottom)")
    return run


def depth_explorer(depth: int = DEFAULT_DEPTH, init: str = DEFAULT_INIT,
                   activation: str = DEFAULT_ACTIVATION) -> widgets.interactive:
    """A slider for the depth (2 to 20 ``Linear`` layers) and menus for the initialisation and activation.

    Each change redraws :func:`plot_depth_run`'s figure and its one-line summary in the widget's
    output area. Display it by making it the last expression of a cell.

    Returns
    -------
    ipywidgets.interactive
        Its ``children`` are the three controls and the output area; ``result`` holds the last
        :class:`DepthRun`.
    """
    style, layout = {"description_width": "initial"}, widgets.Layout(width="350px")
    depth_slider = widgets.IntSlider(value=depth, min=MIN_DEPTH, max=MAX_DEPTH, step=1, description="depth",
                                     continuous_update=False, style=style, layout=layout)
    init_menu = widgets.Dropdown(options=list(INITS), value=init, description="init", style=style, layout=layout)
    activation_menu = widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="activation",
                                       style=style, layout=layout)

    def draw(depth: int, init: str, activation: str) -> DepthRun:
        return _display.show_in_output(lambda fig: plot_depth_run(depth, init, activation, fig=fig),
                                       figsize=(10, 6), layout="constrained")

    return widgets.interactive(draw, depth=depth_slider, init=init_menu, activation=activation_menu)
