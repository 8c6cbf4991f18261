"""Exercise of notebook 12 (deeper networks): Xavier and He initialisation, and the variance they predict.

The learner writes three functions::

    W = xavier_normal(d_in, d_out, rng)    # (d_in, d_out), N(0, 2 / (d_in + d_out))
    W = he_normal(d_in, d_out, rng)        # (d_in, d_out), N(0, 2 / d_in)
    var = predicted_variance(var_w, D, l)  # Var(z^(l)) of a ReLU network of width D fed with E[x^2] = 1:
                                           # D var_w (D var_w / 2)**(l - 1)

The weights are drawn as bplib's ``Linear`` draws them: ``rng.standard_normal((d_in, d_out)) * std``
(``rng.normal(0.0, std, size=(d_in, d_out))`` gives the very same numbers). The check draws
standard normals from a generator with the same seed and reads the standard deviation the
learner used as the ratio W / Z, exactly, so no sampling noise enters the verdict. Layers with
d_in != d_out tell fan-in from fan-out, and Xavier's d_in + d_out from 2 d_in.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from bplib.course.exercises.engine import Exercise, Mistake

__all__ = ["INITIALISATION", "check_initialisation", "xavier_normal_reference", "he_normal_reference",
           "predicted_variance_reference"]

_LAYERS = ((300, 100), (100, 300))   # (d_in, d_out): fan-in and fan-out differ, both ways round
_SEED = 12


def xavier_normal_reference(d_in: int, d_out: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot/Xavier normal: W (d_in, d_out) with entries N(0, 2 / (d_in + d_out)), as ``Linear(init="xavier")``."""
    return rng.standard_normal((d_in, d_out)) * np.sqrt(2.0 / (d_in + d_out))


def he_normal_reference(d_in: int, d_out: int, rng: np.random.Generator) -> np.ndarray:
    """He/Kaiming normal: W (d_in, d_out) with entries N(0, 2 / d_in), as ``Linear(init="he")``."""
    return rng.standard_normal((d_in, d_out)) * np.sqrt(2.0 / d_in)


def predicted_variance_reference(var_w: float, D: int, l: int) -> float:
    """Var(z^(l)) in a ReLU network of width D, inputs with E[x^2] = 1: D var_w (D var_w / 2)^(l - 1)."""
    return D * var_w * (D * var_w / 2) ** (l - 1)


def _std_used(W: Any, d_in: int, d_out: int) -> Any:
    """The standard deviation behind W, read exactly as W / Z with Z the same seed's standard normals.

    Returns W's shape as an array when it is not (d_in, d_out), and the sample standard deviation
    when W is not a multiple of those normals (drawn another way).
    """
    W = np.asarray(W, dtype=np.float64)
    if W.shape != (d_in, d_out):
        return np.array(W.shape, dtype=np.float64)
    Z = np.random.default_rng(_SEED).standard_normal((d_in, d_out))
    ratio = W / Z
    if np.allclose(ratio, ratio.flat[0], rtol=1e-12, atol=0):
        return float(ratio.flat[0])
    return float(W.std())


def _run(xavier_normal: Any, he_normal: Any, predicted_variance: Any) -> Iterator[tuple[str, Any]]:
    for name, init in (("xavier_normal", xavier_normal), ("he_normal", he_normal)):
        for d_in, d_out in _LAYERS:
            W = init(d_in, d_out, np.random.default_rng(_SEED))
            yield f"shape of {name}({d_in}, {d_out}, rng)", None if W is None else np.array(np.shape(W), dtype=float)
            yield f"standard deviation of the entries of {name}({d_in}, {d_out}, rng)", _std_used(W, d_in, d_out)
    for var_w, D, l in ((2 / 64, 64, 1), (2 / 64, 64, 10), (1 / 64, 64, 5), (1.0, 64, 3), (0.05, 100, 4)):
        yield f"predicted_variance({var_w:.4g}, {D}, {l})", predicted_variance(var_w, D, l)


def _std_variant(std: Any) -> Any:
    """A wrong init: the reference's draw with another standard deviation std(d_in, d_out)."""
    return lambda d_in, d_out, rng: rng.standard_normal((d_in, d_out)) * std(d_in, d_out)


_X, _H, _P = xavier_normal_reference, he_normal_reference, predicted_variance_reference

INITIALISATION = Exercise(
    id="12-initialisation",
    title="Xavier and He initialisation, and the variance they predict",
    writes="`xavier_normal`, `he_normal` and `predicted_variance`",
    names=("xavier_normal", "he_normal", "predicted_variance"),
    run=_run,
    reference=(_X, _H, _P),
    mistakes=(
        Mistake("xavier_normal returns a (d_out, d_in) matrix: W must be (d_in, d_out), as in Z = X @ W.",
                (lambda d_in, d_out, rng: rng.standard_normal((d_out, d_in)) * np.sqrt(2 / (d_in + d_out)), _H, _P)),
        Mistake("xavier_normal uses the variance 2 / (d_in + d_out) as the standard deviation: the scale of "
                "rng.normal (or the factor of standard_normal) is the standard deviation, np.sqrt(2 / (d_in + d_out)).",
                (_std_variant(lambda i, o: 2 / (i + o)), _H, _P)),
        Mistake("xavier_normal takes one more square root than it should: the variance is 2 / (d_in + d_out), "
                "so the standard deviation is np.sqrt(2 / (d_in + d_out)), not its square root.",
                (_std_variant(lambda i, o: (2 / (i + o)) ** 0.25), _H, _P)),
        Mistake("xavier_normal uses the variance 1 / d_in (fan-in only, LeCun's choice): Xavier averages fan-in "
                "and fan-out, Var(w) = 1 / ((d_in + d_out) / 2) = 2 / (d_in + d_out).",
                (_std_variant(lambda i, o: np.sqrt(1 / i)), _H, _P)),
        Mistake("xavier_normal uses the variance 1 / (d_in + d_out): Xavier's is 2 / (d_in + d_out), one over "
                "the mean of fan-in and fan-out.", (_std_variant(lambda i, o: np.sqrt(1 / (i + o))), _H, _P)),
        Mistake("he_normal uses fan-out, 2 / d_out: the forward pass sums d_in terms, so He's variance is 2 / d_in.",
                (_X, _std_variant(lambda i, o: np.sqrt(2 / o)), _P)),
        Mistake("he_normal has no factor 2 (variance 1 / d_in): ReLU zeroes half of its inputs, halving E[a^2], "
                "and the 2 makes up for it: Var(w) = 2 / d_in.", (_X, _std_variant(lambda i, o: np.sqrt(1 / i)), _P)),
        Mistake("he_normal uses the variance 2 / d_in as the standard deviation: take np.sqrt(2 / d_in).",
                (_X, _std_variant(lambda i, o: 2 / i), _P)),
        Mistake("he_normal takes one more square root than it should: the standard deviation is np.sqrt(2 / d_in).",
                (_X, _std_variant(lambda i, o: (2 / i) ** 0.25), _P)),
        Mistake("predicted_variance has no ReLU halving: each layer after the first multiplies by D var_w / 2, "
                "Var(z^(l)) = D var_w (D var_w / 2)**(l - 1).",
                (_X, _H, lambda var_w, D, l: (D * var_w) ** l)),
        Mistake("predicted_variance multiplies by the per-layer factor l times: the first layer gives D var_w "
                "(its inputs x are not ReLU outputs), then l - 1 factors D var_w / 2.",
                (_X, _H, lambda var_w, D, l: D * var_w * (D * var_w / 2) ** l)),
        Mistake("predicted_variance halves the first layer too: the inputs x have E[x^2] = 1 (they are not ReLU "
                "outputs), so Var(z^(1)) = D var_w and only the l - 1 later layers have the 1/2.",
                (_X, _H, lambda var_w, D, l: (D * var_w / 2) ** l)),
    ),
    error_hint=("xavier_normal(d_in, d_out, rng) and he_normal(d_in, d_out, rng) return a (d_in, d_out) array "
                "drawn from rng; predicted_variance(var_w, D, l) returns a number."),
    passed=("Xavier draws N(0, 2 / (d_in + d_out)), He N(0, 2 / d_in), and the predicted Var(z^(l)) is "
            "D var_w (D var_w / 2)**(l - 1)."),
)

check_initialisation = INITIALISATION.check
