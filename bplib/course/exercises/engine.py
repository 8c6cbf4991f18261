"""The one engine behind every exercise check: an exercise is a declaration, this module runs it.

An :class:`Exercise` declares

* what the learner writes (``writes``) and the names their answer has in the notebook (``names``);
* ``run``: a function that calls an answer on fixed trial inputs and returns its **results by name**
  (``{"dW = layer.grads['W']": array, ...}``); the learner's code is only ever called inside ``run``;
* ``reference``: a correct answer, run the same way;
* ``mistakes``: the typical wrong answers, each a :class:`Mistake` (a wrong answer and the hint that
  names it), also run the same way.

Checking an answer is then the same for every exercise::

    results = collect(exercise, answer)   # runs the learner's code (in the notebook's kernel)
    verdict = judge(exercise, results)    # compares numbers only, with the reference's results
                                          # and, where they differ, with each mistake's

:func:`judge` looks at the results in the order ``run`` returned them; at the first one that is
wrong it names the mistake whose result is the same there, or else says what kind of difference it
is (shape: a transpose or a missing sum; values: the sign, a constant factor, the batch size N).

What the learner reads (``check``): one line ``PASSED: ...``, or an :class:`ExerciseFailed` whose
message is the diagnosis. An unfinished answer (``raise NotImplementedError()`` in the student
edition) gives :class:`NotDoneYet`, "not done yet: complete `MyLinear.backward` in the cell above",
and can never pass. When the learner's own code raises, the message shows the frames of *their*
code (never bplib's). In Jupyter, importing this module installs a display for these exceptions
that shows the message alone, without a traceback through bplib.

The grader uses the same two steps: it collects the results in the student's kernel and judges
them in its own process, so nothing a submission redefines can change a verdict.
"""

from __future__ import annotations

import linecache
import math
import pathlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, NamedTuple

import numpy as np

__all__ = ["Exercise", "Mistake", "Verdict", "ExerciseFailed", "NotDoneYet", "EXERCISES",
           "collect", "judge", "evaluate", "notebook_verdicts", "report", "snapshot"]

_BPLIB_DIR = pathlib.Path(__file__).resolve().parents[2]  # .../bplib
_LIBRARY_MARKERS = ("site-packages", "dist-packages", "/lib/python")


class ExerciseFailed(AssertionError):
    """A check found the answer wrong; the message names the likely mistake."""


class NotDoneYet(ExerciseFailed):
    """The answer still raises ``NotImplementedError``: the exercise is not done yet."""


class Verdict(NamedTuple):
    """The outcome of one check: ``status`` is ``"passed"``, ``"failed"`` or ``"not done"``."""

    status: str
    message: str


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer and the hint that names it.

    ``answer`` has the form of the learner's answer (a function, a class, numbers); for an
    exercise with several ``names`` it is a tuple with one entry per name.
    """

    hint: str
    answer: Any


EXERCISES: dict[str, Exercise] = {}
"""Every declared exercise by id (``"05-linear-layer"``), in the order they were declared."""


@dataclass(frozen=True, eq=False)
class Exercise:
    """One exercise: what the learner writes, how to run an answer, the reference, the mistakes.

    Parameters
    ----------
    id : str
        ``"NN-topic"`` with NN the notebook, e.g. ``"05-linear-layer"``; the grader's and nbgrader's
        id of the check cell.
    title : str
        A few words for tables and feedback, e.g. ``"MyLinear: forward and backward"``.
    writes : str
        What the learner completes, as shown in messages, e.g. ``"`MyLinear.backward`"``.
    names : tuple of str
        The names of the answer in the notebook, in the order ``run`` takes them, e.g. ``("MyLinear",)``.
    run : callable
        ``run(*answers) -> {result name: number or array}``; calls the answers on fixed trial inputs.
        Result names are what messages show, so write them as the learner would: ``"dW"``,
        ``"layer.backward(dZ)"``.
    reference : object
        A correct answer (a tuple when there are several names).
    mistakes : tuple of Mistake
        Typical wrong answers with their hints, tried in order.
    limits : mapping, optional
        Results that must be at most a bound instead of equal to the reference's:
        ``{result name: (bound, hint when above it)}`` (e.g. a relative error against finite differences).
    passed : str
        The line printed after ``PASSED:``.
    error_hint : str, optional
        Added to the message when the learner's code raises (say which shapes are expected).
    batch_size : int, optional
        N of the trial batch, so that a result N times too large or small is named as a 1/N mistake.
    rtol, atol : float
        Tolerances of the comparison with the reference.
    """

    id: str
    title: str
    writes: str
    names: tuple[str, ...]
    run: Callable[..., Mapping[str, Any]]
    reference: Any
    mistakes: tuple[Mistake, ...] = ()
    limits: Mapping[str, tuple[float, str]] = field(default_factory=dict)
    passed: str = "matches the reference."
    error_hint: str = ""
    batch_size: int | None = None
    rtol: float = 1e-6
    atol: float = 1e-9

    def __post_init__(self) -> None:
        if self.id in EXERCISES:
            raise ValueError(f"two exercises have the id {self.id!r}; ids must be unique")
        EXERCISES[self.id] = self

    @property
    def notebook(self) -> str:
        """The two-digit number of the notebook the exercise belongs to."""
        return self.id[:2]

    def answers(self, answer: Any) -> tuple[Any, ...]:
        """A reference or mistake answer as the tuple ``run`` takes."""
        return tuple(answer) if len(self.names) > 1 else (answer,)

    def check(self, *answers: Any) -> None:
        """Check the learner's answer: print ``PASSED: ...`` or raise with the diagnosis."""
        verdict = judge(self, collect(self, *answers))
        if verdict.status != "passed":
            raise ExerciseFailed(verdict.message)
        print(f"PASSED: {verdict.message}")


# ---- running the learner's code --------------------------------------------------------------

def _is_library_file(filename: str) -> bool:
    """True for bplib's own files and installed libraries (NumPy...), whose frames a learner never needs."""
    try:
        if pathlib.Path(filename).resolve().is_relative_to(_BPLIB_DIR):
            return True
    except (OSError, ValueError):
        pass
    return filename.startswith("<frozen") or any(marker in filename for marker in _LIBRARY_MARKERS)


def _editable_name(qualname: str) -> str:
    """The name a learner edits: ``f`` for ``outer.<locals>.f``, but ``MyValue.__mul__`` for its inner ``_backward``."""
    scopes = qualname.split(".<locals>.")
    return scopes[-2] if len(scopes) > 1 and scopes[-1].startswith("_") else scopes[-1]


def _learner_frames(tb: TracebackType | None) -> list[tuple[str, int, str]]:
    """``(Class.method, line number, code)`` of each frame of ``tb`` that is the learner's own code."""
    frames = []
    while tb is not None:
        code = tb.tb_frame.f_code
        if not _is_library_file(code.co_filename):
            line = linecache.getline(code.co_filename, tb.tb_lineno).strip()
            frames.append((_editable_name(getattr(code, "co_qualname", code.co_name)), tb.tb_lineno, line))
        tb = tb.tb_next
    return frames


def _describe_frames(frames: list[tuple[str, int, str]]) -> str:
    """The learner's frames as short lines: where (function, line of the cell) and the line's code."""
    return "\n".join(f"  in {name}, line {number}:  {line}" for name, number, line in frames)


def collect(exercise: Exercise, *answers: Any) -> dict[str, Any]:
    """Run the learner's answer through ``exercise.run`` and return its results by name.

    Raises
    ------
    NotDoneYet
        When the answer raises ``NotImplementedError`` (the student edition's placeholder).
    ExerciseFailed
        When the answer raises anything else: the message shows the error and the learner's frames.
    """
    if len(answers) != len(exercise.names):
        names = ", ".join(exercise.names)
        raise ExerciseFailed(f"this check takes {len(exercise.names)} argument(s): {names}.")
    results: dict[str, Any] = {}
    try:
        outcome = exercise.run(*answers)
        pairs = outcome.items() if isinstance(outcome, Mapping) else outcome
        for name, value in pairs:  # a generator yields its results one by one
            results[name] = value
    except NotImplementedError as err:
        frames = _learner_frames(err.__traceback__)
        where = frames[-1][0] if frames else None
        target = f"`{where}`" if where and where != "<module>" else exercise.writes
        raise NotDoneYet(f"not done yet: complete {target} in the cell above, then run this cell again.") from None
    except ExerciseFailed:
        raise
    except Exception as err:  # the learner's code raised: show their frames, not ours
        early = judge(exercise, results, partial=True)
        if early.status == "failed":  # a result before the error already names the mistake
            raise ExerciseFailed(early.message) from None
        frames = _describe_frames(_learner_frames(err.__traceback__))
        message = f"your code raised {type(err).__name__}: {err}"
        if frames:
            message += f"\n{frames}"
        if exercise.error_hint:
            message += f"\n{exercise.error_hint}"
        raise ExerciseFailed(message) from None
    return results


def snapshot(value: Any) -> Any:
    """A result frozen as it is now, for ``run`` to yield.

    A float64 copy, so that the answer cannot change it later in the run (a learner's
    ``self.grads["W"] += ...`` on a second backward would change the first result too). ``None`` stays
    ``None`` (the engine says the result is missing) and a value that is not numeric stays as it is
    (the engine says it should be a number).
    """
    array = _as_array(value)
    return value if array is None else array


# ---- judging results -------------------------------------------------------------------------

_reference_cache: dict[str, dict[str, Any]] = {}
_mistake_cache: dict[tuple[str, int], dict[str, Any]] = {}


def _run_all(exercise: Exercise, answer: Any) -> dict[str, Any]:
    """All results of a reference or mistake answer (``run`` may return a dict or yield pairs)."""
    outcome = exercise.run(*exercise.answers(answer))
    return dict(outcome.items() if isinstance(outcome, Mapping) else outcome)


def _reference_results(exercise: Exercise) -> dict[str, Any]:
    if exercise.id not in _reference_cache:
        _reference_cache[exercise.id] = _run_all(exercise, exercise.reference)
    return _reference_cache[exercise.id]


def _mistake_results(exercise: Exercise, index: int) -> dict[str, Any]:
    """The results of mistake ``index``: those it gives before it raises, if a wrong answer raises."""
    key = (exercise.id, index)
    if key not in _mistake_cache:
        results: dict[str, Any] = {}
        try:
            outcome = exercise.run(*exercise.answers(exercise.mistakes[index].answer))
            for name, value in (outcome.items() if isinstance(outcome, Mapping) else outcome):
                results[name] = value
        except Exception:
            pass  # a wrong product may fail on the rectangular trial: keep what came before
        _mistake_cache[key] = results
    return _mistake_cache[key]


def _as_array(value: Any) -> np.ndarray | None:
    """A result as a float64 array, or None when it is not numeric."""
    if value is None:
        return None
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _same(a: np.ndarray | None, b: np.ndarray | None, exercise: Exercise) -> bool:
    return (a is not None and b is not None and a.shape == b.shape
            and bool(np.allclose(a, b, rtol=exercise.rtol, atol=exercise.atol, equal_nan=True)))


def _shape_hint(name: str, got: np.ndarray, expected: np.ndarray) -> str:
    hint = ""
    if got.shape == tuple(reversed(expected.shape)) and got.ndim > 1:
        hint = " It is the transpose of what is expected: check the order of the matrix product, or a .T."
    elif got.ndim == expected.ndim + 1:
        hint = " It has one axis too many: did you forget to sum over the batch axis (axis=0)?"
    elif got.ndim + 1 == expected.ndim:
        hint = " It has one axis too few: did you sum over an axis that should stay (keepdims=True)?"
    return f"{name} has shape {got.shape}, expected {expected.shape}.{hint}"


def _value_hint(name: str, got: np.ndarray, expected: np.ndarray, exercise: Exercise) -> str:
    """Name a generic difference of values: not finite, the sign, a constant factor, the batch size."""
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return (f"{name} contains inf or nan where the reference is finite: an overflow (exp of a large "
                f"number?) or a log of 0.")
    tol = dict(rtol=exercise.rtol, atol=exercise.atol)
    if np.allclose(got, -expected, **tol):
        return f"{name} has the right size but the wrong sign: look for a missing or extra minus sign."
    nonzero = np.abs(expected) > 1e-12
    if nonzero.any() and np.all(np.isfinite(got)):
        ratios = got[nonzero] / expected[nonzero]
        ratio = float(np.median(ratios))
        if np.allclose(ratios, ratio, rtol=1e-6) and np.allclose(got[~nonzero], 0, atol=exercise.atol):
            n = exercise.batch_size
            if n and math.isclose(ratio, n, rel_tol=1e-6):
                return f"{name} is N = {n} times too large: the loss is a mean, so divide by the batch size N."
            if n and math.isclose(ratio, 1 / n, rel_tol=1e-6):
                return f"{name} is N = {n} times too small: you divided by the batch size N once too often."
            return (f"{name} is off by a constant factor {ratio:.4g}: look for a missing or extra factor "
                    f"(a 2 from a square, a 1/N from a mean).")
    worst = float(np.max(np.abs(got - expected))) if got.size else 0.0
    return f"{name} does not match the reference (largest difference {worst:.3g})."


def judge(exercise: Exercise, results: Mapping[str, Any], partial: bool = False) -> Verdict:
    """Compare the results of an answer with the reference's and name the first mistake.

    Pure: it never calls the learner's code, so the grader can judge results collected elsewhere.
    With ``partial=True`` the results stop early (the answer raised): judge only those there are.
    """
    expected_results = _reference_results(exercise)
    for name, expected_value in expected_results.items():
        if partial and name not in results:
            break
        value = results.get(name)
        got = _as_array(value)
        if value is None:
            return Verdict("failed", f"{name} is None (or missing): {exercise.writes} must compute it "
                                     f"(a missing return or assignment?).")
        if got is None:
            return Verdict("failed", f"{name} should be a number or a NumPy array, got {type(value).__name__}.")
        if name in exercise.limits:
            bound, hint = exercise.limits[name]
            if got.size != 1 or not float(got.reshape(-1)[0]) <= bound:
                return Verdict("failed", hint)
            continue
        expected = np.array(expected_value, dtype=np.float64)
        if _same(got, expected, exercise):
            continue
        for index, mistake in enumerate(exercise.mistakes):
            wrong = _mistake_results(exercise, index)
            if name in wrong and _same(got, _as_array(wrong[name]), exercise):
                return Verdict("failed", mistake.hint)
        if got.shape != expected.shape:
            return Verdict("failed", _shape_hint(name, got, expected))
        return Verdict("failed", _value_hint(name, got, expected, exercise))
    return Verdict("passed", exercise.passed)


def evaluate(exercise: Exercise, *answers: Any) -> Verdict:
    """Collect and judge in one go, turning every outcome into a :class:`Verdict` (never raises)."""
    try:
        return judge(exercise, collect(exercise, *answers))
    except NotDoneYet as err:
        return Verdict("not done", str(err))
    except ExerciseFailed as err:
        return Verdict("failed", str(err))


def notebook_verdicts(notebook: str, namespace: Mapping[str, Any]) -> list[tuple[Exercise, Verdict]]:
    """The verdict of every exercise of ``notebook`` (``"05"``) on the answers found in ``namespace``."""
    rows = []
    for exercise in EXERCISES.values():
        if exercise.notebook != notebook:
            continue
        missing = [name for name in exercise.names if name not in namespace]
        if missing:
            verdict = Verdict("missing", f"{', '.join(missing)} is not defined: run the exercise's cell "
                                         f"(and keep the name the exercise gives).")
        else:
            verdict = evaluate(exercise, *(namespace[name] for name in exercise.names))
        rows.append((exercise, verdict))
    return rows


def report(notebook: str, namespace: Mapping[str, Any]) -> None:
    """Print one line per exercise of ``notebook`` (``"05"``): the verdicts the grader will give.

    Call it as ``report("05", globals())`` in the last cell of a notebook, before handing it in.
    """
    print(f"Exercises of notebook {notebook}:")
    for exercise, verdict in notebook_verdicts(notebook, namespace):
        mark = {"passed": "✓", "not done": "…"}.get(verdict.status, "✗")
        detail = "" if verdict.status == "passed" else f" ({verdict.message.splitlines()[0]})"
        print(f"  {mark} {exercise.title}: {verdict.status}{detail}")


# ---- showing a verdict in Jupyter --------------------------------------------------------------

_RED, _YELLOW, _BOLD, _RESET = "\x1b[31m", "\x1b[33m", "\x1b[1m", "\x1b[0m"


def _show_in_ipython(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> list[str]:
    """IPython's display of ExerciseFailed: the message alone, no frames (it is the diagnosis)."""
    if isinstance(value, NotDoneYet):
        lines = [f"{_YELLOW}{_BOLD}…{_RESET} {value}"]
    else:
        first, *rest = str(value).splitlines() or [""]
        lines = [f"{_RED}{_BOLD}✗ Not yet right:{_RESET} {first}", *rest]
    shell._showtraceback(etype, value, lines)
    return lines


def _install_display() -> None:
    """In IPython/Jupyter, show ExerciseFailed as its message only (called once, at import)."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: the exception's message is already the first thing shown
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((ExerciseFailed,), _show_in_ipython)


_install_display()
