"""Weight regularizers (Keras 3): ``reg(weight: Tensor) -> scalar Tensor`` added to the training loss."""

from __future__ import annotations

import math

from engine.autograd import Tensor
from engine.registry import Registry

REGULARIZERS = Registry("regularizer")
register = REGULARIZERS.register


def _check(name, value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        value = None
    if value is None or not math.isfinite(value) or value < 0:
        raise ValueError(f"Value for argument {name} must be a non-negative float. Received: {name}={value!r}")
    return value


def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


class Regularizer:
    def __call__(self, x) -> Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}({self.get_config()})"


@register(name="L1", aliases=("l1",))
class L1(Regularizer):
    """``l1 * sum(abs(x))``."""

    def __init__(self, l1=0.01):
        self.l1 = _check("l1", l1)

    def __call__(self, x):
        return _as_tensor(x).abs().sum() * self.l1

    def get_config(self):
        return {"l1": self.l1}


@register(name="L2", aliases=("l2",))
class L2(Regularizer):
    """``l2 * sum(square(x))``."""

    def __init__(self, l2=0.01):
        self.l2 = _check("l2", l2)

    def __call__(self, x):
        x = _as_tensor(x)
        return (x * x).sum() * self.l2

    def get_config(self):
        return {"l2": self.l2}


@register(name="L1L2", aliases=("l1_l2",))
class L1L2(Regularizer):
    """``l1 * sum(abs(x)) + l2 * sum(square(x))``. The class defaults to 0, the `l1_l2` name to 0.01 each (Keras)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = _check("l1", l1), _check("l2", l2)

    def __call__(self, x):
        x = _as_tensor(x)
        out = None
        if self.l1:
            out = x.abs().sum() * self.l1
        if self.l2:
            sq = (x * x).sum() * self.l2
            out = sq if out is None else out + sq
        if out is None:
            out = x.sum() * 0.0
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


def l1(l1=0.01):  # noqa: D103 - Keras' functional spellings
    return L1(l1)


def l2(l2=0.01):  # noqa: D103
    return L2(l2)


def l1_l2(l1=0.01, l2=0.01):  # noqa: D103
    return L1L2(l1=l1, l2=l2)


def get(identifier):
    """None → None; "l1"/"l2"/"l1_l2" → default instances; {"class_name", "config"} → instance; callables pass."""
    if isinstance(identifier, str) and identifier.lower() == "l1_l2":
        return l1_l2()  # Keras' defaults for the string form differ from L1L2()'s
    return REGULARIZERS.instance(identifier, Regularizer)


def serialize(regularizer) -> dict | None:
    return None if regularizer is None else REGULARIZERS.serialize(regularizer, "keras.regularizers")


def deserialize(config):
    return get(config)
