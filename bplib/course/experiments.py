"""The small experiments the notebooks run, apart from the widgets that draw them.

Each function here computes and returns numbers (no figures, no ipywidgets), so notebooks, widgets
and exercise checks can all import it:

=====================================  ==========================================================
backward pass, one node at a time (02)  :func:`default_expression`, :func:`backward_step_state`
optimisers on a 2-D surface (04, 11)    :class:`PointParameter`, :func:`make_optimisers`,
                                        :func:`optimiser_path` (``surfaces.gradient_descent`` is
                                        ``optimiser_path`` with ``SGD(lr)``)
R1's XOR network, many runs (08)        :func:`xor_network`, :func:`train_xor`, :class:`XorRuns`,
                                        :func:`learned_xor`
vanishing/exploding gradients (12)      :func:`build_deep_net`, :func:`layer_gradient_norms`,
                                        :func:`depth_run`, :class:`DepthRun`, :func:`verdict`,
                                        :func:`describe_depth_run`
=====================================  ==========================================================

The widgets in :mod:`bplib.course.widgets` call these with sliders' values and draw the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bplib.autograd import Value, topological_order, zero_grad
from bplib.data import xor
from bplib.nn import Linear, MSELoss, ReLU, Sequential, Sigmoid, SoftmaxCrossEntropy, Tanh
from bplib.optim import SGD, Adam, HasParameters, Optimizer, RMSprop

__all__ = [
    # backward pass, one node at a time (02)
    "BACKWARD_STEP", "default_expression", "BackwardStep", "backward_step_state",
    # optimisers on a 2-D surface (04, 11)
    "OPTIMISER_LR", "OPTIMISER_BETA1", "OPTIMISER_BETA2", "OPTIMISER_RHO", "MAX_NORM", "PointParameter",
    "make_optimisers", "optimiser_path",
    # XOR (08)
    "XOR_LR", "XOR_HIDDEN", "XOR_EPOCHS", "LEARNED_TOLERANCE", "XorRuns", "xor_network", "train_xor", "learned_xor",
    # deep networks (12)
    "DEFAULT_DEPTH", "DEFAULT_INIT", "DEFAULT_ACTIVATION", "INITS", "ACTIVATIONS", "WIDTH", "N_EXAMPLES",
    "N_CLASSES", "RATIO_LIMIT", "NORM_LIMIT", "DepthRun", "build_deep_net", "layer_gradient_norms", "depth_run", "verdict",
    "describe_depth_run",
]


# ------------------------------------------------------------------------------------------------
# The backward pass, one node at a time (notebook 02)
# ------------------------------------------------------------------------------------------------

#: The step shown by default: z receives the second of its two contributions (it accumulates, +=).
BACKWARD_STEP: int = 2


def default_expression() -> Value:
    """A small neuron with a SiLU ("swish") output: ``L = z * sigmoid(z)`` with ``z = w*x + b``.

    ``z`` is used twice (once by ``*``, once by ``sigmoid``), so during the backward pass it
    receives two contributions, in two different steps. Numbers: ``x = 2, w = 0.5, b = -0.5``,
    so ``z = 0.5``. Returns the output ``L`` (a fresh graph, all gradients 0).
    """
    x = Value(2.0, label="x")
    w = Value(0.5, label="w")
    b = Value(-0.5, label="b")
    wx = w * x
    wx.label = "w*x"
    z = wx + b
    z.label = "z"
    s = z.sigmoid()
    s.label = "s"
    out = z * s
    out.label = "L"
    return out


class BackwardStep(NamedTuple):
    """The state of the backward pass after ``step`` nodes.

    Attributes
    ----------
    root : Value
        The output of the expression; its graph holds the gradients reached at this step.
    node : Value or None
        The node processed at this step (None at step 0).
    n_steps : int
        Number of nodes in the graph (the last step).
    message : str
        One line saying what this step did.
    """

    root: Value
    node: Value | None
    n_steps: int
    message: str


def node_name(node: Value) -> str:
    """How a node is called in messages: its label, else its operation, else its value."""
    return node.label or (f"({node._op})" if node._op else f"{node.data:g}")


def backward_step_state(step: int = BACKWARD_STEP, expr_builder: Callable[[], Value] | None = None) -> BackwardStep:
    """Run the backward pass of ``expr_builder()`` up to ``step`` nodes (the loop of ``Value.backward``).

    * step 0: nothing has happened yet, every ``grad`` is 0;
    * step k (1 <= k <= n): ``L.grad = 1`` has been set and the first k nodes of the reverse
      topological order have passed their gradient to their inputs (``input.grad += local * grad``).

    Parameters
    ----------
    step : int
        0 (nothing done yet) to n (all n nodes processed, every gradient final).
    expr_builder : callable returning a Value, optional
        Builds the expression and returns its output; default :func:`default_expression`.
        It is called once per call here, so each step starts from a fresh graph.

    Returns
    -------
    BackwardStep
        The graph at this step, the node just processed and a one-line description.
    """
    root = (expr_builder or default_expression)()
    zero_grad(root)  # a builder may return a graph that was used before
    order = list(reversed(topological_order(root)))  # output first, inputs last
    n = len(order)
    if not 0 <= step <= n:
        raise ValueError(f"backward_step_state: step must be between 0 and {n} (the number of nodes), got {step}")
    if step == 0:
        return BackwardStep(root, None, n, f"step 0 of {n}: before the backward pass every grad is 0")

    root.grad = 1.0  # dL/dL = 1: where every backward pass starts
    for node in order[: step - 1]:
        node._backward()
    node = order[step - 1]
    before = {child: child.grad for child in node._prev}
    node._backward()  # the step itself: node passes node.grad on to its inputs (+=)

    head = f"step {step} of {n}: {node_name(node)}"
    if step == 1:
        head += " (grad set to 1)"
    if not node._prev:
        return BackwardStep(root, node, n, f"{head} is an input: nothing to pass on, grad {node.grad:.4f} is final")
    changes = ", ".join(f"{node_name(child)}.grad {before[child]:.4f} -> {child.grad:.4f}" for child in before)
    return BackwardStep(root, node, n, f"{head} passes grad {node.grad:.4f} back: {changes}")


# ------------------------------------------------------------------------------------------------
# Optimisers moving one point on a 2-D surface (notebooks 04 and 11)
# ------------------------------------------------------------------------------------------------

#: One learning rate for all four optimisers (SGD diverges on notebook 04's quadratic above 2 / 10 = 0.2).
OPTIMISER_LR: float = 0.15
#: SGD's momentum and Adam's beta1 (Keras's Adam default; a common momentum).
OPTIMISER_BETA1: float = 0.9
#: Adam's beta2 (Keras's and PyTorch's default).
OPTIMISER_BETA2: float = 0.999
#: RMSprop's rho (Keras's default). RMSprop has no bias correction: its first step is 1/sqrt(1 - rho)
#: times too large, 3.2x for 0.9 but 32x for 0.999, which is why its rho is smaller than Adam's beta2.
OPTIMISER_RHO: float = 0.9
#: A path counts as diverged once ``|w|`` exceeds this (it is stopped there, before anything overflows).
MAX_NORM: float = 1e3


class PointParameter:
    """A point ``w`` of the plane dressed as a model, so that bplib's optimisers can move it.

    ``parameters()`` yields the one triple ``("w", w, grad)``, exactly like a layer's
    ``("W", W, dW)``; the optimiser updates ``w`` in place from ``grad``, which the caller fills
    with the surface's gradient before every ``step``.
    """

    def __init__(self, w0: Sequence[float] | np.ndarray) -> None:
        self.w = np.array(w0, dtype=np.float64)    # a copy
        self.grad = np.zeros_like(self.w)

    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """Yield ``("w", w, grad)``."""
        yield "w", self.w, self.grad


def make_optimisers(lr: float = OPTIMISER_LR, beta1: float = OPTIMISER_BETA1, beta2: float = OPTIMISER_BETA2,
                    rho: float = OPTIMISER_RHO) -> dict[str, Optimizer]:
    """Fresh optimisers (no state yet): ``SGD(lr)``, ``SGD(lr, momentum=beta1)``,
    ``RMSprop(lr, rho=rho)`` and ``Adam(lr, beta1, beta2)``, keyed by their names in the figures."""
    return {"SGD": SGD(lr), "SGD + momentum": SGD(lr, momentum=beta1), "RMSprop": RMSprop(lr, rho=rho),
            "Adam": Adam(lr, beta1=beta1, beta2=beta2)}


def optimiser_path(optimizer: Optimizer, grad: Callable[[np.ndarray], np.ndarray], w0: Sequence[float] | np.ndarray,
                   steps: int, *, max_norm: float = MAX_NORM) -> np.ndarray:
    """Move a point from ``w0`` with ``optimizer`` for ``steps`` steps, keeping every point.

    Each step puts the gradient ``grad(w)`` into a :class:`PointParameter`'s ``grad`` and calls
    ``optimizer.step(point)``; with ``SGD(lr)`` that is plain gradient descent
    ``w <- w - eta * dL/dw`` (``eta`` is ``lr``), which is all ``surfaces.gradient_descent`` does.

    Parameters
    ----------
    optimizer : a fresh :class:`bplib.optim.Optimizer` (``SGD``, ``RMSprop``, ``Adam``...)
    grad : callable
        ``grad(w)`` returns the gradient ``dL/dw`` at ``w`` (shape (D,)).
    w0 : array of shape (D,)
        Starting point (copied, never modified).
    steps : int
        Number of updates.
    max_norm : float
        Stop early once ``||w||`` exceeds this (default ``MAX_NORM``): the run has diverged, and
        going on would only overflow.

    Returns
    -------
    array of shape (T, D)
        The path ``w_0, w_1, ..., w_steps``; ``T = steps + 1`` unless the run stopped early.
    """
    point = PointParameter(w0)
    path = [point.w.copy()]
    for _ in range(steps):
        point.grad[...] = grad(point.w)
        optimizer.step(point)
        path.append(point.w.copy())
        if not np.all(np.isfinite(point.w)) or np.sqrt(np.sum(point.w ** 2)) > max_norm:
            break
    return np.array(path)


# ------------------------------------------------------------------------------------------------
# R1's XOR network, many runs (notebook 08)
# ------------------------------------------------------------------------------------------------

#: Learning rate of the XOR explorer's first drawing (R1's own 0.01 does not learn; 1.0 does).
XOR_LR: float = 1.0
#: Hidden units of the XOR explorer's first drawing (R1 has 4).
XOR_HIDDEN: int = 4
#: Epochs of full-batch gradient descent per XOR run (R1 runs 10,000; 2,000 keep the widget quick).
XOR_EPOCHS: int = 2000
#: A run has learned XOR when every output is within this distance of its target, i.e. below 0.4
#: for a 0 and above 0.6 for a 1: on the right side of 0.5 with a margin, so that outputs that
#: merely hover around 0.5 do not count.
LEARNED_TOLERANCE: float = 0.4


def learned_xor(predictions: np.ndarray, targets: np.ndarray | None = None,
                tolerance: float = LEARNED_TOLERANCE) -> np.ndarray | bool:
    """Whether the outputs for the four XOR inputs are all within ``tolerance`` of their targets.

    Parameters
    ----------
    predictions : array of shape (4,), (4, 1) or (S, 4)
        Network outputs for ``X = [[0, 0], [0, 1], [1, 0], [1, 1]]`` (one row per run for ``(S, 4)``).
    targets : array of 4 targets, default ``[0, 1, 1, 0]``
    tolerance : float
        Largest allowed ``|prediction - target|`` (default 0.4).

    Returns
    -------
    bool for one run, or a boolean array of shape (S,) for ``(S, 4)`` predictions.
    """
    p = np.asarray(predictions, dtype=np.float64)
    t = xor()[1].reshape(4) if targets is None else np.asarray(targets, dtype=np.float64).reshape(4)
    if p.shape in ((4,), (4, 1)):
        return bool(np.all(np.abs(p.reshape(4) - t) < tolerance))
    if p.ndim == 2 and p.shape[1] == 4:
        return np.all(np.abs(p - t) < tolerance, axis=1)
    raise ValueError(f"learned_xor: expected predictions of shape (4,), (4, 1) or (S, 4), got {p.shape}")


@dataclass
class XorRuns:
    """The result of :func:`train_xor`: S trained 2-H-1 sigmoid networks.

    Attributes
    ----------
    lrs : (S,) learning rate of each run
    seeds : (S,) seed of each run (``np.random.default_rng(seed)`` drew its initial weights)
    hidden : H, the number of hidden units (the same for all runs)
    epochs : number of gradient-descent steps
    W1, b1, W2, b2 : the trained ``W^(1)``, ``b^(1)``, ``W^(2)``, ``b^(2)`` of every run, of shapes
        (S, 2, H), (S, H), (S, H, 1), (S, 1)
    losses : (epochs, S) the loss L at the start of each epoch (before its update), as ``fit`` records it
    predictions : (S, 4) the trained networks' outputs ``Y_hat`` for the four XOR inputs
    final_loss : (S,) the loss L of the trained networks (after the last update)
    learned : (S,) bool, :func:`learned_xor` of each run's predictions
    """

    lrs: np.ndarray
    seeds: np.ndarray
    hidden: int
    epochs: int
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    losses: np.ndarray
    predictions: np.ndarray
    final_loss: np.ndarray
    learned: np.ndarray

    def __len__(self) -> int:
        return len(self.lrs)

    def model(self, i: int = 0) -> Sequential:
        """Run ``i`` as a bplib ``Sequential`` (Linear, Sigmoid, Linear, Sigmoid) holding copies of its weights."""
        net = xor_network(self.hidden, int(self.seeds[i]))  # its initial weights are overwritten at once
        net[0].params["W"][...] = self.W1[i]
        net[0].params["b"][...] = self.b1[i]
        net[2].params["W"][...] = self.W2[i]
        net[2].params["b"][...] = self.b2[i]
        return net

    def __repr__(self) -> str:
        return (f"XorRuns({len(self)} runs of a 2-{self.hidden}-1 network, {self.epochs} epochs, "
                f"{int(self.learned.sum())} learned XOR)")


def _as_runs(lr: float | Sequence[float], seeds: int | Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Learning rates and seeds as two arrays of equal length S (a single value is repeated)."""
    lrs = np.atleast_1d(np.asarray(lr, dtype=np.float64))
    seed_array = np.atleast_1d(np.asarray(seeds))
    if lrs.ndim != 1 or seed_array.ndim != 1:
        raise ValueError("train_xor: lr and seeds must be numbers or 1-D sequences")
    if len(lrs) == 1 and len(seed_array) > 1:
        lrs = np.repeat(lrs, len(seed_array))
    elif len(seed_array) == 1 and len(lrs) > 1:
        seed_array = np.repeat(seed_array, len(lrs))
    if len(lrs) != len(seed_array):
        raise ValueError(f"train_xor: got {len(lrs)} learning rates but {len(seed_array)} seeds; "
                         f"give one of them as a single value, or both with the same length")
    if not np.all(lrs > 0):
        raise ValueError(f"train_xor: learning rates must be positive, got {lrs}")
    if not np.issubdtype(seed_array.dtype, np.integer):
        raise ValueError(f"train_xor: seeds must be integers, got {seed_array}")
    return lrs, seed_array


def xor_network(hidden: int, seed: int) -> Sequential:
    """R1's 2-``hidden``-1 sigmoid network, its weights drawn from N(0, 1) by ``np.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    return Sequential(Linear(2, hidden, init="normal", rng=rng), Sigmoid(),
                      Linear(hidden, 1, init="normal", rng=rng), Sigmoid())


def train_xor(lr: float | Sequence[float] = XOR_LR, hidden: int = XOR_HIDDEN,
              epochs: int = XOR_EPOCHS, seeds: int | Sequence[int] = 0) -> XorRuns:
    """Train 2-``hidden``-1 sigmoid networks on XOR the way R1 does, one run per (learning rate, seed).

    Each run is this loop, with bplib's layers (the backward pass is theirs, written once in
    :mod:`bplib.nn`), on the four XOR points ``X`` (4, 2) and their targets ``Y`` (4, 1)::

        model = xor_network(hidden, seed)             # Linear, Sigmoid, Linear, Sigmoid
        loss, optimizer = MSELoss(), SGD(lr)
        for epoch in range(epochs):                   # full batch: all four points every step
            losses[epoch] = loss.forward(model.forward(X), Y)
            model.backward(loss.backward(), need_input_grad=False)
            optimizer.step(model)                     # W <- W - eta * dW, b <- b - eta * db

    Parameters
    ----------
    lr : a learning rate ``eta``, or one per run
    hidden : number of hidden units H (R1: 4)
    epochs : number of full-batch gradient-descent steps (R1: 10,000)
    seeds : a seed, or one per run; a single ``lr`` or seed is used for every run

    Returns
    -------
    XorRuns
        The S runs' trained weights, loss curves and predictions, stacked along a leading run axis.
    """
    if int(hidden) != hidden or hidden < 1:
        raise ValueError(f"train_xor: hidden must be a positive integer, got {hidden!r}")
    if int(epochs) != epochs or epochs < 0:
        raise ValueError(f"train_xor: epochs must be a non-negative integer, got {epochs!r}")
    hidden, epochs = int(hidden), int(epochs)
    lrs, seed_array = _as_runs(lr, seeds)
    X, Y = xor()                                   # (4, 2) and (4, 1)

    losses = np.empty((epochs, len(lrs)))
    models = []
    for run, (eta, seed) in enumerate(zip(lrs, seed_array)):
        model = xor_network(hidden, int(seed))
        loss, optimizer = MSELoss(), SGD(float(eta))
        for epoch in range(epochs):
            losses[epoch, run] = loss.forward(model.forward(X), Y)
            model.backward(loss.backward(), need_input_grad=False)
            optimizer.step(model)
        models.append(model)

    predictions = np.stack([model.forward(X)[:, 0] for model in models])           # (S, 4)
    final_loss = np.array([MSELoss().forward(p[:, None], Y) for p in predictions])  # (S,)
    return XorRuns(lrs=lrs, seeds=seed_array, hidden=hidden, epochs=epochs,
                   W1=np.stack([m[0].params["W"] for m in models]), b1=np.stack([m[0].params["b"] for m in models]),
                   W2=np.stack([m[2].params["W"] for m in models]), b2=np.stack([m[2].params["b"] for m in models]),
                   losses=losses, predictions=predictions, final_loss=final_loss, learned=learned_xor(predictions))


# ------------------------------------------------------------------------------------------------
# Vanishing and exploding gradients in a fresh deep network (notebook 12)
# ------------------------------------------------------------------------------------------------

#: Number of ``Linear`` layers of the default run.
DEFAULT_DEPTH: int = 10
#: Default initialisation (Glorot/Xavier, Keras's default scale).
DEFAULT_INIT: str = "xavier"
#: Default activation: the sigmoid, whose gradients vanish in a deep net.
DEFAULT_ACTIVATION: str = "sigmoid"
#: The initialisations of :class:`bplib.nn.Linear`.
INITS: tuple[str, ...] = ("normal", "xavier", "he")
#: The activations and their layers.
ACTIVATIONS: dict[str, type] = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}
#: Width of every hidden layer (and of the input).
WIDTH: int = 64
#: Number of random input rows of one run.
N_EXAMPLES: int = 512
#: Number of classes of the random labels (the output width).
N_CLASSES: int = 10
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


def _check_settings(depth: int, init: str, activation: str, caller: str) -> None:
    if int(depth) != depth or depth < 2:
        raise ValueError(f"{caller}: depth must be an integer >= 2 (Linear layers), got {depth}")
    if init not in INITS:
        raise ValueError(f"{caller}: unknown init {init!r}; choose one of {list(INITS)}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"{caller}: unknown activation {activation!r}; choose one of {list(ACTIVATIONS)}")


def build_deep_net(depth: int, init: str, activation: str, rng: np.random.Generator, *, width: int = WIDTH,
                   n_classes: int = N_CLASSES) -> Sequential:
    """``depth`` ``Linear`` layers: ``depth - 1`` hidden ``Linear(width, width)`` + activation, then ``Linear(width, n_classes)``.

    Every ``Linear`` is drawn with ``init`` ("normal", "xavier" or "he") from ``rng``.
    """
    _check_settings(depth, init, activation, "build_deep_net")
    layers = []
    for _ in range(depth - 1):
        layers += [Linear(width, width, init=init, rng=rng), ACTIVATIONS[activation]()]
    layers.append(Linear(width, n_classes, init=init, rng=rng))
    return Sequential(*layers)


def layer_gradient_norms(model: HasParameters, *, include_biases: bool = False) -> dict[str, float]:
    """The Euclidean (Frobenius) norm of each weight gradient, ``||dW^(l)||``, by parameter name.

    Reads ``model.parameters()``, which yields ``(name, param, grad)`` (``"0.W"``,
    ``"0.b"``, ``"2.W"``...); keeps the weight matrices (names ending in ``W``) unless
    ``include_biases``. Call it after a backward pass.
    """
    norms: dict[str, float] = {}
    for name, _param, grad in model.parameters():
        if not include_biases and name.split(".")[-1] != "W":
            continue
        if grad is None:
            raise ValueError(f"layer_gradient_norms: parameter {name!r} has no gradient yet; "
                             f"run a forward and a backward pass first")
        norms[name] = float(np.linalg.norm(np.asarray(grad, dtype=np.float64)))
    return norms


def depth_run(depth: int = DEFAULT_DEPTH, init: str = DEFAULT_INIT, activation: str = DEFAULT_ACTIVATION, *,
              seed: int = 0) -> DepthRun:
    """Build a fresh network, run one forward and one backward pass on random data, and measure.

    The data are ``N_EXAMPLES`` rows of ``WIDTH`` standard normal inputs with random labels in
    ``0 .. N_CLASSES - 1``, the loss is :class:`bplib.nn.SoftmaxCrossEntropy`; everything is drawn
    from ``np.random.default_rng(seed)`` and computed in float64, so a run is reproducible.
    """
    _check_settings(depth, init, activation, "depth_run")
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
