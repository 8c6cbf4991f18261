"""The figures the course draws again and again, with one consistent look.

Every function returns ``(fig, ax)`` (or ``(fig, axes)`` for several panels), accepts an
optional ``ax=`` (or ``axes=``) to draw into an existing figure, and never calls
``plt.show()``: in a notebook the figure appears on its own at the end of the cell.
Only NumPy and matplotlib are used.

==========================  =====================================================
``loss_curves``             train/validation loss per epoch (+ per-step losses)
``accuracy_curves``         train/validation accuracy per epoch
``decision_boundary``       the regions a 2-D classifier assigns to each class
``gradient_norms``          per-layer gradient norms (``experiments.layer_gradient_norms``)
``histograms``              one histogram per layer, side by side
``digit_grid``              MNIST digits with labels and predictions
``confusion_matrix``        counts of (true, predicted) pairs (``confusion_counts``)
``weight_images``           first-layer weights seen as images
``draw_graph``              the computational graph of a ``bplib.autograd.Value``
==========================  =====================================================
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bplib.autograd import Value, topological_order

__all__ = [
    "loss_curves",
    "accuracy_curves",
    "decision_boundary",
    "gradient_norms",
    "histograms",
    "digit_grid",
    "confusion_matrix",
    "confusion_counts",
    "weight_images",
    "draw_graph",
]

FIGSIZE = (6.0, 4.0)  # the default size of a one-panel figure, in inches
TRAIN_COLOR, VAL_COLOR = "#1f77b4", "#d62728"  # blue for training, red for validation
CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]  # matplotlib's tab10


# ---- small helpers ----------------------------------------------------------------------
def _figure_and_axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> tuple[Figure, Axes]:
    """A new figure with one Axes, or the figure of the given ``ax``."""
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax


def _light_grid(ax: Axes) -> None:
    ax.grid(True, color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)


def _curves_from(history: Any, train_key: str, val_key: str) -> tuple[list[float], list[float], list[float]]:
    """(train, validation, per-step) lists from a History, a dict or a plain list.

    Accepted: an object with attributes ``train_<what>``, ``val_<what>`` (and ``step_loss``);
    a dict with keys ``"train"`` and ``"validation"`` (or ``"val"``, or the attribute names,
    and ``"step"``); a plain list of training values.
    """
    what = train_key.removeprefix("train_")
    if isinstance(history, Mapping):
        def pick(*keys: str) -> list[float]:
            for key in keys:
                if key in history and history[key] is not None:
                    return list(history[key])
            return []
        train = pick("train", train_key, "training")
        val = pick("validation", "val", val_key, "test")
        step = pick("step", "step_loss", "steps") if what == "loss" else []
    elif hasattr(history, train_key):
        train = list(getattr(history, train_key) or [])
        val = list(getattr(history, val_key, None) or [])
        step = list(getattr(history, "step_loss", None) or []) if what == "loss" else []
    elif isinstance(history, (Sequence, np.ndarray)):
        train, val, step = list(np.ravel(history)), [], []
    else:
        raise TypeError(f"{what}_curves: expected a History, a dict or a list of {what} values, "
                        f"got {type(history).__name__}")
    return [float(v) for v in train], [float(v) for v in val], [float(v) for v in step]


def _as_labels(y: Any) -> np.ndarray:
    """Integer class labels from labels (N,) or (N, 1), one-hot rows or scores (N, C)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1)
    y = y.reshape(-1)
    return np.rint(y).astype(np.int64) if np.issubdtype(y.dtype, np.floating) else y.astype(np.int64)


# ---- training curves ---------------------------------------------------------------------
def loss_curves(history_or_dict: Any, *, log_scale: bool = False, step_losses: bool = False,
                ax: Axes | None = None, title: str = "Loss per epoch") -> tuple[Figure, Axes]:
    """Plot the training and validation loss per epoch.

    Parameters
    ----------
    history_or_dict : History, dict or list
        A ``bplib.train.History`` (attributes ``train_loss``, ``val_loss``, ``step_loss``),
        a dict ``{"train": [...], "validation": [...], "step": [...]}`` or a list of
        training losses. An empty validation list is simply not drawn.
    log_scale : bool
        Logarithmic y axis (useful when the loss spans several orders of magnitude).
    step_losses : bool
        Also draw the loss of every mini-batch step, lightly, behind the epoch curves.
        Step ``i`` of ``S`` steps over ``E`` epochs is placed at epoch ``(i + 1) * E / S``.
    ax : Axes, optional
        Draw into this Axes instead of a new figure.
    title : str
        Axes title.
    """
    train, val, step = _curves_from(history_or_dict, "train_loss", "val_loss")
    if not train and not val:
        raise ValueError("loss_curves: no losses to plot: the training and validation lists are empty")
    fig, ax = _figure_and_axes(ax)
    if step_losses:
        if not step:
            raise ValueError("loss_curves: step_losses=True needs per-step losses (History.step_loss or a dict key 'step')")
        n_epochs = max(len(train), len(val), 1)
        x_steps = np.arange(1, len(step) + 1) * n_epochs / len(step)
        ax.plot(x_steps, step, color=TRAIN_COLOR, alpha=0.25, linewidth=0.8, zorder=1, label="train (per step)")
    marker = "o" if max(len(train), len(val)) <= 30 else None  # dots only when they can be seen
    if train:
        ax.plot(np.arange(1, len(train) + 1), train, color=TRAIN_COLOR, marker=marker, markersize=4,
                linewidth=2, label="train", zorder=3)
    if val:
        ax.plot(np.arange(1, len(val) + 1), val, color=VAL_COLOR, marker=marker, markersize=4,
                linewidth=2, label="validation", zorder=3)
    if log_scale:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (log scale)" if log_scale else "loss")
    ax.set_title(title)
    ax.legend()
    _light_grid(ax)
    return fig, ax


def accuracy_curves(history: Any, ax: Axes | None = None, *,
                    title: str = "Accuracy per epoch") -> tuple[Figure, Axes]:
    """Plot the training and validation accuracy per epoch (``train_accuracy``, ``val_accuracy``).

    ``history`` is a ``History``, a dict ``{"train": [...], "validation": [...]}`` or a list.
    """
    train, val, _ = _curves_from(history, "train_accuracy", "val_accuracy")
    if not train and not val:
        raise ValueError("accuracy_curves: no accuracies to plot: the training and validation lists are empty")
    fig, ax = _figure_and_axes(ax)
    marker = "o" if max(len(train), len(val)) <= 30 else None
    if train:
        ax.plot(np.arange(1, len(train) + 1), train, color=TRAIN_COLOR, marker=marker, markersize=4,
                linewidth=2, label="train")
    if val:
        ax.plot(np.arange(1, len(val) + 1), val, color=VAL_COLOR, marker=marker, markersize=4,
                linewidth=2, label="validation")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.legend()
    _light_grid(ax)
    return fig, ax


# ---- a 2-D classifier ----------------------------------------------------------------------
def _predicted_classes(predict: Callable[[np.ndarray], Any], points: np.ndarray) -> np.ndarray:
    """Class of every row of ``points`` (M, 2) from probabilities (M,)/(M, 1) or scores (M, C).

    One output per point is read as the probability of class 1 (threshold 0.5); if some
    outputs lie outside [0, 1] they are read as a logit instead (threshold 0).
    """
    out = np.asarray(predict(points), dtype=np.float64)
    if out.ndim == 2 and out.shape[1] > 1:  # class scores or probabilities: the largest wins
        return np.argmax(out, axis=1)
    p = out.reshape(-1)
    if p.shape[0] != points.shape[0]:
        raise ValueError(f"decision_boundary: the model returned {out.shape} for {points.shape[0]} points; "
                         f"expected ({points.shape[0]},), ({points.shape[0]}, 1) or ({points.shape[0]}, C)")
    threshold = 0.5 if np.all((p >= 0) & (p <= 1)) else 0.0
    return (p >= threshold).astype(np.int64)


def decision_boundary(predict_fn_or_model: Any, X: np.ndarray, y: np.ndarray, *, ax: Axes | None = None,
                      resolution: int = 200, title: str = "Decision boundary") -> tuple[Figure, Axes]:
    """Colour the plane by the class a 2-D classifier predicts, and show the data on top.

    Parameters
    ----------
    predict_fn_or_model : callable or model
        A function taking an (M, 2) array and returning predictions ``Y_hat``: probabilities
        (M,) or (M, 1) (class 1 where they are >= 0.5) or class scores (M, C) (the largest wins); or a model
        with a ``forward`` method returning one of those.
    X : (N, 2) array
        The data points; the plotted area is their range plus a margin.
    y : labels ``y`` (N,), or targets ``Y``: a column (N, 1) of 0/1 or one-hot rows (N, C)
        Colours of the points.
    resolution : int
        The grid has ``resolution x resolution`` points.
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"decision_boundary: expected X of shape (N, 2), got {X.shape}")
    labels = _as_labels(y)
    predict = predict_fn_or_model.forward if hasattr(predict_fn_or_model, "forward") else predict_fn_or_model

    lo, hi = X.min(axis=0), X.max(axis=0)
    margin = 0.1 * np.maximum(hi - lo, 1e-3) + 0.1
    xs = np.linspace(lo[0] - margin[0], hi[0] + margin[0], resolution)
    ys = np.linspace(lo[1] - margin[1], hi[1] + margin[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    # The grid gets the data's float dtype: a bplib model trained on float32 would otherwise
    # see float64 input and switch its parameters to float64 (parameters follow the data).
    dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64
    grid = np.column_stack([gx.ravel(), gy.ravel()]).astype(dtype)
    classes = _predicted_classes(predict, grid).reshape(gx.shape)

    n_classes = int(max(classes.max(), labels.max() if labels.size else 0)) + 1
    colors = [CLASS_COLORS[k % len(CLASS_COLORS)] for k in range(n_classes)]
    fig, ax = _figure_and_axes(ax)
    ax.contourf(gx, gy, classes, levels=np.arange(n_classes + 1) - 0.5, cmap=ListedColormap(colors), alpha=0.25)
    if classes.min() != classes.max():  # draw the boundary line itself
        ax.contour(gx, gy, classes, levels=np.arange(n_classes) + 0.5, colors="#333333", linewidths=1.0)
    for k in np.unique(labels):
        mask = labels == k
        ax.scatter(X[mask, 0], X[mask, 1], s=22, color=colors[int(k)], edgecolor="black", linewidth=0.5,
                   label=f"class {k}", zorder=3)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=9, framealpha=0.85)
    return fig, ax


# ---- gradients -------------------------------------------------------------------------------
def gradient_norms(norms_by_layer: Mapping[str, Any] | Sequence[Any], ax: Axes | None = None,
                   log_scale: bool = True, *, title: str = "Gradient norm per layer") -> tuple[Figure, Axes]:
    """Bar chart of one gradient norm per layer, or lines of norms over training.

    ``norms_by_layer`` is a dict ``{"0.W": 0.12, "2.W": 0.03}`` (see
    :func:`bplib.course.experiments.layer_gradient_norms`) or a list (layers are then named "layer 0", ...).
    If each value is itself a sequence (the norm recorded at every step), one line per
    layer is drawn against the step instead. ``log_scale`` (default) shows vanishing and
    exploding gradients, which differ by orders of magnitude.
    """
    if isinstance(norms_by_layer, Mapping):
        names, values = [str(k) for k in norms_by_layer], list(norms_by_layer.values())
    else:
        values = list(norms_by_layer)
        names = [f"layer {i}" for i in range(len(values))]
    if not values:
        raise ValueError("gradient_norms: nothing to plot (no layers)")
    fig, ax = _figure_and_axes(ax)
    if np.ndim(values[0]) == 0:  # one number per layer: bars
        heights = np.asarray(values, dtype=np.float64)
        bars = ax.bar(names, heights, color=TRAIN_COLOR, edgecolor="black", linewidth=0.5)
        ax.bar_label(bars, labels=[f"{h:.2g}" for h in heights], fontsize=8, padding=2)
        ax.set_xlabel("layer")
        ax.margins(y=0.15)
    else:  # a history per layer: lines
        for k, (name, series) in enumerate(zip(names, values)):
            ax.plot(np.arange(1, len(series) + 1), series, color=CLASS_COLORS[k % 10], linewidth=1.5, label=name)
        ax.set_xlabel("step")
        ax.legend(fontsize=9)
    if log_scale:
        ax.set_yscale("log")
    ax.set_ylabel("gradient norm (log scale)" if log_scale else "gradient norm")
    ax.set_title(title)
    _light_grid(ax)
    return fig, ax


def histograms(arrays_by_name: Mapping[str, Any] | Sequence[Any], *, axes: Any = None, ax: Axes | None = None,
               bins: int = 50, shared_range: bool = True, title: str | None = None,
               xlabel: str = "value") -> tuple[Figure, np.ndarray]:
    """One small histogram per layer, side by side (activations or gradients).

    Parameters
    ----------
    arrays_by_name : dict name -> array, or list of arrays
        Each array is flattened. A list gets the names "layer 0", "layer 1", ...
    axes, ax : Axes or sequence of Axes, optional
        Draw into these (one per array) instead of a new figure; ``ax`` is an alias.
    bins : int
        Number of bins of each histogram.
    shared_range : bool
        Same x range (and bins) for all panels, so that the spreads compare at a glance.
    title : str, optional
        Title over all panels. Each panel's own title gives its name, mean and std.

    Returns
    -------
    (fig, axes) with ``axes`` a 1-D array of Axes.
    """
    if isinstance(arrays_by_name, Mapping):
        items = [(str(k), np.asarray(v, dtype=np.float64).ravel()) for k, v in arrays_by_name.items()]
    else:
        items = [(f"layer {i}", np.asarray(v, dtype=np.float64).ravel()) for i, v in enumerate(arrays_by_name)]
    if not items:
        raise ValueError("histograms: nothing to plot (no arrays)")
    items = [(name, a[np.isfinite(a)]) for name, a in items]  # NaN/inf cannot be binned

    axes = axes if axes is not None else ax
    if axes is None:
        n = len(items)
        fig, axes = plt.subplots(1, n, figsize=(max(6.0, 2.4 * n), 3.2), layout="constrained", squeeze=False)
        axes = axes[0]
    else:
        axes = np.atleast_1d(np.asarray(axes, dtype=object)).ravel()
        if len(axes) < len(items):
            raise ValueError(f"histograms: {len(items)} arrays but only {len(axes)} axes")
        fig = axes[0].figure

    value_range = None
    if shared_range:
        nonempty = [a for _, a in items if a.size]
        if nonempty:
            lo, hi = min(a.min() for a in nonempty), max(a.max() for a in nonempty)
            value_range = (lo, hi) if hi > lo else (lo - 0.5, hi + 0.5)
    for k, (a_x, (name, a)) in enumerate(zip(axes, items)):
        if a.size:
            a_x.hist(a, bins=bins, range=value_range, color=CLASS_COLORS[k % 10], alpha=0.85)
            a_x.set_title(f"{name}\nmean {a.mean():.2g}, std {a.std():.2g}", fontsize=9)
        else:
            a_x.text(0.5, 0.5, "no finite values", ha="center", va="center", transform=a_x.transAxes)
            a_x.set_title(name, fontsize=9)
        a_x.set_xlabel(xlabel)
        a_x.tick_params(labelsize=8)
        _light_grid(a_x)
    axes[0].set_ylabel("count")
    if title:
        fig.suptitle(title)
    return fig, np.asarray(axes[: len(items)])


# ---- images ------------------------------------------------------------------------------------
def _grid_axes(n: int, n_cols: int, cell: tuple[float, float], axes: Any) -> tuple[Figure, np.ndarray]:
    """A figure with ``n`` image panels in rows of ``n_cols`` (extra panels hidden), or the given axes."""
    if axes is not None:
        axes = np.atleast_1d(np.asarray(axes, dtype=object)).ravel()
        if len(axes) < n:
            raise ValueError(f"{n} images but only {len(axes)} axes: pass at least one axes per image")
        return axes[0].figure, axes
    n_cols = max(1, min(n_cols, n))
    n_rows = -(-n // n_cols)  # ceiling division
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(cell[0] * n_cols, cell[1] * n_rows + 0.4),
                             squeeze=False, layout="constrained")
    axes = axes.ravel()
    for a in axes[n:]:
        a.set_visible(False)
    return fig, axes


def digit_grid(images: np.ndarray, labels: Any = None, predictions: Any = None, n_cols: int = 10, *,
               n: int | None = None, title: str | None = None, cmap: str = "gray_r",
               axes: Any = None) -> tuple[Figure, np.ndarray]:
    """Show MNIST digits in a grid, titled with their label and the model's prediction.

    Parameters
    ----------
    images : (N, 784) or (N, 28, 28) array
        Pixel values (floats in [0, 1] or uint8).
    labels, predictions : (N,) int arrays, optional
        True classes and predicted classes (or (N, C) scores/one-hot rows: the argmax is
        used). A wrong prediction is titled in red.
    n_cols : int
        Images per row.
    n : int, optional
        Show the first ``n`` images; default all of them, at most 100.
    axes : sequence of Axes, optional
        Draw into these (at least ``n``) instead of a new figure.
    """
    images = np.asarray(images)
    if images.ndim == 2:
        side = int(round(np.sqrt(images.shape[1])))
        if side * side != images.shape[1]:
            raise ValueError(f"digit_grid: expected images of shape (N, 784) or (N, 28, 28), got {images.shape}")
        images = images.reshape(-1, side, side)
    if images.ndim != 3:
        raise ValueError(f"digit_grid: expected images of shape (N, 784) or (N, 28, 28), got {images.shape}")
    n = min(len(images), 100) if n is None else min(n, len(images))
    true = _as_labels(labels)[:n] if labels is not None else None
    pred = _as_labels(predictions)[:n] if predictions is not None else None
    vmax = 255 if images.dtype == np.uint8 else max(1.0, float(images[:n].max(initial=0.0)))

    fig, axes = _grid_axes(n, n_cols, (1.0, 1.25 if pred is not None and true is not None else 1.1), axes)
    for i in range(n):
        a = axes[i]
        a.imshow(images[i], cmap=cmap, vmin=0, vmax=vmax)
        a.set_xticks([])
        a.set_yticks([])
        if true is not None and pred is not None:
            wrong = true[i] != pred[i]
            a.set_title(f"label {true[i]}\npred {pred[i]}", fontsize=8,
                        color="#d62728" if wrong else "black", fontweight="bold" if wrong else "normal")
        elif true is not None:
            a.set_title(f"label {true[i]}", fontsize=8)
        elif pred is not None:
            a.set_title(f"pred {pred[i]}", fontsize=8)
    if title:
        fig.suptitle(title)
    return fig, np.asarray(axes[:n])


def weight_images(W: np.ndarray, n: int = 16, shape: tuple[int, int] = (28, 28), *, n_cols: int = 8,
                  title: str = "First-layer weights", cmap: str = "RdBu_r",
                  axes: Any = None) -> tuple[Figure, np.ndarray]:
    """Show the first ``n`` columns of a first-layer weight matrix as images.

    Column ``j`` of ``W`` (shape ``(D_in, D_out)``, ``D_in = 28*28``) holds the weights
    from every pixel to hidden unit ``j``: reshaped to 28x28 it shows which pixels excite
    (red) or inhibit (blue) that unit. Each image has its own symmetric colour scale
    (white = 0).
    """
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != shape[0] * shape[1]:
        raise ValueError(f"weight_images: expected W of shape ({shape[0] * shape[1]}, D_out) "
                         f"for images of shape {shape}, got {W.shape}")
    n = min(n, W.shape[1])
    fig, axes = _grid_axes(n, n_cols, (1.0, 1.1), axes)
    for j in range(n):
        image = W[:, j].reshape(shape)
        limit = float(np.abs(image).max()) or 1.0
        axes[j].imshow(image, cmap=cmap, vmin=-limit, vmax=limit)
        axes[j].set_xticks([])
        axes[j].set_yticks([])
        axes[j].set_title(f"unit {j}", fontsize=8)
    if title:
        fig.suptitle(title)
    return fig, np.asarray(axes[:n])


# ---- confusion matrix --------------------------------------------------------------------------
def confusion_counts(y_true: Any, y_pred: Any, n_classes: int | None = None) -> np.ndarray:
    """The (C, C) integer matrix of counts: row = true class, column = predicted class.

    Each pair (t, p) is turned into the single index ``t * C + p``; ``np.bincount`` counts
    every index and the result is reshaped to (C, C). Labels may be (N, C) scores or
    one-hot rows (the argmax is used). ``n_classes`` defaults to the largest label + 1.
    """
    t, p = _as_labels(y_true), _as_labels(y_pred)
    if t.shape != p.shape:
        raise ValueError(f"confusion_counts: y_true has {t.shape[0]} labels but y_pred has {p.shape[0]}")
    if n_classes is None:
        n_classes = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    for name, labels in (("y_true", t), ("y_pred", p)):
        bad = labels[(labels < 0) | (labels >= n_classes)]
        if bad.size:
            raise ValueError(f"confusion_counts: {name} contains label {bad[0]}, outside [0, {n_classes})")
    counts = np.bincount(t * n_classes + p, minlength=n_classes * n_classes)
    return counts.reshape(n_classes, n_classes)


def confusion_matrix(y_true: Any, y_pred: Any, n_classes: int | None = None, ax: Axes | None = None,
                     normalize: bool = False, *, title: str = "Confusion matrix",
                     class_names: Sequence[str] | None = None) -> tuple[Figure, Axes]:
    """Draw the confusion matrix (rows: true class, columns: predicted class) with counts in the cells.

    With ``normalize=True`` each row is divided by its total, so a cell shows the fraction
    of that true class predicted as each class (the diagonal is the per-class recall).
    """
    counts = confusion_counts(y_true, y_pred, n_classes)
    C = counts.shape[0]
    if normalize:
        totals = counts.sum(axis=1, keepdims=True)
        values = counts / np.maximum(totals, 1)  # an absent class gives a row of zeros, not 0/0
    else:
        values = counts
    fig, ax = _figure_and_axes(ax, figsize=(5.6, 4.6))
    image = ax.imshow(values, cmap="Blues", vmin=0, vmax=1.0 if normalize else max(1, int(values.max())))
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="fraction of row" if normalize else "count")
    threshold = (1.0 if normalize else max(1, values.max())) / 2
    fontsize = 9 if C <= 10 else 7
    for i in range(C):
        for j in range(C):
            text = f"{values[i, j]:.2f}" if normalize else str(int(values[i, j]))
            ax.text(j, i, text, ha="center", va="center", fontsize=fontsize,
                    color="white" if values[i, j] > threshold else "black")
    names = list(class_names) if class_names is not None else [str(k) for k in range(C)]
    ax.set_xticks(range(C), names)
    ax.set_yticks(range(C), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    return fig, ax


# ==== drawing the graph ======================================================================
# Layout in "inches at scale 1": every Value is a box in a column given by its depth (inputs
# left, output right); the operation that produced it is a small circle just left of its box.

_COL_W, _ROW_H = 2.0, 0.85  # distance between columns / rows
_BOX_W, _BOX_H = 1.2, 0.62  # size of a Value box
_OP_R, _OP_GAP = 0.19, 0.37  # op circle radius; distance from box's left edge to circle centre
_OP_SYMBOLS = {"*": "×", "/": "÷", "-": "−", "neg": "−x", "sigmoid": "σ"}


def _layout(root: Value) -> dict[Value, tuple[float, float]]:
    """Column (depth) and row of every Value in the graph of ``root``."""
    order = topological_order(root)
    depth: dict[Value, int] = {}
    for node in order:  # children come first, so their depth is known
        depth[node] = 1 + max((depth[c] for c in node._prev), default=-1)
    # Put each input just left of the first operation that uses it (not all in column 0):
    # a constant used near the output then gets a short arrow.
    consumers: dict[Value, list[Value]] = {}
    for node in order:
        for child in node._prev:
            consumers.setdefault(child, []).append(node)
    for node in order:
        if not node._prev and node in consumers:
            depth[node] = min(depth[p] for p in consumers[node]) - 1

    # Rows: a depth-first walk from the output gives each input the next free row; an
    # operation sits at the mean row of its inputs (a "tidy tree" layout).
    row: dict[Value, float] = {}
    next_row = 0.0
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            row[node] = float(np.mean([row[c] for c in node._prev]))
        elif node not in row:
            if not node._prev:
                row[node], next_row = next_row, next_row + 1
            else:
                row[node] = math.nan  # placeholder: "being placed"
                stack.append((node, True))
                stack.extend((c, False) for c in reversed(node._prev) if c not in row)
    # A Value used twice can land on another one's row: push overlapping boxes apart.
    for col in set(depth.values()):
        nodes = sorted((n for n in order if depth[n] == col), key=lambda n: row[n])
        for lower, upper in zip(nodes, nodes[1:]):
            row[upper] = max(row[upper], row[lower] + 1.0)
    return {n: (depth[n] * _COL_W, -row[n] * _ROW_H) for n in order}


def _clear_bend(start: tuple[float, float], end: tuple[float, float],
                obstacles: list[tuple[float, float, float, float]]) -> float:
    """The smallest bend (matplotlib's ``arc3`` rad) for which the arrow crosses no obstacle.

    An ``arc3`` arrow is a quadratic Bezier curve whose control point sits ``rad`` times the
    arrow's length to the side of its midpoint; we sample it and test each obstacle box
    (x_min, y_min, x_max, y_max). Falls back to the bend with the fewest hits.
    """
    p0, p2 = np.asarray(start), np.asarray(end)
    d = p2 - p0
    t = np.linspace(0.03, 0.97, 40)[:, None]
    best, best_hits = 0.0, math.inf
    for rad in (0.0, 0.15, -0.15, 0.3, -0.3, 0.45, -0.45, 0.6, -0.6):
        control = (p0 + p2) / 2 + rad * np.array([d[1], -d[0]])
        curve = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t**2 * p2
        hits = sum(bool(np.any((curve[:, 0] > x0) & (curve[:, 0] < x1) & (curve[:, 1] > y0) & (curve[:, 1] < y1)))
                   for x0, y0, x1, y1 in obstacles)
        if hits < best_hits:
            best, best_hits = rad, hits
        if hits == 0:
            break
    return best


def draw_graph(value: Value, ax: Axes | None = None, figsize: tuple[float, float] | None = None,
               highlight: Value | Iterable[Value] | None = None, *,
               title: str | None = None) -> tuple[Figure, Axes]:
    """Draw the computational graph of ``value`` with matplotlib (no graphviz).

    Each Value is a box showing its label, ``data`` and ``grad`` (4 decimals); each
    operation is a small circle (``+``, ``×``, ``tanh`` ...) with an arrow from every input
    and one to its result. Inputs are on the left, the output (green) on the right.

    Parameters
    ----------
    value : Value
        The output of the expression.
    ax : matplotlib Axes, optional
        Draw into this Axes (it is cleared); default: a new figure.
    figsize : (width, height) in inches, optional
        Size of the new figure; default: fitted to the graph.
    highlight : Value or collection of Values, optional
        Values drawn in orange, e.g. the node a step-by-step backward pass is at.
    title : str, optional
        A title above the graph (room is kept for it in a new figure).

    Returns
    -------
    (fig, ax)
        ``ax.texts`` holds exactly one Text per Value (gid ``"value"``) and one per
        operation (gid ``"op"``). ``plt.show()`` is never called.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    if isinstance(highlight, Value):
        highlight = {highlight}
    highlighted = set(highlight or ())
    pos = _layout(value)

    # Size: 1 layout unit = 1 inch at scale 1; shrink everything if the figure is smaller.
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    lefts = [x - _BOX_W / 2 - (_OP_GAP + _OP_R if n._prev else 0.0) for n, (x, _) in pos.items()]
    x0, x1 = min(lefts) - 0.15, max(xs) + _BOX_W / 2 + 0.15
    y0, y1 = min(ys) - _BOX_H / 2 - 0.15, max(ys) + _BOX_H / 2 + 0.15
    natural = (x1 - x0, y1 - y0)
    if ax is None:
        top = 0.35 if title else 0.0  # inches kept free for the title
        if figsize is None:  # fitted to the graph, at most 16 inches wide
            s = min(1.0, 16.0 / natural[0])
            figsize = (max(natural[0] * s, 2.0), max(natural[1] * s, 1.2) + top)
        fig, ax = plt.subplots(figsize=figsize)
        fig.subplots_adjust(0, 0, 1, 1 - top / figsize[1])
    else:
        fig = ax.figure
        ax.clear()
    bbox = ax.get_position()
    width_in, height_in = bbox.width * fig.get_figwidth(), bbox.height * fig.get_figheight()
    scale = min(width_in / natural[0], height_in / natural[1])  # equal aspect: the tighter fits
    font = 8.0 * min(scale, 1.6)
    lw = max(0.4, min(scale, 1.3))  # line widths follow the scale too

    ax.set_aspect("equal")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.axis("off")
    if title:
        ax.set_title(title)

    def arrow(start: tuple[float, float], end: tuple[float, float], rad: float = 0.0) -> None:
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9 * min(scale, 1.6),
                                     connectionstyle=f"arc3,rad={rad}", color="#555555",
                                     linewidth=0.9 * lw, shrinkA=0, shrinkB=0, zorder=1))

    # Everything an arrow should not cross: the boxes and the op circles (as small squares).
    boxes = {n: (x - _BOX_W / 2, y - _BOX_H / 2, x + _BOX_W / 2, y + _BOX_H / 2) for n, (x, y) in pos.items()}
    circles = {n: (x - _BOX_W / 2 - _OP_GAP - _OP_R, y - _OP_R, x - _BOX_W / 2 - _OP_GAP + _OP_R, y + _OP_R)
               for n, (x, y) in pos.items() if n._prev}

    for node, (x, y) in pos.items():
        hot = node in highlighted
        if hot:
            face, edge = "#ffd27f", "#d95f02"
        elif node is value:
            face, edge = "#d9f0d3", "#1b7837"
        elif not node._prev:
            face, edge = "#dbe9f6", "#2166ac"
        else:
            face, edge = "#f4f4f4", "#555555"
        ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                                    boxstyle="round,pad=0,rounding_size=0.06", facecolor=face,
                                    edgecolor=edge, linewidth=(2.0 if hot else 1.0) * lw, zorder=2))
        lines = [f"data {node.data:.4f}", f"grad {node.grad:.4f}"]
        if node.label:
            lines.insert(0, node.label)
        text = ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=font,
                       family="monospace", linespacing=1.25, zorder=3)
        text.set_gid("value")
        if not node._prev:
            continue
        # The operation's circle, its arrow to the result and the arrows from its inputs.
        ox = x - _BOX_W / 2 - _OP_GAP
        ax.add_patch(Circle((ox, y), _OP_R, facecolor="#ffd27f" if hot else "white",
                            edgecolor=edge if hot else "#555555", linewidth=lw, zorder=2))
        symbol = _OP_SYMBOLS.get(node._op, node._op)
        if symbol.startswith("**"):
            symbol = "^" + symbol[2:]
        op_text = ax.text(ox, y, symbol, ha="center", va="center", zorder=3,
                          fontsize=font * (1.0 if len(symbol) <= 2 else 0.85))
        op_text.set_gid("op")
        arrow((ox + _OP_R, y), (x - _BOX_W / 2, y))
        for k, child in enumerate(node._prev):
            cx, cy = pos[child]
            start = (cx + _BOX_W / 2, cy)
            # Point the arrow at the circle's edge, along the line between the two centres.
            dx, dy = ox - start[0], y - cy
            dist = math.hypot(dx, dy)
            end = (ox - _OP_R * dx / dist, y - _OP_R * dy / dist)
            if node._prev.count(child) > 1:  # a*a: two arrows, bent apart, so both are visible
                arrow(start, end, rad=0.25 if k == node._prev.index(child) else -0.25)
            else:  # bend the arrow if a straight one would run behind another box
                others = [b for n, b in boxes.items() if n is not child]
                others += [c for n, c in circles.items() if n is not node]
                arrow(start, end, rad=_clear_bend(start, end, others))
    return fig, ax
