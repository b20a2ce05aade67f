"""Search spaces: ``Int``, ``Float`` (linear or log), ``Choice``, ``Boolean``, ``Fixed``.

Each hyper-parameter maps its value to and from the unit interval, so that the Bayesian oracle can model
every space as a box [0, 1]^d, and knows its finite grid (``grid()``) where it has one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Int:
    min_value: int
    max_value: int
    step: int = 1
    log: bool = False
    default: int | None = None

    def __post_init__(self):
        if self.max_value < self.min_value or self.step < 1:
            raise ValueError(f"Int expects min_value <= max_value and step >= 1. Received: "
                             f"min_value={self.min_value}, max_value={self.max_value}, step={self.step}")

    def grid(self):
        return list(range(self.min_value, self.max_value + 1, self.step))

    def from_unit(self, u: float) -> int:
        if self.log:
            v = math.exp(math.log(self.min_value) + u * (math.log(self.max_value) - math.log(self.min_value)))
        else:
            v = self.min_value + u * (self.max_value - self.min_value)
        k = round((v - self.min_value) / self.step)
        return int(min(self.max_value, self.min_value + max(0, k) * self.step))

    def to_unit(self, v) -> float:
        if self.max_value == self.min_value:
            return 0.5
        if self.log:
            return (math.log(v) - math.log(self.min_value)) / (math.log(self.max_value) - math.log(self.min_value))
        return (v - self.min_value) / (self.max_value - self.min_value)


@dataclass(frozen=True)
class Float:
    min_value: float
    max_value: float
    log: bool = False
    step: float | None = None
    default: float | None = None

    def __post_init__(self):
        if self.max_value < self.min_value or (self.log and self.min_value <= 0):
            raise ValueError(f"Float expects min_value <= max_value (and min_value > 0 when log=True). "
                             f"Received: min_value={self.min_value}, max_value={self.max_value}, log={self.log}")

    def grid(self, points: int = 5):
        if self.step:
            n = int(round((self.max_value - self.min_value) / self.step)) + 1
            return [self.min_value + i * self.step for i in range(n)]
        return [self.from_unit(i / (points - 1)) for i in range(points)]

    def from_unit(self, u: float) -> float:
        if self.log:
            return math.exp(math.log(self.min_value) + u * (math.log(self.max_value) - math.log(self.min_value)))
        return self.min_value + u * (self.max_value - self.min_value)

    def to_unit(self, v) -> float:
        if self.max_value == self.min_value:
            return 0.5
        if self.log:
            return (math.log(v) - math.log(self.min_value)) / (math.log(self.max_value) - math.log(self.min_value))
        return (v - self.min_value) / (self.max_value - self.min_value)


@dataclass(frozen=True)
class Choice:
    values: tuple
    default: object = None

    def __init__(self, values, default=None):
        if not values:
            raise ValueError("Choice expects at least one value. Received: values=[]")
        object.__setattr__(self, "values", tuple(values))
        object.__setattr__(self, "default", default)

    def grid(self):
        return list(self.values)

    def from_unit(self, u: float):
        return self.values[min(int(u * len(self.values)), len(self.values) - 1)]

    def to_unit(self, v) -> float:
        return (self.values.index(v) + 0.5) / len(self.values)


def Boolean(default=None) -> Choice:  # noqa: N802 - Keras-tuner spelling
    return Choice([False, True], default=default)


@dataclass(frozen=True)
class Fixed:
    value: object

    def grid(self):
        return [self.value]

    def from_unit(self, u: float):
        return self.value

    def to_unit(self, v) -> float:
        return 0.5


@dataclass
class SearchSpace:
    """A named set of hyper-parameters: ``SearchSpace({"units": Int(8, 64, step=8), ...})``."""

    params: dict = field(default_factory=dict)

    def names(self):
        return list(self.params)

    def from_unit(self, point) -> dict:
        return {name: hp.from_unit(float(u)) for (name, hp), u in zip(self.params.items(), point)}

    def to_unit(self, values: dict) -> list[float]:
        return [hp.to_unit(values[name]) for name, hp in self.params.items()]

    def defaults(self) -> dict:
        out = {}
        for name, hp in self.params.items():
            default = getattr(hp, "default", None)
            out[name] = default if default is not None else hp.grid()[0] if not isinstance(hp, Fixed) else hp.value
        return out


class HyperParameters:
    """Keras-tuner's define-by-run API: ``hp.Int("units", 32, 512, step=32)`` inside a build function.

    The first call registers the parameter in ``space`` and answers its default; later calls answer the
    value the oracle chose for the current trial.
    """

    def __init__(self, values: dict | None = None, space: SearchSpace | None = None):
        self.values = dict(values or {})
        self.space = space or SearchSpace()

    def _get(self, name, hp):
        self.space.params.setdefault(name, hp)
        if name not in self.values:
            self.values[name] = self.space.defaults()[name]
        return self.values[name]

    def Int(self, name, min_value, max_value, step=1, sampling="linear", default=None):  # noqa: N802
        return self._get(name, Int(min_value, max_value, step, sampling == "log", default))

    def Float(self, name, min_value, max_value, step=None, sampling="linear", default=None):  # noqa: N802
        return self._get(name, Float(min_value, max_value, sampling == "log", step, default))

    def Choice(self, name, values, default=None):  # noqa: N802
        return self._get(name, Choice(values, default))

    def Boolean(self, name, default=False):  # noqa: N802
        return self._get(name, Boolean(default))

    def Fixed(self, name, value):  # noqa: N802
        return self._get(name, Fixed(value))

    def get(self, name):
        return self.values[name]

    def __getitem__(self, name):
        return self.values[name]
