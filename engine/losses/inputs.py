"""What every loss function does first: ``y_pred`` as a Tensor, ``y_true`` as a raw array of its dtype on its
device, Keras' rank rule, and the shape check that names both shapes."""

from __future__ import annotations

import numpy as np

from engine.autograd import Tensor
from engine.backend import floatx, xp_of

EPSILON = 1e-7


def _pred(y_pred) -> Tensor:
    if isinstance(y_pred, Tensor):
        return y_pred
    arr = y_pred if hasattr(y_pred, "dtype") else np.asarray(y_pred)
    if arr.dtype.kind != "f":
        arr = arr.astype(floatx())
    return Tensor(arr)


def _true(y_true, y_pred: Tensor, dtype=None):
    """y_true as a raw array on y_pred's device, cast to y_pred's dtype (or ``dtype``)."""
    if isinstance(y_true, Tensor):
        y_true = y_true.data
    xp = xp_of(y_pred.data)
    return xp.asarray(y_true, dtype=dtype or y_pred.dtype)


def _same_rank(y_true, y_pred: Tensor):
    """Keras' squeeze_or_expand_to_same_rank: (b,) vs (b, 1) → both rank 2."""
    t, p = y_true.ndim, y_pred.ndim
    if t == p + 1 and y_true.shape[-1] == 1:
        y_true = y_true.reshape(y_true.shape[:-1])
    elif p == t + 1 and y_pred.shape[-1] == 1:
        if t == 1:
            y_true = y_true.reshape(*y_true.shape, 1)
        else:
            y_pred = y_pred.reshape(y_pred.shape[:-1])
    return y_true, y_pred


def _c(value, like: Tensor) -> Tensor:
    """A constant of ``like``'s dtype and device (no float64 creep)."""
    return Tensor(xp_of(like.data).asarray(value, dtype=like.dtype))


def _prepare(y_true, y_pred):
    y_pred = _pred(y_pred)
    y_true = _true(y_true, y_pred)
    y_true, y_pred = _same_rank(y_true, y_pred)
    try:
        np.broadcast_shapes(tuple(y_true.shape), tuple(y_pred.shape))
    except ValueError:
        raise ValueError("Arguments `y_true` and `y_pred` must have compatible shapes. Received: "
                         f"y_true.shape={tuple(y_true.shape)}, y_pred.shape={tuple(y_pred.shape)}") from None
    return y_true, y_pred
