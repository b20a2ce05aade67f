"""Weight constraints (Keras 3): ``c(array) -> array``, applied by the optimizer after each update."""

from __future__ import annotations

from engine.backend import xp_of
from engine.registry import Registry

CONSTRAINTS = Registry("constraint")
register = CONSTRAINTS.register
EPSILON = 1e-7  # keras.backend.epsilon()


def _norms(w, axis):
    xp = xp_of(w)
    return xp.sqrt(xp.sum(w * w, axis=axis, keepdims=True))


class Constraint:
    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}({self.get_config()})"


@register(aliases=("max_norm", "maxnorm"))
class MaxNorm(Constraint):
    """Scale slices along ``axis`` whose L2 norm exceeds ``max_value`` back to it."""

    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        xp = xp_of(w)
        norms = _norms(w, self.axis)
        desired = xp.clip(norms, 0, self.max_value)
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


@register(aliases=("non_neg", "nonneg"))
class NonNeg(Constraint):
    """Negative entries become 0."""

    def __call__(self, w):
        return w * (w >= 0).astype(w.dtype)


@register(aliases=("unit_norm", "unitnorm"))
class UnitNorm(Constraint):
    """Every slice along ``axis`` gets unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (EPSILON + _norms(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


@register(aliases=("min_max_norm", "minmaxnorm"))
class MinMaxNorm(Constraint):
    """Norms pulled into [min_value, max_value] at ``rate`` (1.0 = all the way)."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        xp = xp_of(w)
        norms = _norms(w, self.axis)
        desired = self.rate * xp.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (EPSILON + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


def get(identifier):
    """None → None; a name or config dict → a Constraint; callables pass."""
    return CONSTRAINTS.instance(identifier, Constraint)


def serialize(constraint) -> dict | None:
    return None if constraint is None else CONSTRAINTS.serialize(constraint, "keras.constraints")


def deserialize(config):
    return get(config)
