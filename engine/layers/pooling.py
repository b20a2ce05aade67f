"""Pooling layers (Keras 3): Max/AveragePooling1D/2D/3D, GlobalAverage/GlobalMaxPooling1D/2D/3D."""

from __future__ import annotations

from engine.autograd import Tensor
from engine.layers import _common as C
from engine.layers.base import Layer, register
from engine.layers.conv import _shape_back, _shape_last, _to_first, _to_last
from engine.ops import conv3d as P3
from engine.ops import pooling as P


class _Pooling(Layer):
    rank = 2
    op = None

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = C.int_tuple(pool_size, self.rank, "pool_size")
        self.strides = self.pool_size if strides is None else C.int_tuple(strides, self.rank, "strides")
        self.padding = C.check_choice(padding, "padding", ("valid", "same"))
        self.data_format = C.data_format(data_format)

    def compute_output_shape(self, input_shape):
        shape = _shape_last(C.expect_rank(self, input_shape, self.rank + 2), self.data_format)
        out = []
        for n, k, s in zip(shape[1:-1], self.pool_size, self.strides):
            length = P.pool_output_length(n, k, s, self.padding)
            if length is not None and length <= 0:
                raise ValueError(f"Computed output size would be negative. Received: `inputs.shape="
                                 f"{C.fmt(input_shape)}` and `pool_size={self.pool_size}`.")
            out.append(length)
        return _shape_back((shape[0], *out, shape[-1]), self.data_format)

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def call(self, inputs):
        x = _to_last(inputs, self.data_format)
        size = self.pool_size if self.rank > 1 else self.pool_size[0]
        strides = self.strides if self.rank > 1 else self.strides[0]
        return _to_first(type(self).op(x, size, strides, self.padding), self.data_format)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "padding": self.padding,
                "strides": self.strides, "data_format": self.data_format}


@register(aliases=("MaxPool1D",))
class MaxPooling1D(_Pooling):
    rank = 1
    op = staticmethod(P.max_pool1d)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register(aliases=("MaxPool2D",))
class MaxPooling2D(_Pooling):
    op = staticmethod(P.max_pool2d)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register(aliases=("AvgPool1D",))
class AveragePooling1D(_Pooling):
    rank = 1
    op = staticmethod(P.avg_pool1d)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register(aliases=("AvgPool2D",))
class AveragePooling2D(_Pooling):
    op = staticmethod(P.avg_pool2d)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register(aliases=("MaxPool3D",))
class MaxPooling3D(_Pooling):
    rank = 3
    op = staticmethod(P3.max_pool3d)

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register(aliases=("AvgPool3D",))
class AveragePooling3D(_Pooling):
    rank = 3
    op = staticmethod(P3.avg_pool3d)

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class _GlobalPooling(Layer):
    rank = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = C.data_format(data_format)
        self.keepdims = bool(keepdims)

    def compute_output_shape(self, input_shape):
        shape = _shape_last(C.expect_rank(self, input_shape, self.rank + 2), self.data_format)
        if self.keepdims:
            return _shape_back((shape[0], *([1] * self.rank), shape[-1]), self.data_format)
        return (shape[0], shape[-1])

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_mask(self, inputs, mask=None):
        return None

    def _pool(self, x):
        raise NotImplementedError

    def call(self, inputs, mask=None):
        x = _to_last(inputs, self.data_format)
        out = self._pool(x, mask)
        return _to_first(out, self.data_format) if self.keepdims else out

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


@register(aliases=("GlobalAvgPool1D",))
class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over steps; with a mask (from Embedding(mask_zero=True)) only over the unmasked steps."""

    rank = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format, keepdims, **kwargs)
        self.supports_masking = True

    def _pool(self, x, mask):
        if mask is None:
            return P.global_avg_pool(x, keepdims=self.keepdims)
        m = mask.data if isinstance(mask, Tensor) else mask
        m = m.astype(x.dtype)[:, :, None]
        total = (x * Tensor(m)).sum(axis=1, keepdims=self.keepdims)
        count = m.sum(axis=1, keepdims=self.keepdims)
        count[count == 0] = 1
        return total / Tensor(count)


@register(aliases=("GlobalAvgPool2D",))
class GlobalAveragePooling2D(_GlobalPooling):
    def _pool(self, x, mask):
        return P.global_avg_pool(x, keepdims=self.keepdims)


@register(aliases=("GlobalMaxPool1D",))
class GlobalMaxPooling1D(_GlobalPooling):
    rank = 1

    def _pool(self, x, mask):
        return P.global_max_pool(x, keepdims=self.keepdims)


@register(aliases=("GlobalMaxPool2D",))
class GlobalMaxPooling2D(_GlobalPooling):
    def _pool(self, x, mask):
        return P.global_max_pool(x, keepdims=self.keepdims)


@register(aliases=("GlobalAvgPool3D",))
class GlobalAveragePooling3D(_GlobalPooling):
    rank = 3

    def _pool(self, x, mask):
        return P.global_avg_pool(x, keepdims=self.keepdims)


@register(aliases=("GlobalMaxPool3D",))
class GlobalMaxPooling3D(_GlobalPooling):
    rank = 3

    def _pool(self, x, mask):
        return P.global_max_pool(x, keepdims=self.keepdims)
