"""Per-sample loss functions (Keras' functional API): ``fn(y_true, y_pred, **kw)`` → a Tensor of one loss per
sample (the last axis reduced), differentiable in ``y_pred``. The classes in ``function_losses.py`` wrap them."""

from __future__ import annotations

import math

import numpy as np

from engine.autograd import Tensor
from engine.backend import xp_of
from engine.losses.inputs import EPSILON, _c, _pred, _prepare, _true
from engine.ops import activation as A
from engine.ops import loss as L
from engine.ops import math as M


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return L.mean_squared_error(y_pred, y_true)


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return (y_pred - y_true).abs().mean(axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    xp = xp_of(y_true)
    denom = xp.maximum(abs(y_true), y_true.dtype.type(EPSILON))
    return ((y_pred - y_true) / denom).abs().mean(axis=-1) * 100.0


def mean_squared_logarithmic_error(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    xp = xp_of(y_true)
    second = xp.log(xp.maximum(y_true, y_true.dtype.type(EPSILON)) + 1.0)
    d = (M.maximum(y_pred, _c(EPSILON, y_pred)) + 1.0).log() - second
    return (d * d).mean(axis=-1)


def _smooth(y_true, label_smoothing, num_classes):
    if label_smoothing:
        return y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return y_true


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_true, y_pred = _prepare(y_true, y_pred)
    y_true = _smooth(y_true, label_smoothing, 2.0)
    per = L.sigmoid_binary_cross_entropy(y_pred, y_true) if from_logits else L.binary_cross_entropy_prob(y_pred, y_true)
    return per.mean(axis=axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = _pred(y_pred)
    y_true = _true(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. "
                         f"Received: target.shape={tuple(y_true.shape)}, output.shape={tuple(y_pred.shape)}")
    y_true = _smooth(y_true, label_smoothing, y_pred.shape[axis])
    if from_logits:
        return L.softmax_cross_entropy(y_pred, y_true, axis=axis)
    return L.categorical_cross_entropy_prob(y_pred, y_true, axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    y_pred = _pred(y_pred)
    labels = y_true.data if isinstance(y_true, Tensor) else y_true
    xp = xp_of(y_pred.data)
    labels = xp.asarray(labels)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels.reshape(labels.shape[:-1])
    if labels.shape != y_pred.shape[:-1]:
        raise ValueError("Arguments `target` and `output` must have the same shape up until the last dimension: "
                         f"target.shape={tuple(labels.shape)}, output.shape={tuple(y_pred.shape)}")
    labels = labels.astype(xp.int64, copy=False)
    valid = None
    if ignore_class is not None:
        valid = labels != ignore_class
        labels = xp.where(valid, labels, 0)
    n = y_pred.shape[-1]
    if xp is np and labels.size and (int(labels.min()) < 0 or int(labels.max()) >= n):  # no GPU sync per batch
        raise ValueError(f"Received a label value outside the valid range [0, {n}): labels range from "
                         f"{int(labels.min())} to {int(labels.max())}. Expected integer class ids for "
                         f"sparse_categorical_crossentropy with {n} classes.")
    out = L.sparse_softmax_cross_entropy(y_pred, labels) if from_logits \
        else L.sparse_categorical_cross_entropy_prob(y_pred, labels)
    if valid is not None:
        out = out * Tensor(valid.astype(y_pred.dtype))
        out._keras_mask = valid  # the reduction averages over the valid entries only, as Keras does
    return out


def huber(y_true, y_pred, delta=1.0):
    y_true, y_pred = _prepare(y_true, y_pred)
    err = y_pred - y_true
    xp = xp_of(y_true)
    small = xp.abs(err.data) <= delta
    quad = err * err * 0.5
    lin = err.abs() * float(delta) - 0.5 * float(delta) ** 2
    return M.where(small, quad, lin).mean(axis=-1)


def _hinge_labels(y_true):
    xp = xp_of(y_true)
    if bool(xp.all((y_true == 0) | (y_true == 1))):
        return 2.0 * y_true - 1.0
    return y_true


def hinge(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    margin = 1.0 - y_pred * _hinge_labels(y_true)
    return M.maximum(margin, _c(0.0, y_pred)).mean(axis=-1)


def squared_hinge(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    m = M.maximum(1.0 - y_pred * _hinge_labels(y_true), _c(0.0, y_pred))
    return (m * m).mean(axis=-1)


def categorical_hinge(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    pos = (y_pred * y_true).sum(axis=-1)
    z = y_pred * (1.0 - y_true)
    xp = xp_of(z.data)
    first_max = xp.argmax(z.data, axis=-1)[..., None] == xp.arange(z.shape[-1])  # gradient to one argmax
    neg = (z * Tensor(first_max.astype(z.dtype))).sum(axis=-1)
    return M.maximum(neg - pos + 1.0, _c(0.0, y_pred))


def kl_divergence(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    xp = xp_of(y_true)
    t = xp.clip(y_true, EPSILON, 1.0)
    p = M.clip(y_pred, EPSILON, 1.0)
    return ((p.log() * -1.0 + xp.log(t)) * t).sum(axis=-1)


def log_cosh(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    x = y_pred - y_true
    return (x + A.softplus(x * -2.0) - math.log(2.0)).mean(axis=-1)


def poisson(y_true, y_pred):
    y_true, y_pred = _prepare(y_true, y_pred)
    return (y_pred - (y_pred + EPSILON).log() * y_true).mean(axis=-1)


def _l2_normalize_array(x, axis):
    xp = xp_of(x)
    return x / xp.maximum(xp.sqrt((x * x).sum(axis=axis, keepdims=True)), x.dtype.type(EPSILON))


def cosine_similarity(y_true, y_pred, axis=-1):
    y_true, y_pred = _prepare(y_true, y_pred)
    t = _l2_normalize_array(y_true, axis)
    norm = M.maximum((y_pred * y_pred).sum(axis=axis, keepdims=True).sqrt(), _c(EPSILON, y_pred))
    return ((y_pred / norm) * t).sum(axis=axis) * -1.0


# Keras' short function aliases
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
