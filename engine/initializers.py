"""Weight initializers (Keras 3 names, arguments and maths).

``get(identifier)`` → an Initializer instance; calling it, ``init(shape, dtype=None)``, returns an array of
the current device's module. With ``seed=None`` draws come from the engine's seeded generator
(``engine.backend.set_seed``); with a seed, from a generator of that seed (repeatable per call, as Keras).
"""

from __future__ import annotations

import math

import numpy as np

from engine.backend import floatx, get_xp, rng, to_device
from engine.registry import Registry

INITIALIZERS = Registry("initializer")
register = INITIALIZERS.register


def compute_fans(shape):
    """(fan_in, fan_out) as Keras: dense (in, out); conv kernels (*spatial, in, out) × receptive field."""
    shape = tuple(shape)
    if len(shape) < 1:
        fan_in = fan_out = 1
    elif len(shape) == 1:
        fan_in = fan_out = shape[0]
    elif len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive = math.prod(shape[:-2])
        fan_in, fan_out = shape[-2] * receptive, shape[-1] * receptive
    return int(fan_in), int(fan_out)


class Initializer:
    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        config.pop("dtype", None)  # TF 1.x / Keras 2 configs carry it; the dtype comes from the layer
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}({self.get_config()})"


class _Random(Initializer):
    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(f"Expected `seed` to be an int or None. Received: seed={seed!r}")
        self.seed = seed

    def _gen(self):
        return rng() if self.seed is None else np.random.default_rng(self.seed)

    def _out(self, arr, dtype):
        return to_device(arr, dtype=dtype or floatx())

    def get_config(self):
        return {"seed": self.seed}


@register(aliases=("zeros", "zero"))
class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return get_xp().zeros(tuple(shape), dtype=dtype or floatx())


@register(aliases=("ones", "one"))
class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return get_xp().ones(tuple(shape), dtype=dtype or floatx())


@register(aliases=("constant",))
class Constant(Initializer):
    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return get_xp().full(tuple(shape), self.value, dtype=dtype or floatx())

    def get_config(self):
        return {"value": self.value}


@register(aliases=("random_normal", "normal"))
class RandomNormal(_Random):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        g = self._gen()
        return self._out(g.standard_normal(size=tuple(shape)) * self.stddev + self.mean, dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@register(aliases=("random_uniform", "uniform"))
class RandomUniform(_Random):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape, dtype=None):
        return self._out(self._gen().uniform(self.minval, self.maxval, size=tuple(shape)), dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_normal(gen, shape, mean, stddev):
    """Normal draws re-drawn outside two standard deviations (vectorised rejection)."""
    shape = tuple(shape)
    out = gen.standard_normal(size=shape)
    bad = abs(out) > 2
    while bad.any():
        out[bad] = gen.standard_normal(size=int(bad.sum()))
        bad = abs(out) > 2
    return out * stddev + mean


@register(aliases=("truncated_normal",))
class TruncatedNormal(_Random):
    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape, dtype=None):
        return self._out(_truncated_normal(self._gen(), shape, self.mean, self.stddev), dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


@register(aliases=("variance_scaling",))
class VarianceScaling(_Random):
    _MODES = ("fan_in", "fan_out", "fan_avg")
    _DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        if mode not in self._MODES:
            raise ValueError(f"Invalid `mode` argument: expected one of {list(self._MODES)}. Received: mode={mode!r}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self._DISTRIBUTIONS:
            raise ValueError(f"Invalid `distribution` argument: expected one of {list(self._DISTRIBUTIONS)}. "
                             f"Received: distribution={distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        g = self._gen()
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / 0.87962566103423978
            arr = _truncated_normal(g, shape, 0.0, stddev)
        elif self.distribution == "untruncated_normal":
            arr = g.standard_normal(size=tuple(shape)) * math.sqrt(scale)
        else:
            limit = math.sqrt(3.0 * scale)
            arr = g.uniform(-limit, limit, size=tuple(shape))
        return self._out(arr, dtype)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _fixed(name, scale, mode, distribution, aliases):
    def __init__(self, seed=None, input_axes=None, output_axes=None):  # axes: newer Keras configs carry them
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution, seed=seed)

    def get_config(self):
        return {"seed": self.seed}

    cls = type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                          "__doc__": f"VarianceScaling(scale={scale}, mode={mode!r}, "
                                                     f"distribution={distribution!r})."})
    cls.__module__ = __name__
    return register(cls, aliases=aliases)


GlorotUniform = _fixed("GlorotUniform", 1.0, "fan_avg", "uniform", ("glorot_uniform", "xavier_uniform"))
GlorotNormal = _fixed("GlorotNormal", 1.0, "fan_avg", "truncated_normal", ("glorot_normal", "xavier_normal"))
HeNormal = _fixed("HeNormal", 2.0, "fan_in", "truncated_normal", ("he_normal",))
HeUniform = _fixed("HeUniform", 2.0, "fan_in", "uniform", ("he_uniform",))
LecunNormal = _fixed("LecunNormal", 1.0, "fan_in", "truncated_normal", ("lecun_normal",))
LecunUniform = _fixed("LecunUniform", 1.0, "fan_in", "uniform", ("lecun_uniform",))


@register(aliases=("orthogonal",))
class Orthogonal(_Random):
    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. Received: shape={shape}")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        a = self._gen().standard_normal(size=flat)
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return self._out(self.gain * q.reshape(shape), dtype)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


@register(aliases=("identity",))
class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices. Received: shape={shape}")
        return get_xp().asarray(self.gain * np.eye(*shape), dtype=dtype or floatx())

    def get_config(self):
        return {"gain": self.gain}


def get(identifier):
    """A name, a config dict, an Initializer, a callable or None → an initializer (None stays None)."""
    return INITIALIZERS.instance(identifier, Initializer)


def serialize(initializer) -> dict | None:
    """Keras 3's nested-object form: {"module", "class_name", "config", "registered_name"}."""
    if initializer is None:
        return None
    return INITIALIZERS.serialize(get(initializer), "keras.initializers")


def deserialize(config):
    return get(config)
