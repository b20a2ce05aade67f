"""User-facing helpers (keras.utils): to_categorical, normalize, set_seed, split_train_test."""

from __future__ import annotations

import math
import random

import numpy as np

from engine import backend
from engine.backend import floatx, to_cpu


def to_categorical(x, num_classes=None, dtype=None) -> np.ndarray:
    """Integer class ids → one-hot rows (a trailing axis of size 1 is dropped first, as Keras does)."""
    x = np.asarray(to_cpu(x))
    if x.dtype.kind == "f":
        if not np.all(np.isfinite(x)) or np.any(x != np.round(x)):
            raise ValueError("to_categorical expects integer class ids. Received non-integer values, e.g. "
                             f"{x[(x != np.round(x)) | ~np.isfinite(x)].ravel()[:3].tolist()}.")
    elif x.dtype.kind not in "iub":
        raise ValueError(f"to_categorical expects integer class ids. Received an array of dtype {x.dtype}. "
                         "Encode text labels as integers first.")
    x = x.astype(np.int64)
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if x.size and x.min() < 0:
        raise ValueError(f"to_categorical expects class ids >= 0. Received: {int(x.min())}")
    if not num_classes:
        num_classes = int(x.max()) + 1 if x.size else 0
    elif x.size and x.max() >= num_classes:
        raise ValueError(f"Class id {int(x.max())} is out of range for num_classes={num_classes}. "
                         f"Expected ids in [0, {num_classes - 1}].")
    out = np.zeros((x.shape[0], int(num_classes)), dtype=dtype or floatx())
    out[np.arange(x.shape[0]), x] = 1
    return out.reshape(shape + (int(num_classes),))


def normalize(x, axis=-1, order=2) -> np.ndarray:
    """x divided by its ``order``-norm along ``axis`` (zero-norm rows are left as they are)."""
    x = np.asarray(to_cpu(x))
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis).astype(x.dtype if x.dtype.kind == "f" else floatx())


def set_seed(seed: int) -> None:
    """Make runs repeatable: seeds the engine's generators (numpy's global one too) and Python's ``random``."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise ValueError(f"Expected `seed` to be an integer. Received: seed={seed!r}")
    random.seed(int(seed))
    backend.set_seed(int(seed))


set_random_seed = set_seed  # keras.utils.set_random_seed


def _n_test(n: int, test_size) -> int:
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"test_size as a fraction must be in (0, 1). Received: test_size={test_size}")
        k = math.ceil(test_size * n)
    elif isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        k = int(test_size)
    else:
        raise ValueError(f"test_size must be a float in (0, 1) or an int. Received: test_size={test_size!r}")
    if not 0 < k < n:
        raise ValueError(f"With n_samples={n} and test_size={test_size}, the train or test set would be empty. "
                         "Expected a test_size leaving at least one sample on each side.")
    return k


def _stratified_test_indices(labels, k, rng):
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if counts.min() < 2:
        raise ValueError("The least populated class in stratify has only 1 member, which is too few. "
                         "The minimum number of members in any class cannot be less than 2.")
    exact = counts * (k / counts.sum())
    take = np.floor(exact).astype(int)
    remainder = k - take.sum()
    if remainder:
        order = np.argsort(-(exact - take), kind="stable")
        take[order[:remainder]] += 1
    picked = []
    for c in range(len(classes)):
        members = np.flatnonzero(inverse == c)
        picked.append(rng.permutation(members)[: take[c]])
    return np.concatenate(picked)


def split_train_test(x, y=None, test_size=0.2, seed=None, stratify=None, shuffle=True):
    """sklearn-style split: ``x_train, x_test, y_train, y_test`` (``x`` may be a list of arrays, ``y`` None).

    ``test_size`` is a fraction (rounded up, as scikit-learn) or a count; ``stratify`` (labels, or one-hot rows)
    keeps class proportions; ``seed`` makes the split repeatable."""
    xs = list(x) if isinstance(x, (list, tuple)) else [x]
    xs = [np.asarray(to_cpu(a)) for a in xs]
    n = len(xs[0])
    ys = None if y is None else np.asarray(to_cpu(y))
    for name, a in [("x", arr) for arr in xs[1:]] + ([("y", ys)] if ys is not None else []):
        if len(a) != n:
            raise ValueError(f"Data cardinality is ambiguous: x has {n} samples but {name} has {len(a)}. "
                             "Make sure all arrays contain the same number of samples.")
    k = _n_test(n, test_size)
    rng = np.random.default_rng(seed)
    if stratify is not None:
        labels = np.asarray(to_cpu(stratify))
        if labels.ndim > 1 and labels.shape[-1] > 1:
            labels = labels.argmax(axis=-1)
        labels = labels.reshape(len(labels), -1)[:, 0] if labels.ndim > 1 else labels
        if len(labels) != n:
            raise ValueError(f"stratify has {len(labels)} labels but x has {n} samples.")
        test_idx = rng.permutation(_stratified_test_indices(labels, k, rng))
    elif shuffle:
        test_idx = rng.permutation(n)[:k]
    else:
        test_idx = np.arange(n - k, n)
    mask = np.zeros(n, dtype=bool)
    mask[test_idx] = True
    train_idx = np.flatnonzero(~mask)
    if shuffle:
        train_idx = rng.permutation(train_idx)
    x_train = [a[train_idx] for a in xs]
    x_test = [a[test_idx] for a in xs]
    if not isinstance(x, (list, tuple)):
        x_train, x_test = x_train[0], x_test[0]
    if ys is None:
        return x_train, x_test, None, None
    return x_train, x_test, ys[train_idx], ys[test_idx]


train_test_split = split_train_test
