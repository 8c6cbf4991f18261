"""Tests of bplib.course.plots: each figure builds from small synthetic inputs (Agg backend), returns its
figure and axes with labels and titles, and never calls plt.show(); plus the two computing helpers."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from bplib.course import plots  # noqa: E402
from bplib.course.experiments import layer_gradient_norms  # noqa: E402  (computation; gradient_norms draws it)


@pytest.fixture(autouse=True)
def _no_show_and_close(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("library code must not call plt.show()"))
    yield
    plt.close("all")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def assert_labelled(ax) -> None:
    assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()


def history(epochs: int = 5, steps_per_epoch: int = 4, with_val: bool = True) -> SimpleNamespace:
    steps = list(np.exp(-np.linspace(0, 2, epochs * steps_per_epoch)))
    return SimpleNamespace(
        train_loss=list(np.linspace(1.0, 0.2, epochs)),
        val_loss=list(np.linspace(1.1, 0.3, epochs)) if with_val else [],
        step_loss=steps,
        train_accuracy=list(np.linspace(0.5, 0.95, epochs)),
        val_accuracy=list(np.linspace(0.45, 0.9, epochs)) if with_val else [],
    )


# ---- curves -------------------------------------------------------------------------------------------
def test_loss_curves_from_history(rng) -> None:
    fig, ax = plots.loss_curves(history(), log_scale=True, step_losses=True)
    assert isinstance(fig, Figure)
    assert_labelled(ax)
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == 3  # per-step, train, validation
    assert tuple(fig.get_size_inches()) == (6.0, 4.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train (per step)", "train", "validation"]


def test_loss_curves_from_dict_list_and_empty_validation() -> None:
    _, ax = plots.loss_curves({"train": [1.0, 0.5], "validation": [1.2, 0.7]}, title="XOR")
    assert ax.get_title() == "XOR" and len(ax.lines) == 2
    _, ax = plots.loss_curves([3.0, 2.0, 1.0])
    assert len(ax.lines) == 1
    _, ax = plots.loss_curves(history(with_val=False))
    assert len(ax.lines) == 1
    with pytest.raises(ValueError, match="step"):
        plots.loss_curves([1.0, 0.5], step_losses=True)


def test_loss_and_accuracy_draw_into_given_axes() -> None:
    fig, axes = plt.subplots(1, 2)
    out_fig, out_ax = plots.loss_curves(history(), ax=axes[0])
    assert out_fig is fig and out_ax is axes[0]
    out_fig, out_ax = plots.accuracy_curves(history(), ax=axes[1])
    assert out_fig is fig and out_ax is axes[1]
    assert_labelled(out_ax)
    assert len(out_ax.lines) == 2


# ---- decision boundary ---------------------------------------------------------------------------------
@pytest.mark.parametrize("output", ["prob_column", "prob_flat", "scores", "model"])
def test_decision_boundary_accepts_every_output_form(rng, output: str) -> None:
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)

    def prob(Z: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(Z[:, :1] + Z[:, 1:])))  # (M, 1)

    predict = {
        "prob_column": prob,
        "prob_flat": lambda Z: prob(Z).ravel(),
        "scores": lambda Z: np.column_stack([-(Z[:, 0] + Z[:, 1]), Z[:, 0] + Z[:, 1]]),
        "model": SimpleNamespace(forward=prob),
    }[output]
    fig, ax = plots.decision_boundary(predict, X, y, resolution=40)
    assert isinstance(fig, Figure)
    assert_labelled(ax)
    assert len(ax.collections) >= 3  # filled regions, the boundary line, the points


def test_decision_boundary_keeps_float32_and_three_classes(rng) -> None:
    X = rng.normal(size=(30, 2)).astype(np.float32)
    seen = []

    def scores(Z: np.ndarray) -> np.ndarray:
        seen.append(Z.dtype)
        return Z @ np.array([[1.0, 0.0, -1.0], [0.0, 1.0, -1.0]], dtype=np.float32)

    y = np.argmax(scores(X), axis=1)
    _, ax = plots.decision_boundary(scores, X, y, resolution=30, title="three classes")
    assert seen[-1] == np.float32  # the grid is built in the data's dtype
    assert ax.get_title() == "three classes"
    assert len(ax.get_legend().get_texts()) == len(np.unique(y))


def test_decision_boundary_rejects_non_2d_data(rng) -> None:
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plots.decision_boundary(lambda Z: Z[:, 0], rng.normal(size=(5, 3)), np.zeros(5))


# ---- gradients -------------------------------------------------------------------------------------------
class FakeModel:
    """Anything with parameters() yielding (name, param, grad) will do."""

    def __init__(self) -> None:
        self.grads = {"0.W": np.full((2, 2), 3.0), "0.b": np.ones(2), "2.W": np.array([[3.0], [4.0]]),
                      "2.b": np.ones(1)}

    def parameters(self):
        for name, grad in self.grads.items():
            yield name, np.zeros_like(grad), grad


def test_layer_gradient_norms_reads_weight_gradients() -> None:
    assert layer_gradient_norms(FakeModel()) == {"0.W": 6.0, "2.W": 5.0}
    with_biases = layer_gradient_norms(FakeModel(), include_biases=True)
    assert list(with_biases) == ["0.W", "0.b", "2.W", "2.b"]
    assert with_biases["0.b"] == pytest.approx(np.sqrt(2))


def test_gradient_norms_bars_and_lines(rng) -> None:
    fig, ax = plots.gradient_norms(layer_gradient_norms(FakeModel()))
    assert isinstance(fig, Figure)
    assert_labelled(ax)
    assert ax.get_yscale() == "log" and len(ax.patches) == 2
    _, ax = plots.gradient_norms([0.1, 0.01, 0.001], log_scale=False)
    assert ax.get_yscale() == "linear" and [t.get_text() for t in ax.get_xticklabels()][0] == "layer 0"
    _, ax = plots.gradient_norms({"0.W": rng.random(20), "2.W": rng.random(20)})
    assert len(ax.lines) == 2 and ax.get_xlabel() == "step"


# ---- histograms --------------------------------------------------------------------------------------
def test_histograms_side_by_side(rng) -> None:
    arrays = {"layer 1": rng.normal(size=(50, 8)), "layer 2": np.tanh(rng.normal(size=100)), "dead": np.zeros(10)}
    fig, axes = plots.histograms(arrays, bins=20, title="Activations")
    assert isinstance(fig, Figure) and len(axes) == 3
    assert fig._suptitle.get_text() == "Activations"
    assert axes[0].get_ylabel() == "count"
    for ax, name in zip(axes, arrays):
        assert ax.get_title().startswith(name) and ax.get_xlabel()
    assert axes[0].get_xlim() == axes[1].get_xlim()  # shared range


def test_histograms_into_given_axes_from_a_list(rng) -> None:
    fig, given = plt.subplots(1, 2)
    out_fig, axes = plots.histograms([rng.normal(size=30), rng.normal(size=30) * 5], axes=given,
                                     shared_range=False)
    assert out_fig is fig and list(axes) == list(given)
    assert axes[1].get_title().startswith("layer 1")
    with pytest.raises(ValueError, match="axes"):
        plots.histograms([np.ones(3)] * 3, axes=given)


# ---- images ------------------------------------------------------------------------------------------
def test_digit_grid_marks_wrong_predictions_in_red(rng) -> None:
    images = rng.random((12, 784)).astype(np.float32)
    labels = np.arange(12) % 10
    predictions = labels.copy()
    predictions[3] = 9
    fig, axes = plots.digit_grid(images, labels, predictions, n_cols=5, title="digits")
    assert isinstance(fig, Figure) and len(axes) == 12
    assert axes[3].get_title() == "label 3\npred 9"
    red = matplotlib.colors.to_hex(axes[3].title.get_color())
    assert red != "#000000" and matplotlib.colors.to_hex(axes[0].title.get_color()) == "#000000"
    _, axes = plots.digit_grid(images.reshape(12, 28, 28), labels=labels, n=4)
    assert len(axes) == 4 and axes[0].get_title() == "label 0"


def test_digit_grid_rejects_bad_shapes(rng) -> None:
    with pytest.raises(ValueError, match="784"):
        plots.digit_grid(rng.random((3, 100, 2, 2)))


def test_weight_images(rng) -> None:
    fig, axes = plots.weight_images(rng.normal(size=(784, 20)), n=10)
    assert isinstance(fig, Figure) and len(axes) == 10
    assert fig._suptitle.get_text() and axes[0].get_title() == "unit 0"
    with pytest.raises(ValueError, match=r"\(784, D_out\)"):
        plots.weight_images(rng.normal(size=(100, 5)))


# ---- confusion matrix ----------------------------------------------------------------------------------
def test_confusion_counts_hand_example() -> None:
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    expected = np.array([[1, 1, 0],
                         [0, 2, 1],
                         [1, 0, 0]])
    counts = plots.confusion_counts(y_true, y_pred, 3)
    np.testing.assert_array_equal(counts, expected)
    assert np.issubdtype(counts.dtype, np.integer)
    np.testing.assert_array_equal(plots.confusion_counts(y_true, y_pred, 4)[:3, :3], expected)
    scores = np.eye(3)[y_pred] * 0.9  # (N, C) rows: the argmax is the prediction
    np.testing.assert_array_equal(plots.confusion_counts(y_true, scores), expected)
    with pytest.raises(ValueError, match="label 3"):
        plots.confusion_counts([0, 3], [0, 1], 3)


def test_confusion_matrix_counts_in_cells(rng) -> None:
    y_true = rng.integers(0, 4, 50)
    y_pred = np.where(rng.random(50) < 0.7, y_true, rng.integers(0, 4, 50))
    fig, ax = plots.confusion_matrix(y_true, y_pred)
    assert isinstance(fig, Figure)
    assert_labelled(ax)
    counts = plots.confusion_counts(y_true, y_pred, 4)
    assert [t.get_text() for t in ax.texts] == [str(c) for c in counts.ravel()]
    _, ax = plots.confusion_matrix(y_true, y_pred, n_classes=4, normalize=True)
    values = [float(t.get_text()) for t in ax.texts]
    assert np.allclose(np.reshape(values, (4, 4)).sum(axis=1), 1.0, atol=0.03)
