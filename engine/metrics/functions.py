"""Per-sample metric functions (Keras' functional metrics): arrays in, an array of shape (batch, ...) out.
The metric classes in ``function_metrics.py`` average them over all samples seen."""

from __future__ import annotations

from engine.backend import floatx, xp_of
from engine.metrics.inputs import EPSILON, _arrays, _same_rank


def accuracy(y_true, y_pred):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    y_true, y_pred = _same_rank(y_true, y_pred)
    return (y_true == y_pred).astype(floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    y_true, y_pred = _same_rank(y_true, y_pred)
    return (y_true == (y_pred > threshold).astype(y_true.dtype)).astype(floatx())


def categorical_accuracy(y_true, y_pred):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    return (xp.argmax(y_true, axis=-1) == xp.argmax(y_pred, axis=-1)).astype(floatx())


def _sparse_labels(y_true, y_pred):
    """Integer targets with a trailing axis of 1 lose it: (b, 1) vs (b, classes) → (b,)."""
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        return y_true.reshape(y_true.shape[:-1])
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    y_true = _sparse_labels(y_true, y_pred)
    return (y_true.astype(xp.int64) == xp.argmax(y_pred, axis=-1)).astype(floatx())


def _in_top_k(labels, y_pred, k):
    """True where fewer than k classes score strictly higher than the true class."""
    xp = xp_of(y_pred)
    labels = labels.astype(xp.int64).reshape(-1)
    flat = y_pred.reshape(-1, y_pred.shape[-1])
    score = xp.take_along_axis(flat, labels[:, None], axis=-1)
    return ((flat > score).sum(axis=-1) < k).reshape(y_pred.shape[:-1])


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    return _in_top_k(xp.argmax(y_true, axis=-1), y_pred, k).astype(floatx())


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    return _in_top_k(_sparse_labels(y_true, y_pred), y_pred, k).astype(floatx())


def _regression(y_true, y_pred):
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    y_true, y_pred = _same_rank(y_true.astype(y_pred.dtype), y_pred)
    return xp, y_true, y_pred


def mean_squared_error(y_true, y_pred):
    xp, y_true, y_pred = _regression(y_true, y_pred)
    d = y_pred - y_true
    return (d * d).mean(axis=-1)


def mean_absolute_error(y_true, y_pred):
    xp, y_true, y_pred = _regression(y_true, y_pred)
    return abs(y_pred - y_true).mean(axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    xp, y_true, y_pred = _regression(y_true, y_pred)
    return 100.0 * abs((y_true - y_pred) / xp.maximum(abs(y_true), y_true.dtype.type(EPSILON))).mean(axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    xp, y_true, y_pred = _regression(y_true, y_pred)
    eps = y_pred.dtype.type(EPSILON)
    d = xp.log(xp.maximum(y_pred, eps) + 1.0) - xp.log(xp.maximum(y_true, eps) + 1.0)
    return (d * d).mean(axis=-1)


# Keras' short function aliases
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
