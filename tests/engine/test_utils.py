import random

import numpy as np
import pytest

from engine import backend, utils


def test_to_categorical_by_hand():
    out = utils.to_categorical([0, 2, 1])
    np.testing.assert_array_equal(out, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert out.dtype == np.float32
    assert utils.to_categorical(np.array([[1], [0]]), num_classes=4).shape == (2, 4)  # (n, 1) squeezed
    assert utils.to_categorical(np.array([[1, 0], [2, 2]])).shape == (2, 2, 3)
    assert utils.to_categorical(np.array([1.0, 0.0])).tolist() == [[0, 1], [1, 0]]


def test_to_categorical_errors():
    with pytest.raises(ValueError, match="out of range for num_classes=2"):
        utils.to_categorical([0, 2], num_classes=2)
    with pytest.raises(ValueError, match=">= 0"):
        utils.to_categorical([-1, 0])
    with pytest.raises(ValueError, match="integer class ids"):
        utils.to_categorical([0.5, 1.0])
    with pytest.raises(ValueError, match="integer class ids"):
        utils.to_categorical(np.array(["a", "b"]))


def test_normalize_by_hand():
    out = utils.normalize(np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])
    assert out.dtype == np.float32
    np.testing.assert_allclose(utils.normalize(np.array([[1.0, 3.0]]), order=1), [[0.25, 0.75]])
    np.testing.assert_allclose(utils.normalize(np.array([[3.0], [4.0]]), axis=0), [[0.6], [0.8]])


def test_set_seed_repeatable():
    utils.set_seed(42)
    a = (backend.random_normal((3,)), np.random.rand(), random.random())
    utils.set_seed(42)
    b = (backend.random_normal((3,)), np.random.rand(), random.random())
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1:] == b[1:]
    with pytest.raises(ValueError, match="integer"):
        utils.set_seed("1")


def test_split_sizes_disjoint_and_repeatable():
    x = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    xtr, xte, ytr, yte = utils.split_train_test(x, y, test_size=0.3, seed=1)
    assert len(xtr) == 7 and len(xte) == 3
    assert sorted(np.concatenate([ytr, yte]).tolist()) == list(range(10))
    np.testing.assert_array_equal(xtr[:, 0] // 2, ytr)  # rows stay paired with their labels
    again = utils.split_train_test(x, y, test_size=0.3, seed=1)
    np.testing.assert_array_equal(again[3], yte)
    assert len(utils.split_train_test(x, y, test_size=4)[1]) == 4
    _, xte, _, yte = utils.split_train_test(x, y, test_size=2, shuffle=False)
    assert yte.tolist() == [8, 9]
    xtr, xte, ytr, yte = utils.split_train_test([x, y], None, test_size=0.5, seed=0)
    assert ytr is None and len(xtr) == 2 and np.array_equal(xtr[0][:, 0] // 2, xtr[1])


def test_split_stratified_keeps_proportions():
    y = np.array([0] * 30 + [1] * 60 + [2] * 10)
    x = np.arange(100)
    _, _, ytr, yte = utils.split_train_test(x, y, test_size=0.2, seed=0, stratify=y)
    assert np.bincount(yte).tolist() == [6, 12, 2]
    assert np.bincount(ytr).tolist() == [24, 48, 8]
    onehot = utils.to_categorical(y)
    _, _, _, yte2 = utils.split_train_test(x, onehot, test_size=0.2, seed=0, stratify=onehot)
    assert yte2.sum(axis=0).tolist() == [6, 12, 2]


def test_split_errors():
    with pytest.raises(ValueError, match="x has 3 samples but y has 2"):
        utils.split_train_test(np.zeros((3, 1)), np.zeros(2))
    with pytest.raises(ValueError, match="test_size"):
        utils.split_train_test(np.zeros((3, 1)), np.zeros(3), test_size=1.5)
    with pytest.raises(ValueError, match="empty"):
        utils.split_train_test(np.zeros((3, 1)), np.zeros(3), test_size=3)
    with pytest.raises(ValueError, match="only 1 member"):
        utils.split_train_test(np.zeros(5), np.zeros(5), stratify=np.array([0, 0, 0, 0, 1]))
