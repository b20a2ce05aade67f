"""From per-sample losses to the value ``Loss.__call__`` returns: sample weights (and masks, from
``ignore_class``) applied, then one of Keras' reductions."""

from __future__ import annotations

import numpy as np

from engine.autograd import Tensor
from engine.backend import xp_of
from engine.losses.inputs import EPSILON

REDUCTIONS = ("sum_over_batch_size", "sum", "none", None, "mean", "mean_with_sample_weight", "auto")


def weights_like(sample_weight, values):
    """Sample weights as a raw array of ``values``' dtype and rank: a trailing axis of 1 dropped, missing
    trailing axes added (one weight per sample broadcasts over the rest). Metrics shape theirs with it too."""
    sw = sample_weight.data if isinstance(sample_weight, Tensor) else sample_weight
    sw = xp_of(values).asarray(sw, dtype=values.dtype)
    if sw.ndim == values.ndim + 1 and sw.shape[-1] == 1:
        sw = sw.reshape(sw.shape[:-1])
    while sw.ndim < values.ndim:
        sw = sw[..., None]
    return sw


def apply_mask(values: Tensor, mask, sample_weight, reduction):
    """Keras' apply_mask: masked entries weigh 0; for the mean reductions the others weigh total / valid, so the
    mean is over the valid entries only. Returns the sample weights to reduce with."""
    mask = mask.astype(values.dtype)
    if reduction in ("mean", "sum_over_batch_size"):
        mask = mask * (mask.size / (float(mask.sum()) + EPSILON))
    if sample_weight is not None:
        mask = mask * weights_like(sample_weight, mask)
    return mask


def reduce_weighted_values(values: Tensor, sample_weight=None, reduction="sum_over_batch_size") -> Tensor:
    if sample_weight is not None:
        sw = weights_like(sample_weight, values.data)
        try:
            np.broadcast_shapes(tuple(sw.shape), tuple(values.shape))
        except ValueError:
            raise ValueError(f"`sample_weight` of shape {tuple(sw.shape)} does not match the per-sample losses of "
                             f"shape {tuple(values.shape)}. Expected one weight per sample.") from None
        values = values * Tensor(sw)
    if reduction in ("none", None):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        xp = xp_of(values.data)
        denom = float(xp.broadcast_to(sw, values.shape).sum())
        return total * (1.0 / max(denom, EPSILON))
    return total * (1.0 / max(values.size, 1))
