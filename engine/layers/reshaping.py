"""Reshaping layers (Keras 3): ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D (nearest; 2D also bilinear),
RepeatVector, Permute. (Flatten and Reshape live in engine.layers.core.)"""

from __future__ import annotations

from engine.autograd import Function
from engine.backend import xp_of
from engine.layers import _common as C
from engine.layers.base import Layer, register
from engine.layers.conv import _shape_back, _shape_last, _to_first, _to_last
from engine.ops.math import GetItem, Transpose
from engine.ops.resize import resize_bilinear


class Pad(Function):
    """Zero padding: ``pads`` = ((before, after), ...) per axis."""

    def forward(self, x, pads=()):
        xp = xp_of(x)
        self.idx = tuple(slice(b, b + n) for (b, _), n in zip(pads, x.shape))
        out = xp.zeros(tuple(n + b + a for (b, a), n in zip(pads, x.shape)), dtype=x.dtype)
        out[self.idx] = x
        return out

    def backward(self, g):
        return g[self.idx]


class Repeat(Function):
    """``xp.repeat(x, n, axis)``; the gradient sums each group of n copies."""

    def forward(self, x, repeats=1, axis=1):
        self.shape, self.n, self.axis = x.shape, repeats, axis
        return xp_of(x).repeat(x, repeats, axis=axis)

    def backward(self, g):
        a = self.axis
        return g.reshape(*self.shape[:a], self.shape[a], self.n, *self.shape[a + 1:]).sum(axis=a + 1)


def _pairs(value, n, name):
    """int → ((v, v),) * n; n ints → ((v0, v0), ...); n pairs → as given."""
    if isinstance(value, int):
        return ((value, value),) * n
    value = tuple(value)
    if len(value) == n and all(isinstance(v, int) for v in value):
        return tuple((v, v) for v in value) if n > 1 else ((value[0], value[0]),)
    if n == 1 and len(value) == 2 and all(isinstance(v, int) for v in value):
        return (tuple(value),)
    if len(value) == n and all(isinstance(v, (list, tuple)) and len(v) == 2 for v in value):
        return tuple((int(a), int(b)) for a, b in value)
    raise ValueError(f"`{name}` should be either an int, a tuple of {n} ints, or a tuple of {n} tuples of 2 ints. "
                     f"Received: {name}={value!r}")


class _Spatial(Layer):
    rank = 2

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = C.data_format(data_format)

    def compute_output_shape(self, input_shape):
        shape = _shape_last(C.expect_rank(self, input_shape, self.rank + 2), self.data_format)
        spatial = [self._length(i, n) for i, n in enumerate(shape[1:-1])]
        return _shape_back((shape[0], *spatial, shape[-1]), self.data_format)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        return _to_first(self._apply(_to_last(inputs, self.data_format)), self.data_format)

    def get_config(self):
        config = super().get_config()
        if self.rank == 2:
            config["data_format"] = self.data_format
        return config


class _ZeroPadding(_Spatial):
    def __init__(self, padding, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.padding = _pairs(padding, self.rank, "padding")
        if any(v < 0 for p in self.padding for v in p):
            raise ValueError(f"`padding` must be non-negative. Received: padding={padding!r}")

    def _length(self, i, n):
        return None if n is None else n + sum(self.padding[i])

    def _apply(self, x):
        return Pad.apply(x, pads=((0, 0), *self.padding, (0, 0)))

    def get_config(self):
        pad = self.padding if self.rank > 1 else self.padding[0]
        return {**super().get_config(), "padding": pad}


@register
class ZeroPadding1D(_ZeroPadding):
    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


@register
class ZeroPadding2D(_ZeroPadding):
    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class _Cropping(_Spatial):
    def __init__(self, cropping, data_format=None, **kwargs):
        super().__init__(data_format, **kwargs)
        self.cropping = _pairs(cropping, self.rank, "cropping")

    def _length(self, i, n):
        if n is None:
            return None
        out = n - sum(self.cropping[i])
        if out <= 0:
            raise ValueError(f"`cropping` parameter of `{type(self).__name__}` layer must be smaller than the "
                             f"input length. Received: cropping={self.cropping} for an input of length {n}")
        return out

    def _apply(self, x):
        idx = (slice(None), *(slice(a, n - b) for (a, b), n in zip(self.cropping, x.shape[1:-1])), slice(None))
        self._length(0, x.shape[1])
        return GetItem.apply(x, idx=idx)

    def get_config(self):
        crop = self.cropping if self.rank > 1 else self.cropping[0]
        return {**super().get_config(), "cropping": crop}


@register
class Cropping1D(_Cropping):
    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(cropping, None, **kwargs)


@register
class Cropping2D(_Cropping):
    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)


@register
class UpSampling1D(_Spatial):
    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(None, **kwargs)
        self.size = C.int_tuple(size, 1, "size")

    def _length(self, i, n):
        return None if n is None else n * self.size[i]

    def _apply(self, x):
        return Repeat.apply(x, repeats=self.size[0], axis=1)

    def get_config(self):
        return {**super().get_config(), "size": self.size[0]}


@register
class UpSampling2D(_Spatial):
    """Nearest-neighbour upsampling (each pixel repeated size[0] x size[1] times) or bilinear (Keras'
    ``ops.image.resize`` with half-pixel centres)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(data_format, **kwargs)
        self.size = C.int_tuple(size, 2, "size")
        self.interpolation = C.check_choice(interpolation, "interpolation", ("nearest", "bilinear"))

    def _length(self, i, n):
        return None if n is None else n * self.size[i]

    def _apply(self, x):
        if self.interpolation == "bilinear":
            return resize_bilinear(x, (x.shape[1] * self.size[0], x.shape[2] * self.size[1]))
        if self.size[0] > 1:
            x = Repeat.apply(x, repeats=self.size[0], axis=1)
        if self.size[1] > 1:
            x = Repeat.apply(x, repeats=self.size[1], axis=2)
        return x

    def get_config(self):
        return {**super().get_config(), "size": self.size, "interpolation": self.interpolation}


@register
class RepeatVector(Layer):
    """(batch, features) → (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = C.positive_int(n, "n")

    def compute_output_shape(self, input_shape):
        shape = C.expect_rank(self, input_shape, 2)
        return (shape[0], self.n, shape[1])

    def call(self, inputs):
        x = inputs.reshape(inputs.shape[0], 1, inputs.shape[1])
        return Repeat.apply(x, repeats=self.n, axis=1)

    def get_config(self):
        return {**super().get_config(), "n": self.n}


@register
class Permute(Layer):
    """Permutes the non-batch axes: ``dims`` is 1-indexed, e.g. (2, 1) swaps the first two."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` "
                             f"must be consecutive and start from 1. Received dims={dims!r}")

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) != len(self.dims) + 1:
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                             f"ndim={len(self.dims) + 1}, found ndim={len(shape)}. Full shape received: {C.fmt(shape)}")
        return (shape[0], *(shape[d] for d in self.dims))

    def call(self, inputs):
        return Transpose.apply(inputs, axes=(0, *self.dims))

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}

