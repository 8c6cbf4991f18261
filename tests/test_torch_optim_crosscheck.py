"""Cross-check of bplib's optimisers against torch.optim over several steps (float64).

Skipped when torch does not import. Keras (bplib's formulas) and PyTorch place epsilon differently:
RMSprop divides by sqrt(v + eps) in Keras and by sqrt(v) + eps in PyTorch, and Keras's Adam folds
the second-moment bias correction into the step size, so its eps is scaled. With eps = 0 both
libraries compute the same updates, which is what this test checks; with a small eps they must
still agree closely.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from bplib.nn import Layer  # noqa: E402
from bplib.optim import SGD, Adam, RMSprop  # noqa: E402


class OneParameter(Layer):
    def __init__(self, value: np.ndarray) -> None:
        super().__init__()
        self.params = {"p": value.copy()}
        self.grads = {"p": np.zeros_like(value)}


def run_both(bplib_optimizer, make_torch_optimizer, steps: int = 25, seed: int = 0):
    """Apply the same sequence of random gradients in both libraries; return both parameter vectors."""
    rng = np.random.default_rng(seed)
    start = rng.normal(size=7)
    ours = OneParameter(start)
    theirs = torch.tensor(start.copy(), dtype=torch.float64, requires_grad=True)
    torch_optimizer = make_torch_optimizer([theirs])
    for _ in range(steps):
        g = rng.normal(size=7)
        ours.grads["p"][:] = g
        bplib_optimizer.step(ours)
        theirs.grad = torch.from_numpy(g.copy())
        torch_optimizer.step()
    return ours.params["p"], theirs.detach().numpy()


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_matches_torch(momentum: float) -> None:
    ours, theirs = run_both(SGD(lr=0.05, momentum=momentum),
                            lambda p: torch.optim.SGD(p, lr=0.05, momentum=momentum))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_rmsprop_matches_torch_without_eps() -> None:
    ours, theirs = run_both(RMSprop(lr=0.01, rho=0.9, eps=0.0),
                            lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=0.0))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_adam_matches_torch_without_eps() -> None:
    ours, theirs = run_both(Adam(lr=0.01, beta1=0.9, beta2=0.999, eps=0.0),
                            lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.9, 0.999), eps=0.0))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_default_eps_placements_differ_only_slightly() -> None:
    ours, theirs = run_both(Adam(lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01, eps=1e-7))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
    assert not np.array_equal(ours, theirs)  # the eps placement does make a (tiny) difference
