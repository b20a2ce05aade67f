"""Metrics that reduce values: ``Mean``, ``Sum``, and ``MeanMetricWrapper`` (a per-sample function averaged
over every sample seen), with ``_wrapper_class``, which makes the built-in wrapper classes."""

from __future__ import annotations

from engine.backend import floatx, xp_of
from engine.metrics.base import Metric, register
from engine.metrics.inputs import _raw, _weights_for


@register
class Mean(Metric):
    """Weighted mean of the values it is given."""

    def reset_state(self):
        self.total, self.count = 0.0, 0.0

    def update_state(self, values, sample_weight=None):
        values = _raw(values)
        xp = xp_of(values)
        values = xp.asarray(values, dtype=floatx())
        if values.ndim > 1:  # Keras reduces extra dims to one value per sample
            values = values.reshape(values.shape[0], -1).mean(axis=-1)
        sw = _weights_for(values, sample_weight)
        if sw is None:  # device scalars: no host sync per batch
            self.total = self.total + values.sum(dtype="float64")
            self.count = self.count + float(values.size)
        else:
            self.total = self.total + (values * sw).sum(dtype="float64")
            self.count = self.count + sw.sum(dtype="float64")

    def result(self):
        count = float(self.count)
        return float(self.total) / count if count else 0.0


@register
class Sum(Metric):
    def reset_state(self):
        self.total = 0.0

    def update_state(self, values, sample_weight=None):
        values = xp_of(_raw(values)).asarray(_raw(values), dtype=floatx())
        sw = _weights_for(values, sample_weight)
        self.total = self.total + (values.sum(dtype="float64") if sw is None else (values * sw).sum(dtype="float64"))

    def result(self):
        return float(self.total)


class MeanMetricWrapper(Mean):
    """A per-sample function averaged over all samples seen (weighted)."""

    fn = None

    def __init__(self, fn=None, name=None, dtype=None, **kwargs):
        if fn is not None:
            self.fn = fn
        self._fn_kwargs = kwargs
        super().__init__(name=name or getattr(self.fn, "__name__", "metric"), dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self.fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


def _wrapper_class(class_name, fn, default_name, params=(), aliases=()):
    """A registered ``MeanMetricWrapper`` subclass over ``fn``: ``ClassName(*params, name=default_name)``."""
    names = [p for p, _ in params]

    def __init__(self, *args, name=default_name, dtype=None, **kwargs):
        values = dict(params)
        values.update(zip(names, args))
        unknown = set(kwargs) - set(names)
        if unknown:
            raise TypeError(f"{class_name}.__init__() received unknown keyword arguments: {sorted(unknown)}.")
        values.update(kwargs)
        MeanMetricWrapper.__init__(self, None, name=name, dtype=dtype, **values)

    # __module__: the public home of these classes (where they were defined before engine.metrics was a package)
    cls = type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "fn": staticmethod(fn),
                                                  "__module__": "engine.metrics"})
    register(cls, aliases=aliases)
    return cls
