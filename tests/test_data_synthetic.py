"""bplib.data: the synthetic data sets and minibatches."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.data import minibatches, spirals, two_moons, xor


def test_xor_values_shapes_dtypes():
    X, y = xor()
    assert X.shape == (4, 2) and X.dtype == np.float64
    assert y.shape == (4, 1) and y.dtype == np.float64
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [[0], [1], [1], [0]])
    np.testing.assert_array_equal(y[:, 0], np.logical_xor(X[:, 0], X[:, 1]))


@pytest.mark.parametrize("n", [1, 2, 7, 200])
def test_two_moons_shapes_dtypes_balance(n):
    X, y = two_moons(n, 0.1, np.random.default_rng(0))
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64
    assert set(np.unique(y)) <= {0, 1}
    assert np.sum(y == 0) == n // 2 and np.sum(y == 1) == n - n // 2


def test_two_moons_geometry_without_noise():
    X, y = two_moons(100, 0.0, np.random.default_rng(0))
    # class 0: unit half circle around (0, 0), upper half; class 1: around (1, 0.5), lower half
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1.0, X[y == 1, 1] - 0.5), 1.0)
    assert np.all(X[y == 0, 1] >= -1e-12) and np.all(X[y == 1, 1] <= 0.5 + 1e-12)


def test_two_moons_reproducible_and_shuffled():
    a = two_moons(50, 0.2, np.random.default_rng(42))
    b = two_moons(50, 0.2, np.random.default_rng(42))
    c = two_moons(50, 0.2, np.random.default_rng(43))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[1], np.sort(a[1]))  # classes are mixed, not in two blocks


@pytest.mark.parametrize("n, classes", [(1, 1), (100, 3), (50, 5)])
def test_spirals_shapes_dtypes_balance(n, classes):
    X, y = spirals(n, classes, np.random.default_rng(0))
    assert X.shape == (n * classes, 2) and X.dtype == np.float64
    assert y.shape == (n * classes,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y, minlength=classes), [n] * classes)
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1.0 + 1e-12)  # radius goes from 0 to 1


def test_spirals_reproducible():
    a = spirals(30, 3, np.random.default_rng(7))
    b = spirals(30, 3, np.random.default_rng(7))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], spirals(30, 3, np.random.default_rng(8))[0])


@pytest.mark.parametrize("make", [lambda rng: two_moons(10, 0.1, rng), lambda rng: spirals(10, 3, rng)])
def test_generators_require_a_generator(make):
    with pytest.raises(TypeError, match="default_rng"):
        make(None)
    with pytest.raises(TypeError, match="default_rng"):
        make(0)


def test_bad_sizes_raise():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        two_moons(0, 0.1, rng)
    with pytest.raises(ValueError, match="noise"):
        two_moons(10, -1.0, rng)
    with pytest.raises(ValueError, match="classes"):
        spirals(10, 0, rng)


# ---------------------------------------------------------------- minibatches


def _data(n=23):
    X = np.arange(n * 3, dtype=np.float64).reshape(n, 3)
    y = np.arange(n)  # y[i] == i identifies the row
    return X, y


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("batch_size", [1, 5, 23, 100])
def test_minibatches_cover_every_row_once(shuffle, batch_size):
    X, y = _data()
    batches = list(minibatches(X, y, batch_size, np.random.default_rng(0), shuffle=shuffle))
    seen = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), y)  # every row exactly once
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb, X[yb])  # inputs and targets stay paired
    sizes = [len(yb) for _, yb in batches]
    assert sizes[:-1] == [batch_size] * (len(sizes) - 1)
    assert sizes[-1] == (23 % batch_size or min(batch_size, 23))
    assert len(batches) == -(-23 // batch_size)
    if not shuffle:
        np.testing.assert_array_equal(seen, y)  # order kept


def test_minibatches_last_batch_smaller():
    X, y = _data(10)
    sizes = [len(Xb) for Xb, _ in minibatches(X, y, 4, np.random.default_rng(0))]
    assert sizes == [4, 4, 2]


def test_minibatches_shuffle_reproducible_and_new_order_each_epoch():
    X, y = _data(50)
    rng = np.random.default_rng(3)
    epoch1 = np.concatenate([yb for _, yb in minibatches(X, y, 8, rng)])
    epoch2 = np.concatenate([yb for _, yb in minibatches(X, y, 8, rng)])
    assert not np.array_equal(epoch1, y) and not np.array_equal(epoch1, epoch2)
    again = np.concatenate([yb for _, yb in minibatches(X, y, 8, np.random.default_rng(3))])
    np.testing.assert_array_equal(epoch1, again)


def test_minibatches_without_shuffle_needs_no_rng():
    X, y = _data(6)
    assert [len(b) for b, _ in minibatches(X, y, 4, None, shuffle=False)] == [4, 2]


def test_minibatches_validates_eagerly():
    X, y = _data(10)
    with pytest.raises(ValueError, match=r"same number of rows.*10 rows.*9 rows"):
        minibatches(X, y[:9], 4, np.random.default_rng(0))  # raised at the call, before iterating
    with pytest.raises(ValueError, match="batch_size"):
        minibatches(X, y, 0, np.random.default_rng(0))
    with pytest.raises(ValueError, match="rng"):
        minibatches(X, y, 4, None)
