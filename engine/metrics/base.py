"""``Metric``, the base of every metric object, and ``METRICS``, the registry its subclasses join."""

from __future__ import annotations

from engine.backend import floatx
from engine.registry import Registry

METRICS = Registry("metric")
register = METRICS.register


class Metric:
    """Keras 3 Metric: ``update_state`` accumulates (on the arrays' device), ``result`` reads back a float."""

    def __init__(self, name=None, dtype=None):
        self.name = name or type(self).__name__.lower()
        self.dtype = dtype or floatx()
        self.reset_state()

    def reset_state(self) -> None:
        raise NotImplementedError

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError

    def result(self) -> float:
        raise NotImplementedError

    def __call__(self, *args, **kwargs) -> float:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"
