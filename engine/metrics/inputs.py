"""What every metric does first: raw arrays out of Tensors, targets on the predictions' device, Keras' rank
rule, and sample weights broadcast to the per-sample values."""

from __future__ import annotations

import numpy as np

from engine.autograd import Tensor
from engine.backend import floatx, xp_of
from engine.losses.reduction import weights_like

EPSILON = 1e-7


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _arrays(y_true, y_pred):
    y_pred = _raw(y_pred)
    if not hasattr(y_pred, "dtype"):
        y_pred = np.asarray(y_pred, dtype=floatx())
    xp = xp_of(y_pred)
    y_true = xp.asarray(_raw(y_true))
    return xp, y_true, y_pred


def _same_rank(y_true, y_pred):
    """Keras' squeeze_or_expand_to_same_rank for metrics."""
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = y_pred.reshape(y_pred.shape[:-1])
    return y_true, y_pred


def _weights_for(values, sample_weight):
    """Sample weights broadcast to per-sample ``values`` (Keras: extra value dims averaged per sample)."""
    if sample_weight is None:
        return None
    return xp_of(values).broadcast_to(weights_like(sample_weight, values), values.shape)
