"""Regularization-noise layers (Keras 3), identity at inference: SpatialDropout1D/2D/3D, GaussianNoise,
GaussianDropout, AlphaDropout."""

from __future__ import annotations

import math

from engine.autograd import Tensor
from engine.backend import get_xp, rng
from engine.layers import _common as C
from engine.layers.base import Layer, register
from engine.ops import nn


class _Noise(Layer):
    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = C.rate(rate)
        self.seed = seed
        self._generator = None
        self.supports_masking = True

    def _gen(self):
        if self.seed is not None and self._generator is None:
            self._generator = get_xp().random.default_rng(self.seed)
        return self._generator if self._generator is not None else rng()

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class _SpatialDropout(_Noise):
    rank = 1

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed, **kwargs)
        self.data_format = C.data_format(data_format)

    def compute_output_shape(self, input_shape):
        return C.expect_rank(self, input_shape, self.rank + 2)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        n = inputs.shape[0]
        if self.data_format == "channels_last":
            shape = (n, *([1] * self.rank), inputs.shape[-1])
        else:
            shape = (n, inputs.shape[1], *([1] * self.rank))
        return nn.dropout(inputs, self.rate, shape, self._gen())

    def get_config(self):
        config = super().get_config()
        if self.rank > 1:
            config["data_format"] = self.data_format
        return config


@register
class SpatialDropout1D(_SpatialDropout):
    """Drops whole feature maps (channels) of (batch, steps, channels) inputs."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, None, seed, **kwargs)


@register
class SpatialDropout2D(_SpatialDropout):
    rank = 2

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, data_format, seed, **kwargs)


@register
class SpatialDropout3D(_SpatialDropout):
    rank = 3

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, data_format, seed, **kwargs)


@register
class GaussianNoise(_Noise):
    """Adds N(0, stddev) noise during training."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(0.0, seed, **kwargs)
        if stddev < 0:
            raise ValueError(f"Invalid value received for argument `stddev`. Expected a float value >= 0. "
                             f"Received: stddev={stddev}")
        self.stddev = float(stddev)

    def call(self, inputs, training=None):
        if not training or self.stddev == 0:
            return inputs
        noise = self._gen().standard_normal(inputs.shape, dtype="float32").astype(inputs.dtype) * self.stddev
        return inputs + Tensor(noise)

    def get_config(self):
        config = super().get_config()
        config.pop("rate")
        return {**config, "stddev": self.stddev}


@register
class GaussianDropout(_Noise):
    """Multiplies by N(1, rate / (1 - rate)) noise during training."""

    def call(self, inputs, training=None):
        if not training or not 0 < self.rate < 1:
            return inputs
        std = math.sqrt(self.rate / (1.0 - self.rate))
        noise = self._gen().standard_normal(inputs.shape, dtype="float32").astype(inputs.dtype) * std + 1.0
        return inputs * Tensor(noise)


@register
class AlphaDropout(_Noise):
    """Dropout that keeps the mean and variance of SELU activations (Keras' formula)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(rate, seed, **kwargs)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def call(self, inputs, training=None):
        if not training or not 0 < self.rate < 1:
            return inputs
        alpha_p = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946
        shape = tuple(inputs.shape) if self.noise_shape is None else \
            tuple(inputs.shape[i] if s is None else int(s) for i, s in enumerate(self.noise_shape))
        keep = (self._gen().random(shape, dtype="float32") >= self.rate).astype(inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = inputs * Tensor(keep) + Tensor(alpha_p * (1 - keep))
        return x * a + b

    def get_config(self):
        noise = list(self.noise_shape) if self.noise_shape is not None else None
        return {**super().get_config(), "noise_shape": noise}
