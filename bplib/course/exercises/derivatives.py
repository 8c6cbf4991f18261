"""Exercises of notebook 01 (derivatives and the chain rule), declared for the exercise engine.

* ``01-central-gradient``: ``central_gradient(f, x, h)``, the central-difference estimate of the
  gradient of a scalar function ``f`` at a float array ``x`` of any shape: for every entry,
  ``(f(x + h e_i) - f(x - h e_i)) / (2 h)``, with ``x`` perturbed in place and restored.
* ``01-sigmoid-derivative``: ``sigmoid_derivative(z)``, the derivative of
  ``sigma(z) = 1 / (1 + exp(-z))``, elementwise, derived by the chain rule.
* ``01-tanh-derivative``: ``tanh_derivative(z)``, the derivative of ``tanh(z)``, elementwise.

Each ``run`` calls the answer on fixed inputs (a 1-D grid and a 2-D array of pre-activations ``z``;
a separable and a non-separable function for the gradient) and returns its results by name; the
engine compares them with the reference's and names the typical mistake (forward instead of central
difference, a missing ``1/(2h)``, the sign, the function instead of its derivative, a missing square,
the formula applied to ``z`` instead of the activation, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from bplib.course.exercises.engine import Exercise, Mistake

__all__ = ["CENTRAL_GRADIENT", "SIGMOID_DERIVATIVE", "TANH_DERIVATIVE",
           "check_central_gradient", "check_sigmoid_derivative", "check_tanh_derivative"]

# ---- 01-central-gradient --------------------------------------------------------------------

_H = 1e-4  # the trial step: forward differences are off by about h/2 |f''| (1e-5 relative), central by 1e-9
_W = np.array([[0.7, -1.2, 0.4], [1.5, 0.3, -0.8], [-0.6, 0.9, 1.1]])


def _separable(x: np.ndarray) -> float:
    """sum(sin(x) + x**3 / 3): its gradient is cos(x) + x**2, entry by entry."""
    return float(np.sum(np.sin(x) + x ** 3 / 3))


def _coupled(x: np.ndarray) -> float:
    """sum(tanh(x @ W)) for x (2, 3): every entry of the gradient depends on all entries of x."""
    return float(np.sum(np.tanh(x @ _W)))


def _run_central_gradient(gradient: Callable[..., Any]) -> Iterator[tuple[str, Any]]:
    """The answer on a separable function of a (4,) array, then on a coupled function of a (2, 3) array."""
    for where, f, x in (("f(x) = sum(sin(x) + x**3/3), x of shape (4,)", _separable,
                         np.array([0.5, -1.3, 2.0, 0.1])),
                        ("f(x) = sum(tanh(x @ W)), x of shape (2, 3)", _coupled,
                         np.array([[0.2, -0.7, 1.1], [-0.4, 0.9, 0.3]]))):
        x_in = x.copy()
        estimate = gradient(f, x_in, _H)
        yield f"x after the call, for {where}", x_in
        yield f"central_gradient(f, x, h={_H:g}) for {where}", None if estimate is None else np.array(estimate, dtype=float)


def _differences(difference: Callable[[float, float, float, float], float],
                 restore: bool = True) -> Callable[..., np.ndarray]:
    """A ``central_gradient``: one entry at a time, perturbed in place (and restored), with
    ``difference(f_plus, f_minus, f_x, h)`` per entry: the reference, or a wrong formula."""

    def gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
        grad = np.zeros(x.shape)
        f_x = f(x)
        for index in np.ndindex(x.shape):
            old = x[index]
            x[index] = old + h
            f_plus = f(x)
            x[index] = old - h
            f_minus = f(x)
            if restore:
                x[index] = old
            grad[index] = difference(f_plus, f_minus, f_x, h)
        return grad

    return gradient


#: The reference: (f(x + h e_i) - f(x - h e_i)) / (2 h) for every entry.
_central_gradient = _differences(lambda fp, fm, fx, h: (fp - fm) / (2 * h))


def _all_entries_at_once(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """A wrong answer: x + h moves every entry at once, so each entry gets the same directional derivative."""
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        grad[index] = (f(x + h) - f(x - h)) / (2 * h)
    return grad


_FORMULA = "(f(x + h e_i) - f(x - h e_i)) / (2 h)"


def _named(name: str, mistakes: tuple[Mistake, ...]) -> tuple[Mistake, ...]:
    """The mistakes with hints that start "it ..." or "the ..." prefixed by "`name` is wrong: "."""
    return tuple(Mistake(f"{name} is wrong: {m.hint}" if m.hint.startswith(("it ", "the ")) else m.hint, m.answer)
                 for m in mistakes)


CENTRAL_GRADIENT = Exercise(
    id="01-central-gradient",
    title="central_gradient: a gradient by central differences",
    writes="`central_gradient`",
    names=("central_gradient",),
    run=_run_central_gradient,
    reference=_central_gradient,
    mistakes=_named("central_gradient", (
        Mistake("x is not the same after the call: restore each entry (x[index] = old) after its two "
                "evaluations, or every later entry is estimated at a shifted point (and the caller's x is changed).",
                _differences(lambda fp, fm, fx, h: (fp - fm) / (2 * h), restore=False)),
        Mistake(f"it looks like a forward difference (f(x + h e_i) - f(x)) / h: its error is about h/2 |f''|, "
                f"a hundred times larger than the central difference's here. Use {_FORMULA}.",
                _differences(lambda fp, fm, fx, h: (fp - fx) / h)),
        Mistake(f"it is twice the derivative: the two points x + h e_i and x - h e_i are 2h apart, so divide by "
                f"2 * h, not by h: {_FORMULA}.", _differences(lambda fp, fm, fx, h: (fp - fm) / h)),
        Mistake(f"the division is missing: f(x + h e_i) - f(x - h e_i) is a difference of values, divide it by "
                f"the distance 2 * h: {_FORMULA}. (Watch the brackets: (f_plus - f_minus) / 2 * h multiplies by h.)",
                _differences(lambda fp, fm, fx, h: fp - fm)),
        Mistake(f"the division is (f_plus - f_minus) / 2 * h, which Python reads as ((f_plus - f_minus) / 2) * h: "
                f"put brackets around the denominator, / (2 * h).",
                _differences(lambda fp, fm, fx, h: (fp - fm) / 2 * h)),
        Mistake(f"the sign is wrong: it computes (f(x - h e_i) - f(x + h e_i)) / (2 h). The point ahead, "
                f"x + h e_i, comes first: {_FORMULA}.", _differences(lambda fp, fm, fx, h: (fm - fp) / (2 * h))),
        Mistake("every entry got the same number: x + h moves ALL entries at once. Perturb one entry at a time "
                "(x[index] = old + h), so that each difference measures the change due to that entry alone.",
                _all_entries_at_once),
    )),
    error_hint=("central_gradient(f, x, h) gets a float array x of any shape; f(x) returns one number. Loop "
                "over the entries with `for index in np.ndindex(x.shape)` and read and write x[index]."),
    passed=f"central_gradient computes {_FORMULA} entry by entry, on a separable and a coupled function, "
           f"and leaves x as it was.",
)
check_central_gradient = CENTRAL_GRADIENT.check

# ---- 01-sigmoid-derivative and 01-tanh-derivative --------------------------------------------

# A 1-D grid (includes 0, where both derivatives peak) and a 2-D array: an answer must work
# elementwise on any shape. |z| <= 6 keeps every naive formula (np.exp(-z)) free of overflow.
_Z_GRID = np.linspace(-6.0, 6.0, 25)
_Z_MATRIX = np.array([[-2.5, -1.0, 0.3, 1.7],
                      [0.8, -0.4, 2.2, -3.1],
                      [4.0, -0.05, 0.0, 1.2]])


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def _derivative_run(name: str, function: Callable[[np.ndarray], np.ndarray]) -> Callable[[Any], Iterator[tuple[str, Any]]]:
    """A ``run`` for an elementwise derivative ``name`` of ``function``."""

    def run(derivative: Callable[[np.ndarray], Any]) -> Iterator[tuple[str, Any]]:
        from bplib.gradcheck import numerical_gradient, relative_error

        for where, z in (("for z = np.linspace(-6, 6, 25)", _Z_GRID), ("for z of shape (3, 4)", _Z_MATRIX)):
            z_in = z.copy()
            answer = derivative(z_in)
            yield f"{name}(z) {where}", answer
            yield f"z after {name}(z) {where} (it must not change)", z_in
        # The gradient of sum(function(z)) is function'(z) entry by entry: central differences check all at once.
        answer = np.array(derivative(_Z_MATRIX.copy()), dtype=float)
        estimate = numerical_gradient(lambda x: float(np.sum(function(x))), _Z_MATRIX.copy())
        yield f"relative error of {name}(z) against central differences", relative_error(answer, estimate)

    return run


_FD_LIMIT = 1e-7
_NOT_ELEMENTWISE_DOT = ("it returned a single number: the derivative is elementwise, one value per entry of z and "
                        "the same shape as z. Multiply with * (not np.dot or @) and do not sum.")
_NOT_ELEMENTWISE_OUTER = ("it returned a matrix, as from np.outer or a matrix product: the derivative is "
                          "elementwise, so multiply with *, not @ or np.dot.")
_IN_PLACE = ("{name} changed its argument z in place (z *= -1, z[...] = ...): compute new arrays instead; "
             "backpropagation still needs the original z.")
_ERROR_HINT = ("It gets a NumPy array z of any shape and returns an array of the same shape: use np.exp and "
               "np.tanh (math.exp works on single numbers only), and no Python `if` on the whole array.")


def _in_place(formula: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """A wrong answer that gets the values right but flips the caller's array."""

    def derivative(z: np.ndarray) -> np.ndarray:
        value = formula(z)
        z *= -1
        return value

    return derivative


_CHAIN = ("differentiate 1/u with u = 1 + exp(-z), and multiply by the inner derivative du/dz; then write the "
          "result through sigma(z).")


def _derivative_exercise(name: str, function: Callable[[np.ndarray], np.ndarray],
                         reference: Callable[[np.ndarray], np.ndarray], formula: str,
                         mistakes: tuple[Mistake, ...]) -> Exercise:
    """The exercise ``01-<name>``: the elementwise derivative ``name`` of ``function``, checked against
    ``reference`` (the ``formula`` named when it passes) and central differences. ``mistakes`` are the
    typical wrong answers, followed by the reference computed with the caller's z changed in place."""
    return Exercise(
        id=f"01-{name.replace('_', '-')}",
        title=f"{name} by the chain rule",
        writes=f"`{name}`",
        names=(name,),
        run=_derivative_run(name, function),
        reference=reference,
        mistakes=_named(name, (*mistakes, Mistake(_IN_PLACE.format(name=name), _in_place(reference)))),
        limits={f"relative error of {name}(z) against central differences":
                (_FD_LIMIT, f"{name} agrees with the reference but not with central differences.")},
        error_hint=_ERROR_HINT,
        passed=f"{name} matches {formula} on every entry, and central differences "
               f"(relative error < 1e-7: True).",
    )


SIGMOID_DERIVATIVE = _derivative_exercise(
    "sigmoid_derivative", _sigmoid, lambda z: _sigmoid(z) * (1 - _sigmoid(z)), "sigma(z) (1 - sigma(z))", (
        Mistake("it returns sigma(z) itself, the function value, not its derivative. Apply the chain rule: "
                + _CHAIN, _sigmoid),
        Mistake("it computes z * (1 - z): the formula a (1 - a) takes the activation a = sigma(z), not the "
                "pre-activation z. Compute sigma(z) first.", lambda z: z * (1 - z)),
        Mistake("it forgot the chain rule's inner factor: the derivative of u^(-1) is -u^(-2), and it must be "
                "multiplied by du/dz, the derivative of the inside u = 1 + exp(-z).", lambda z: -_sigmoid(z) ** 2),
        Mistake("it forgot the chain rule's inner factor (the derivative of the inside 1 + exp(-z)) and a minus "
                "sign.", lambda z: _sigmoid(z) ** 2),
        Mistake("the sign is wrong: d/dz exp(-z) = -exp(-z), and this minus cancels the one from "
                "d(1/u)/du = -1/u^2. The sigmoid increases, so its derivative is positive.",
                lambda z: -_sigmoid(z) * (1 - _sigmoid(z))),
        Mistake("it returns 1 - sigma(z) = exp(-z) / (1 + exp(-z)): the outer derivative of 1/u is -1/u^2, so "
                "(1 + exp(-z)) must appear squared in the denominator.", lambda z: 1 - _sigmoid(z)),
        Mistake(_NOT_ELEMENTWISE_DOT, lambda z: np.dot(_sigmoid(z).ravel(), 1 - _sigmoid(z).ravel())),
        Mistake(_NOT_ELEMENTWISE_OUTER, lambda z: np.outer(_sigmoid(z), 1 - _sigmoid(z))),
    ))
check_sigmoid_derivative = SIGMOID_DERIVATIVE.check

TANH_DERIVATIVE = _derivative_exercise(
    "tanh_derivative", np.tanh, lambda z: 1 - np.tanh(z) ** 2, "1 - tanh(z)**2", (
        Mistake("it returns tanh(z) itself, the function value, not its derivative. Apply the chain rule (or "
                "the quotient rule) and write the result using tanh(z).", np.tanh),
        Mistake("it computes 1 - tanh(z), but tanh(z) must be squared: 1 - tanh(z)**2 (the derivative of a "
                "quotient has the denominator squared).", lambda z: 1 - np.tanh(z)),
        Mistake("it computes 1 - z**2: the formula takes the activation a = tanh(z), not the pre-activation z. "
                "Compute tanh(z) first.", lambda z: 1 - z ** 2),
        Mistake("it is half the derivative: the chain rule's inner factor is missing. With tanh(z) = "
                "2 sigma(2z) - 1, the derivative of the inside 2z is 2 (and the outer factor 2 stays too).",
                lambda z: (1 - np.tanh(z) ** 2) / 2),
        Mistake("the sign is wrong: tanh increases, so its derivative is positive. Check the minus sign of "
                "d/dz exp(-z) = -exp(-z).", lambda z: np.tanh(z) ** 2 - 1),
        Mistake("it computes 1 + tanh(z)**2: the sign between the two terms is wrong (a derivative that grows "
                "with |z| cannot belong to a function that flattens out).", lambda z: 1 + np.tanh(z) ** 2),
        Mistake("it is twice the derivative: an inner factor 2 was counted twice.",
                lambda z: 2 * (1 - np.tanh(z) ** 2)),
        Mistake(_NOT_ELEMENTWISE_DOT, lambda z: np.sum(1 - np.tanh(z) ** 2)),
    ))
check_tanh_derivative = TANH_DERIVATIVE.check
