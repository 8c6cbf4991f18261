"""The secant explorer of notebooks 00 and 01: a secant line turning into the tangent.

The function is the cubic of notebook 01, ``f(x) = x**3 - 2 x``, at ``x0 = 1`` by default. The
secant through ``(x0, f(x0))`` and ``(x0 + h, f(x0 + h))`` has the slope

    (f(x0 + h) - f(x0)) / h = 3 x0**2 - 2 + (3 x0 h + h**2),

which tends to the derivative ``f'(x0) = 3 x0**2 - 2`` as ``h`` shrinks (the error ``3 x0 h + h**2``
is about proportional to ``h``). As everywhere in the course, the step is ``h`` in formulas and
``eps`` in code.

* :func:`draw_secant` draws ``f``, the secant and the tangent for one ``h``, prints a one-line
  result and returns the secant's slope (the notebooks' compared cells call it with its defaults);
* :func:`secant_explorer` wraps the same drawing in an ipywidgets ``interactive`` with a
  ``FloatLogSlider`` for ``h`` and a ``FloatSlider`` for ``x0``. Notebook 00 uses it to check
  that widgets work in the learner's JupyterLab.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from bplib.course.widgets import _display

__all__ = ["DEFAULT_EPS", "DEFAULT_X0", "cubic", "cubic_derivative", "secant_slope", "draw_secant",
           "secant_explorer"]

#: The step h of the secant drawn by default.
DEFAULT_EPS: float = 0.5
#: The point at which the derivative is taken by default (there f'(1) = 1).
DEFAULT_X0: float = 1.0

_X_RANGE = (-2.0, 2.6)  # wide enough for x0 in [-1.5, 1.5] and a step h up to 1


def cubic(x: np.ndarray | float) -> np.ndarray | float:
    """The example function ``f(x) = x**3 - 2 x`` (elementwise)."""
    return x ** 3 - 2 * x


def cubic_derivative(x: np.ndarray | float) -> np.ndarray | float:
    """Its derivative ``f'(x) = 3 x**2 - 2`` (elementwise)."""
    return 3 * x ** 2 - 2


def secant_slope(eps: float = DEFAULT_EPS, x0: float = DEFAULT_X0) -> float:
    """The forward-difference slope ``(f(x0 + h) - f(x0)) / h`` of :func:`cubic`, with ``h = eps``."""
    return float((cubic(x0 + eps) - cubic(x0)) / eps)


def draw_secant(eps: float = DEFAULT_EPS, x0: float = DEFAULT_X0, fig: Figure | None = None) -> float:
    """Draw ``f(x) = x**3 - 2x``, the secant through ``x0`` and ``x0 + h``, and the tangent at ``x0``.

    Prints one line: the secant's slope, the derivative and their difference. The figure is
    6x4 inches; the caller ends the cell with ``plt.show()``.

    Parameters
    ----------
    eps : float
        The step ``h`` of the secant (default 0.5); any non-zero number.
    x0 : float
        The point of the tangent (default 1.0).

    Returns
    -------
    float
        The secant's slope.
    """
    if eps == 0:
        raise ValueError("draw_secant: the step eps (h) must not be 0 (the secant needs two different points)")
    slope = secant_slope(eps, x0)
    exact = float(cubic_derivative(x0))
    print(f"h = {eps:.3g}: secant slope = {slope:.4f}, derivative f'({x0:g}) = {exact:.4f}, "
          f"difference = {slope - exact:.4f}")

    x = np.linspace(*_X_RANGE, 200)
    y0 = cubic(x0)
    if fig is None:
        fig = plt.figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.plot(x, cubic(x), color="black", linewidth=2, label="$f(x) = x^3 - 2x$")
    ax.plot(x, y0 + exact * (x - x0), color="tab:blue", label=f"tangent, slope {exact:.3f}")
    ax.plot(x, y0 + slope * (x - x0), color="tab:orange", linestyle="--", label=f"secant, slope {slope:.3f}")
    ax.plot([x0, x0 + eps], [y0, cubic(x0 + eps)], "o", color="tab:orange")
    ax.set_ylim(-4, 6)
    ax.set_xlim(*_X_RANGE)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$")
    ax.set_title(f"Secant with $h$ = {eps:.3g} at $x_0$ = {x0:g}")
    ax.grid(True, color="#dddddd", linewidth=0.8)
    ax.legend(loc="upper left")
    return slope


def secant_explorer(eps: float = DEFAULT_EPS, x0: float = DEFAULT_X0) -> widgets.interactive:
    """Sliders for the step ``h`` (log scale, 0.001 to 1) and the point ``x0`` (-1.5 to 1.5).

    Each move redraws :func:`draw_secant`'s figure and its one-line result in the widget's output
    area. Display it by making it the last expression of a cell.

    Returns
    -------
    ipywidgets.interactive
        Its ``children`` are the two sliders and the output area; ``result`` holds the last slope.
    """
    h_slider = widgets.FloatLogSlider(value=eps, base=10, min=-3, max=0, step=0.1, description="step h",
                                      readout_format=".3f", continuous_update=False,
                                      style={"description_width": "initial"}, layout=widgets.Layout(width="450px"))
    x0_slider = widgets.FloatSlider(value=x0, min=-1.5, max=1.5, step=0.1, description="point x0",
                                    readout_format=".1f", continuous_update=False,
                                    style={"description_width": "initial"}, layout=widgets.Layout(width="450px"))

    def draw(eps: float, x0: float) -> float:
        return _display.show_in_output(lambda fig: draw_secant(eps, x0, fig=fig), figsize=(6, 4), layout="constrained")

    return widgets.interactive(draw, eps=h_slider, x0=x0_slider)
