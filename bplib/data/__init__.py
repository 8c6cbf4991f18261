"""Data for the course: small synthetic sets, mini-batches and the MNIST loader.

=====================  =========================================================
``xor()``              the 4 points of XOR, ``X (4, 2)``, ``y (4, 1)``
``two_moons``          two interleaving half circles, ``X (n, 2)``, ``y (n,)``
``spirals``            cs231n spirals, ``X (n*classes, 2)``, ``y (n*classes,)``
``minibatches``        one epoch of ``(Xb, yb)`` batches, shuffled or in order
``load_mnist``         MNIST as float32 in [0, 1] (downloads and verifies)
``load_mnist_uint8``   the same with the images kept as uint8
=====================  =========================================================

Random generators take a required ``rng`` (``np.random.default_rng(seed)``).
"""

from __future__ import annotations

from .batches import minibatches
from .mnist import (
    MnistCorruptError,
    MnistError,
    MnistUnavailableError,
    MnistWarning,
    load_mnist,
    load_mnist_uint8,
    resolve_data_dir,
)
from .synthetic import spirals, two_moons, xor

__all__ = [
    "MnistCorruptError",
    "MnistError",
    "MnistUnavailableError",
    "MnistWarning",
    "load_mnist",
    "load_mnist_uint8",
    "minibatches",
    "resolve_data_dir",
    "spirals",
    "two_moons",
    "xor",
]
