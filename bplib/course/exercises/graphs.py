"""Checks for notebook 02 (computational graphs): backpropagation by hand.

The exercise expression is

    L = (a * b + c) * f + a

with the intermediate nodes ``e = a * b``, ``d = e + c``, ``g = d * f`` and ``L = g + a``. The
value ``a`` is used twice (in ``a * b`` and in ``+ a``), so its gradient is the sum over both
paths. The learner writes ``backprop_by_hand(a, b, c, f)`` returning ``(dL/da, dL/db, dL/dc,
dL/df)``; :func:`check_backprop_by_hand` compares it with :class:`bplib.autograd.Value` and names
the likely mistake for each wrong partial derivative:

* forgot the upstream factor of the chain rule (used the local derivative alone),
* swapped the partials of a product (``d(x*y)/dx`` is ``y``, not ``x``),
* the wrong sign,
* forgot to add (``+=``) the gradients of the two uses of ``a``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bplib.course.exercises.common import fail, passed

__all__ = ["BY_HAND_INPUTS", "backprop_by_hand_reference", "check_backprop_by_hand"]

#: The numbers the notebook works with: a = 2, b = -3, c = 5, f = 4 (then L = -2).
BY_HAND_INPUTS: dict[str, float] = {"a": 2.0, "b": -3.0, "c": 5.0, "f": 4.0}

# Further points at which the answer is checked, so that it must hold as expressions in a, b, c, f.
_OTHER_INPUTS: tuple[dict[str, float], ...] = (
    {"a": -1.5, "b": 0.75, "c": 2.0, "f": -3.0},
    {"a": 0.7, "b": 2.5, "c": -4.0, "f": 1.25},
)

_NAMES = ("dL/da", "dL/db", "dL/dc", "dL/df")


def backprop_by_hand_reference(a: float, b: float, c: float, f: float) -> tuple[float, float, float, float]:
    """Gradients of ``L = (a*b + c)*f + a`` computed by :class:`bplib.autograd.Value`.

    Returns
    -------
    tuple of float
        ``(dL/da, dL/db, dL/dc, dL/df)``, read from ``.grad`` after ``L.backward()``.
    """
    from bplib.autograd import Value  # imported here so that importing bplib.course.exercises stays light

    va, vb, vc, vf = Value(a), Value(b), Value(c), Value(f)
    loss = (va * vb + vc) * vf + va
    loss.backward()
    return float(va.grad), float(vb.grad), float(vc.grad), float(vf.grad)


def _typical_mistakes(a: float, b: float, c: float, f: float) -> list[tuple[float, float, float, float, str]]:
    """Answers that typical mistakes produce, each with the hint that names the mistake.

    Each entry is ``(dL/da, dL/db, dL/dc, dL/df, hint)``; an entry of ``nan`` means "this mistake
    does not change this partial derivative". The upstream gradients are dL/dL = 1, dL/dg = 1,
    dL/dd = f, dL/de = f.
    """
    nan = float("nan")
    d = a * b + c
    no_upstream = ("you used only the local derivative and forgot the chain rule's upstream factor: "
                   "multiply the local derivative by the gradient arriving from above (here dL/dd = f).")
    swapped = ("the partials of a product are swapped: for e = a*b, de/da = b and de/db = a "
               "(each input gets the OTHER factor).")
    sign = "the sign is wrong: none of the operations here (+ and *) flips a sign on its own."
    overwrite = ("a is used twice (in a*b and in + a): its gradient is the SUM of both paths, "
                 "grad += ..., not the last (or first) path alone.")
    return [
        # a: only the product path (the "+ a" path was overwritten), or only the "+ a" path
        (b * f, nan, nan, nan, overwrite),
        (1.0, nan, nan, nan, overwrite),
        # chain rule without the upstream gradient: local derivatives alone
        (b + 1.0, a, 1.0, nan, no_upstream),
        (b, nan, nan, nan, no_upstream + " " + overwrite),
        # product partials swapped: in e = a*b and in g = d*f
        (a * f + 1.0, b * f, nan, f, swapped),
        (a * f, nan, nan, nan, swapped + " " + overwrite),
        # the whole answer negated
        (-(b * f + 1.0), -a * f, -f, -d, sign),
    ]


def _diagnose(answer: tuple[float, ...], point: dict[str, float]) -> list[str]:
    """Messages for each wrong partial derivative at ``point`` (empty when all are right)."""
    a, b, c, f = (point[k] for k in "abcf")
    reference = backprop_by_hand_reference(a, b, c, f)
    mistakes = _typical_mistakes(a, b, c, f)
    problems = []
    for i, (name, got, want) in enumerate(zip(_NAMES, answer, reference)):
        if np.isclose(got, want, rtol=1e-9, atol=1e-12):
            continue
        hint = "it does not match a typical mistake: redo this node step by step (local derivative x upstream)."
        for mistake in mistakes:
            if not np.isnan(mistake[i]) and np.isclose(got, mistake[i], rtol=1e-9, atol=1e-12):
                hint = mistake[4]
                break
        problems.append(f"{name} = {got:g}, expected {want:g}: {hint}")
    return problems


def check_backprop_by_hand(fn: Callable[[float, float, float, float], tuple]) -> None:
    """Check the learner's ``backprop_by_hand(a, b, c, f)`` for ``L = (a*b + c)*f + a``.

    The answer must be four numbers ``(dL/da, dL/db, dL/dc, dL/df)``. It is compared with
    :class:`bplib.autograd.Value` at the notebook's numbers and at two other points (so the
    derivatives must be written as expressions in ``a, b, c, f``). On failure the message names,
    per wrong partial derivative, the likely mistake.

    Raises
    ------
    ExerciseFailed
        When the answer is not four numbers or a partial derivative is wrong.
    NotImplementedError
        Propagated from an unfinished exercise (never caught).
    """
    for k, point in enumerate((BY_HAND_INPUTS, *_OTHER_INPUTS)):
        answer = fn(point["a"], point["b"], point["c"], point["f"])
        if not isinstance(answer, (tuple, list)) or len(answer) != 4:
            fail("backprop_by_hand should return four numbers: (dL_da, dL_db, dL_dc, dL_df).")
        try:
            values = tuple(float(np.asarray(x, dtype=np.float64)) for x in answer)
        except (TypeError, ValueError):
            fail("backprop_by_hand should return four numbers (floats), e.g. return dL_da, dL_db, dL_dc, dL_df.")
        problems = _diagnose(values, point)
        if problems:
            where = ", ".join(f"{name}={point[name]:g}" for name in "abcf")
            intro = f"At {where}:" if k == 0 else (
                f"Right at the notebook's numbers but not at {where} (write the derivatives as expressions "
                f"in a, b, c, f, not as fixed numbers):")
            fail("\n  ".join([intro, *problems]))
    a, b, c, f = (BY_HAND_INPUTS[k] for k in "abcf")
    ga, gb, gc, gf = backprop_by_hand_reference(a, b, c, f)
    passed(f"dL/da = {ga:g}, dL/db = {gb:g}, dL/dc = {gc:g}, dL/df = {gf:g} agree with Value.backward().")
