"""Checks for notebook 01 (derivatives and the chain rule): the derivatives of sigmoid and tanh.

The learner writes two elementwise functions of the pre-activation ``z``:

* ``sigmoid_derivative(z)``, the derivative of ``sigma(z) = 1 / (1 + exp(-z))``,
* ``tanh_derivative(z)``, the derivative of ``tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z))``,

both derived with the chain rule. Each check calls the learner's function on a 1-D and a 2-D array
of pre-activations, compares the result with the reference (``bplib.functions.sigmoid_grad`` and
``tanh_grad``) and with a central-difference estimate (``bplib.gradcheck.numerical_gradient``),
and on failure names the likely mistake:

* the answer is not elementwise (a single number, or a matrix from ``@``/``np.dot``/``np.outer``),
* the function value returned instead of its derivative,
* a forgotten inner factor of the chain rule (the ``-exp(-z)`` inside sigmoid, the ``2`` in
  ``tanh(z) = 2 sigma(2z) - 1``),
* a sign error,
* ``1 - tanh(z)`` instead of ``1 - tanh(z)**2``,
* the formula ``a (1 - a)`` (or ``1 - a**2``) applied to ``z`` itself instead of to the activation
  ``a = sigma(z)`` (``a = tanh(z)``): the classic tutorial slip, where the helper expects the output.

A ``NotImplementedError`` from an unfinished exercise is never caught.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bplib.course.exercises.common import as_array, diagnose_values, fail, passed

__all__ = ["check_sigmoid_derivative", "check_tanh_derivative"]

# Pre-activations at which the answers are checked: a 1-D grid (includes 0, where both
# derivatives peak) and a 2-D array, so an answer must work elementwise on any shape.
# |z| <= 6 keeps every naive formula (np.exp(-z), np.exp(z)) free of overflow.
_Z_GRID = np.linspace(-6.0, 6.0, 25)
_Z_MATRIX = np.array([[-2.5, -1.0, 0.3, 1.7],
                      [0.8, -0.4, 2.2, -3.1],
                      [4.0, -0.05, 0.0, 1.2]])

_RTOL = 1e-6
_ATOL = 1e-9

#: A typical mistake: the function that computes the wrong answer, and the hint that names it.
_Mistake = tuple[Callable[[np.ndarray], np.ndarray], str]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    from bplib.functions import sigmoid  # imported here so that importing bplib.course.exercises stays light

    return sigmoid(z)


def _call(fn: Callable, z: np.ndarray, name: str) -> np.ndarray:
    """Call the learner's ``fn`` on a copy of ``z`` and return the answer as a float array.

    Fails (with a hint) when the answer is missing, is not numeric, or when ``fn`` changed its
    input in place. ``NotImplementedError`` and other exceptions propagate, except a
    ``TypeError`` that typically comes from ``math.exp`` applied to an array.
    """
    z_in = z.copy()
    try:
        answer = fn(z_in)
    except TypeError as err:
        fail(f"{name} raised TypeError ({err}). It must work on NumPy arrays, elementwise: use np.exp and "
             f"np.tanh rather than math.exp and math.tanh, and no Python if on the whole array.")
    if answer is None:
        fail(f"{name} returned None: did you forget the return statement?")
    if not np.array_equal(z_in, z):
        fail(f"{name} changed its argument z in place (e.g. z *= -1 or z[...] = ...). Compute new arrays "
             f"instead: backpropagation still needs the original z.")
    return as_array(answer, f"The result of {name}")


def _check_elementwise(answer: np.ndarray, z: np.ndarray, name: str) -> None:
    """Fail when the answer does not have one value per entry of ``z``."""
    if answer.shape == z.shape:
        return
    if answer.ndim == 0:
        fail(f"{name} returned a single number for z of shape {z.shape}; the derivative is elementwise: one "
             f"value per entry of z, the same shape as z. Multiply with * (not np.dot or @) and do not sum.")
    if answer.shape == z.shape + z.shape or (z.ndim == 1 and answer.shape == (z.size, z.size)):
        fail(f"{name} returned an array of shape {answer.shape} for z of shape {z.shape}: a matrix, as from "
             f"np.outer or a matrix product. The derivative is elementwise: multiply with *, not @ or np.dot.")
    fail(f"{name} returned an array of shape {answer.shape} for z of shape {z.shape}; the derivative is "
         f"elementwise and must have the same shape as z (check for a sum, a reshape or an extra axis).")


def _check(fn: Callable, name: str, reference: Callable[[np.ndarray], np.ndarray],
           function: Callable[[np.ndarray], np.ndarray], mistakes: list[_Mistake], formula: str) -> None:
    """Shared body of the two checks: shapes, values (naming typical mistakes), gradient check."""
    from bplib.gradcheck import numerical_gradient, relative_error

    for z in (_Z_GRID, _Z_MATRIX):
        answer = _call(fn, z, name)
        _check_elementwise(answer, z, name)
        if not np.all(np.isfinite(answer)):
            fail(f"{name} returned NaN or infinity for z in [-6, 6]: look for a division by zero or an "
                 f"overflowing exponential.")
        expected = reference(z)
        if np.allclose(answer, expected, rtol=_RTOL, atol=_ATOL):
            continue
        for wrong, hint in mistakes:
            if np.allclose(answer, wrong(z), rtol=_RTOL, atol=_ATOL):
                fail(f"{name} is wrong: {hint}")
        # Not a mistake we know by name: sign and constant factors, else the largest difference.
        diagnose_values(answer, expected, f"{name}(z)", rtol=_RTOL, atol=_ATOL)

    # Gradient check: for an elementwise function f, the gradient of sum(f(z)) with respect to z
    # is f'(z) entry by entry, so central differences estimate all derivatives at once.
    z = _Z_MATRIX.copy()
    estimate = numerical_gradient(lambda x: float(np.sum(function(x))), z)
    error = relative_error(as_array(fn(_Z_MATRIX.copy()), name), estimate)
    if not error < 1e-7:
        fail(f"{name} agrees with {formula} but not with central differences (relative error {error:.1e}).")
    passed(f"{name} matches {formula} on every entry, and central differences (relative error < 1e-7: True).")


def check_sigmoid_derivative(fn: Callable[[np.ndarray], np.ndarray]) -> None:
    """Check the learner's ``sigmoid_derivative(z)``, the derivative of ``sigma(z) = 1 / (1 + exp(-z))``.

    ``fn`` takes an array of pre-activations ``z`` (any shape) and returns ``sigma'(z)``,
    elementwise, with the same shape. It is called on a 1-D grid over ``[-6, 6]`` and on a
    ``(3, 4)`` array, compared with ``bplib.functions.sigmoid_grad`` and with central differences.

    Raises
    ------
    ExerciseFailed
        With a message naming the likely mistake (not elementwise, function value instead of the
        derivative, forgotten inner factor ``-exp(-z)``, sign, the formula applied to ``z``).
    NotImplementedError
        Propagated from an unfinished exercise (never caught).
    """
    from bplib.functions import sigmoid_grad

    s = _sigmoid
    chain = ("differentiate 1/u with u = 1 + exp(-z), and multiply by the inner derivative du/dz. "
             "Then express the result through sigma(z).")
    mistakes: list[_Mistake] = [
        (lambda z: s(z),
         "it returns sigma(z) itself, the function value, not its derivative. Apply the chain rule: " + chain),
        (lambda z: z * (1 - z),
         "it computes z * (1 - z): the formula is right but it takes the activation a = sigma(z), not the "
         "pre-activation z. Compute sigma(z) first."),
        (lambda z: -s(z) ** 2,
         "it forgot the chain rule's inner factor: the derivative of u^(-1) is -u^(-2), and it must be "
         "multiplied by du/dz, the derivative of the inside u = 1 + exp(-z)."),
        (lambda z: s(z) ** 2,
         "it forgot the chain rule's inner factor (the derivative of the inside 1 + exp(-z)) and a minus sign."),
        (lambda z: -s(z) * (1 - s(z)),
         "the sign is wrong: d/dz exp(-z) = -exp(-z), and this minus cancels the one from "
         "d(1/u)/du = -1/u^2. The sigmoid increases, so its derivative is positive."),
        (lambda z: 1 - s(z),
         "it returns 1 - sigma(z) = exp(-z) / (1 + exp(-z)): the outer derivative of 1/u is -1/u^2, "
         "so (1 + exp(-z)) must appear squared in the denominator."),
    ]
    _check(fn, "sigmoid_derivative", sigmoid_grad, _sigmoid, mistakes, "sigma(z) (1 - sigma(z))")


def check_tanh_derivative(fn: Callable[[np.ndarray], np.ndarray]) -> None:
    """Check the learner's ``tanh_derivative(z)``, the derivative of ``tanh(z)``.

    ``fn`` takes an array of pre-activations ``z`` (any shape) and returns ``tanh'(z)``,
    elementwise, with the same shape. It is called on a 1-D grid over ``[-6, 6]`` and on a
    ``(3, 4)`` array, compared with ``bplib.functions.tanh_grad`` and with central differences.

    Raises
    ------
    ExerciseFailed
        With a message naming the likely mistake (not elementwise, function value instead of the
        derivative, ``1 - tanh`` instead of ``1 - tanh**2``, sign, the inner factor 2 of
        ``2 sigma(2z) - 1`` forgotten, the formula applied to ``z``).
    NotImplementedError
        Propagated from an unfinished exercise (never caught).
    """
    from bplib.functions import tanh_grad

    t = np.tanh
    mistakes: list[_Mistake] = [
        (lambda z: t(z),
         "it returns tanh(z) itself, the function value, not its derivative. Apply the chain rule (or the "
         "quotient rule) and write the result using tanh(z)."),
        (lambda z: 1 - t(z),
         "it computes 1 - tanh(z), but tanh(z) must be squared: 1 - tanh(z)**2 "
         "(the derivative of a quotient has the denominator squared)."),
        (lambda z: 1 - z ** 2,
         "it computes 1 - z**2: the formula takes the activation a = tanh(z), not the pre-activation z. "
         "Compute tanh(z) first."),
        (lambda z: (1 - t(z) ** 2) / 2,
         "it is half the derivative: the chain rule's inner factor is missing. With tanh(z) = 2 sigma(2z) - 1, "
         "the derivative of the inside 2z is 2 (and the outer factor 2 stays too)."),
        (lambda z: t(z) ** 2 - 1,
         "the sign is wrong: tanh increases, so its derivative is positive. Check the minus sign of "
         "d/dz exp(-z) = -exp(-z)."),
        (lambda z: 1 + t(z) ** 2,
         "it computes 1 + tanh(z)**2: the sign between the two terms is wrong (a derivative that grows with |z| "
         "cannot belong to a function that flattens out)."),
        (lambda z: 2 * (1 - t(z) ** 2),
         "it is twice the derivative: an inner factor 2 was counted twice."),
    ]
    _check(fn, "tanh_derivative", tanh_grad, np.tanh, mistakes, "1 - tanh(z)**2")
