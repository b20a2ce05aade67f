"""``logits_equivalent``: the from_logits loss to train on when the model ends in softmax / sigmoid."""

from __future__ import annotations

from engine.losses.base import Loss
from engine.losses.function_losses import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
)
from engine.losses.lookup import get


def logits_equivalent(loss, activation: str | None) -> Loss | None:
    """For a model whose last activation is softmax/sigmoid: the from_logits loss to train on the pre-activation
    values instead (fused, stable and one pass cheaper), or None when no such fusion applies."""
    loss = get(loss)
    cfg = loss.get_config() if loss is not None else {}
    if not loss or cfg.get("from_logits", True):
        return None
    cfg = {**cfg, "from_logits": True}
    if activation == "softmax" and isinstance(loss, (CategoricalCrossentropy, SparseCategoricalCrossentropy)):
        if cfg.get("axis", -1) != -1:
            return None
        return type(loss).from_config(cfg)
    if activation == "sigmoid" and isinstance(loss, BinaryCrossentropy):
        return BinaryCrossentropy.from_config(cfg)
    return None
