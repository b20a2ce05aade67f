"""Normalization (Keras 3 ``keras.layers.Normalization``): ``(x - mean) / max(sqrt(variance), 1e-7)``.

Put in front of a model so that it takes raw features (ModelBuilder prepends one to a run's saved model
when the run standardised its inputs). Two ways to hold the statistics, as in Keras 3:

* given to the constructor (``mean=``, ``variance=``): they live in the config (``"mean"``/``"variance"``
  as nested lists) and the layer has **no weights**; this is what Keras 3 writes and reads back;
* learnt with ``adapt(data)``: three non-trainable weights in Keras' order ``mean``, ``variance`` and
  ``count`` (an int64 scalar Keras keeps for older files), and ``"mean": null`` in the config.

``invert=True`` maps normalised values back: ``mean + x * max(sqrt(variance), 1e-7)``.
"""

from __future__ import annotations

import numbers

import numpy as np

from engine.autograd import Tensor
from engine.backend import to_device
from engine.layers import _common as C
from engine.layers.base import Layer, register

EPSILON = 1e-7  # keras.backend.epsilon(): the floor of the standard deviation


def _axes(axis) -> tuple[int, ...]:
    if axis is None:
        return ()
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        return (int(axis),)
    if isinstance(axis, (list, tuple)) and all(isinstance(a, numbers.Integral) for a in axis):
        return tuple(int(a) for a in axis)
    raise TypeError(f"Expected an int, a list/tuple of ints or None for the argument 'axis', "
                    f"but received: {axis!r}")


def _stat(value, what: str):
    """A number or nested lists as given; text from a form ("0.5, 1.2" or "[0.5, 1.2]") becomes a list."""
    if not isinstance(value, str):
        return value
    text = value.strip().strip("[]").replace(",", " ").split()
    if not text:
        return None
    try:
        numbers = [float(t) for t in text]
    except ValueError:
        raise ValueError(f"Normalization {what} must be numbers, e.g. '0.5, 1.2'; received {value!r}.") from None
    return numbers[0] if len(numbers) == 1 else numbers


@register
class Normalization(Layer):
    """Feature-wise standardisation with a fixed (given or adapted) mean and variance."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axes(axis)
        mean, variance = _stat(mean, "mean"), _stat(variance, "variance")
        if (mean is None) != (variance is None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. "
                             f"Received: mean={mean} and variance={variance}")
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self.supports_masking = True
        self.adapt_mean = self.adapt_variance = self.count = None
        self._broadcast_shape = None

    def _shapes(self, input_shape):
        """(statistics shape, broadcast shape) for an input shape (batch axis included)."""
        shape = tuple(input_shape)
        ndim = len(shape)
        keep = []
        for a in self.axis:
            if not -ndim <= a < ndim:
                raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                                 f"ndim={ndim}, while axis={self.axis}")
            keep.append(a % ndim)
        for a in keep:
            if shape[a] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. Received axis="
                                 f"{self.axis}, inputs.shape={C.fmt(shape)}, with unknown axis at index {a}")
        keep = sorted(keep)
        return tuple(shape[a] for a in keep), tuple(shape[d] if d in keep else 1 for d in range(ndim))

    def build(self, input_shape):
        stats_shape, self._broadcast_shape = self._shapes(input_shape)
        if self.input_mean is None:
            # Keras' order: trainable (none) then non-trainable, as created
            self.adapt_mean = self.add_weight("mean", stats_shape, "zeros", trainable=False)
            self.adapt_variance = self.add_weight("variance", stats_shape, "ones", trainable=False)
            self.count = self.add_weight("count", (), "zeros", trainable=False, dtype="int64")
        else:
            for what, value in (("mean", self.input_mean), ("variance", self.input_variance)):
                try:
                    np.broadcast_to(np.asarray(value, dtype=np.float64), self._broadcast_shape)
                except ValueError:
                    raise ValueError(f"Normalization {what} of shape {np.shape(value)} does not broadcast to "
                                     f"the statistics shape {C.fmt(self._broadcast_shape)} of an input "
                                     f"{C.fmt(tuple(input_shape))} with axis={self.axis}.") from None
        self.built = True

    def adapt(self, data) -> None:
        """Learn mean and variance of ``data`` (an array, samples first) over every axis but ``axis``."""
        if self.input_mean is not None:
            raise ValueError("This Normalization layer was given `mean` and `variance`; adapt() would "
                             "overwrite them. Create it without them to adapt.")
        data = np.asarray(data.numpy() if hasattr(data, "numpy") else data, dtype=np.float64)
        if not self.built:
            self._build_with_shapes((None, *data.shape[1:]))
        _, bshape = self._shapes((None, *data.shape[1:]))
        reduce = tuple(d for d, n in enumerate(bshape) if n == 1 or d == 0)
        stats = [data.mean(axis=reduce), data.var(axis=reduce)]
        for var, value in zip((self.adapt_mean, self.adapt_variance), stats):
            var.assign(np.asarray(value, dtype=var.data.dtype).reshape(var.shape))
        self.count.assign(np.asarray(data.shape[0], dtype=np.int64))

    def _stats(self, dtype):
        if self.input_mean is not None:  # given: broadcast as they are
            mean = np.broadcast_to(np.asarray(self.input_mean, dtype=np.float64), self._broadcast_shape)
            variance = np.broadcast_to(np.asarray(self.input_variance, dtype=np.float64), self._broadcast_shape)
        else:  # adapted weights of the kept axes' shape
            mean = self.adapt_mean.numpy().reshape(self._broadcast_shape)
            variance = self.adapt_variance.numpy().reshape(self._broadcast_shape)
        # Keras casts mean and variance to the compute dtype before sqrt
        mean, variance = mean.astype(dtype), variance.astype(dtype)
        return mean, np.maximum(np.sqrt(variance), np.asarray(EPSILON, dtype=dtype))

    def call(self, inputs):
        mean, std = self._stats(np.dtype(self.dtype))
        mean, std = Tensor(to_device(mean, dtype=self.dtype)), Tensor(to_device(std, dtype=self.dtype))
        if self.invert:
            return mean + inputs * std
        return (inputs - mean) / std

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        def listed(value):
            return None if value is None else np.asarray(value).tolist()

        return {**super().get_config(), "axis": list(self.axis), "invert": self.invert,
                "mean": listed(self.input_mean), "variance": listed(self.input_variance)}

    @classmethod
    def from_config(cls, config: dict):
        config = dict(config)
        if isinstance(config.get("axis"), list):
            config["axis"] = tuple(config["axis"])
        return cls(**config)
