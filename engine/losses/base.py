"""``Loss``, the base of every loss object, and ``LOSSES``, the registry the built-in classes join."""

from __future__ import annotations

from engine.autograd import Tensor
from engine.losses.inputs import _pred
from engine.losses.reduction import REDUCTIONS, apply_mask, reduce_weighted_values
from engine.registry import Registry

LOSSES = Registry("loss")


class Loss:
    """Keras 3 Loss: ``call`` gives per-sample values; ``__call__`` weights and reduces them."""

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        if reduction not in REDUCTIONS:
            raise ValueError(f"Invalid value for argument `reduction`. Expected one of {list(REDUCTIONS)}. "
                             f"Received: reduction={reduction!r}")
        self.name = name or type(self).__name__
        self.reduction = reduction
        self.dtype = dtype

    def call(self, y_true, y_pred):
        raise NotImplementedError

    def __call__(self, y_true, y_pred, sample_weight=None) -> Tensor:
        values = self.call(y_true, _pred(y_pred))
        mask = getattr(values, "_keras_mask", None)
        if mask is not None:  # entries left out by the loss (ignore_class)
            sample_weight = apply_mask(values, mask, sample_weight, self.reduction)
        return reduce_weighted_values(values, sample_weight, self.reduction)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"
