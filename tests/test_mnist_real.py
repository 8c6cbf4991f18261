"""The real MNIST, when BPLIB_DATA points at a directory holding the four official files.

Run with e.g. ``BPLIB_DATA=../shared/data/mnist pytest tests/test_mnist_real.py``.
Nothing is downloaded here (``download=False``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from bplib.data import load_mnist, load_mnist_uint8
from bplib.data.mnist import FILES

_DIR = os.environ.get("BPLIB_DATA", "")
_HAVE_FILES = bool(_DIR) and all((Path(_DIR) / name).is_file() for name in FILES)

pytestmark = [
    pytest.mark.mnist,
    pytest.mark.skipif(
        not _HAVE_FILES,
        reason="needs the real MNIST: set BPLIB_DATA to a directory holding the four official .gz files",
    ),
]

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def mnist():
    return load_mnist(download=False)


def test_shapes_and_dtypes(mnist):
    (X_train, y_train), (X_test, y_test) = mnist
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert X_train.dtype == X_test.dtype == np.float32
    assert y_train.dtype == y_test.dtype == np.int64


def test_value_range(mnist):
    (X_train, _), (X_test, _) = mnist
    for X in (X_train, X_test):
        assert X.min() == 0.0 and X.max() == 1.0
        assert np.all((X >= 0) & (X <= 1))


def test_label_counts(mnist):
    (_, y_train), (_, y_test) = mnist
    assert np.bincount(y_train, minlength=10).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test, minlength=10).tolist() == TEST_COUNTS
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]  # the well-known first training labels


def test_uint8_variant_matches(mnist):
    (X_train, y_train), (X_test, _) = load_mnist_uint8(download=False)
    assert X_train.dtype == np.uint8 and X_train.shape == (60000, 784) and X_train.max() == 255
    rows = slice(0, 2000)  # a sample keeps the test light (the full comparison makes 200 MB temporaries)
    np.testing.assert_array_equal(X_train[rows] / np.float32(255), mnist[0][0][rows])
    np.testing.assert_array_equal(y_train, mnist[0][1])
    assert X_test.shape == (10000, 784)
