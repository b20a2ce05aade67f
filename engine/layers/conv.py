"""Convolution layers (Keras 3): Conv1D, Conv2D, Conv3D, Conv2DTranspose, Conv1DTranspose, DepthwiseConv2D,
SeparableConv2D.

Kernels in Keras' layouts (FORMAT.md §8): Conv1D (k, in // groups, filters), Conv1DTranspose (k, filters, in),
Conv2D HWIO (kh, kw, in // groups, filters), Conv3D (kd, kh, kw, in // groups, filters), Conv2DTranspose
(kh, kw, filters, in), DepthwiseConv2D (kh, kw, in, depth_multiplier), SeparableConv2D depthwise
(kh, kw, in, m) + pointwise (1, 1, in * m, filters).
``data_format="channels_first"`` is accepted (transposed to channels_last around the op).
"""

from __future__ import annotations

from engine import activations
from engine.layers import _common as C
from engine.layers.base import Layer, register
from engine.ops import conv as K
from engine.ops import conv3d as K3


def _to_last(x, fmt):
    return x.transpose(0, *range(2, x.ndim), 1) if fmt == "channels_first" else x


def _to_first(x, fmt):
    return x.transpose(0, x.ndim - 1, *range(1, x.ndim - 1)) if fmt == "channels_first" else x


def _shape_last(shape, fmt):
    shape = tuple(shape)
    return (shape[0], *shape[2:], shape[1]) if fmt == "channels_first" else shape


def _shape_back(shape, fmt):
    return (shape[0], shape[-1], *shape[1:-1]) if fmt == "channels_first" else tuple(shape)


class _BaseConv(Layer):
    rank = 2
    paddings = ("valid", "same")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        n = self.rank
        self.filters = C.positive_int(filters, "filters") if filters is not None else None
        self.kernel_size = C.int_tuple(kernel_size, n, "kernel_size")
        self.strides = C.int_tuple(strides, n, "strides")
        self.padding = C.check_choice(padding, "padding", self.paddings)
        self.data_format = C.data_format(data_format)
        self.dilation_rate = C.int_tuple(dilation_rate, n, "dilation_rate")
        self.groups = C.positive_int(groups, "groups")
        if self.filters is not None and self.filters % self.groups:
            raise ValueError(f"The number of filters must be evenly divisible by the number of groups. "
                             f"Received: groups={self.groups}, filters={self.filters}.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                             f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        C.weight_args(self, "kernel", kernel_initializer, kernel_regularizer, kernel_constraint)
        C.weight_args(self, "bias", bias_initializer, bias_regularizer, bias_constraint)
        self.kernel = self.bias = None

    # ---- shapes
    def _channels(self, input_shape):
        shape = _shape_last(C.expect_rank(self, input_shape, self.rank + 2), self.data_format)
        c = shape[-1]
        if c is None:
            raise ValueError(f"The channel dimension of the inputs should be defined. The input_shape received "
                             f"is {C.fmt(input_shape)}, where axis {-1 if self.data_format == 'channels_last' else 1}"
                             f" (0-based) is the channel dimension, which found to be `None`.")
        if c % self.groups:
            raise ValueError(f"The number of input channels must be evenly divisible by the number of groups. "
                             f"Received groups={self.groups}, but the input has {c} channels (full input shape "
                             f"is {C.fmt(input_shape)}).")
        return shape, c

    def _spatial_out(self, shape):
        out = []
        for n, k, s, d in zip(shape[1:-1], self.kernel_size, self.strides, self.dilation_rate):
            length = K.conv_output_length(n, k, s, d, self.padding)
            if length is not None and length <= 0:
                raise ValueError(f"Computed output size would be negative. Received `inputs shape="
                                 f"{C.fmt(shape)}`, `kernel shape={self.kernel_shape(shape[-1])}`, "
                                 f"`dilation_rate={self.dilation_rate}`.")
            out.append(length)
        return out

    def kernel_shape(self, c):
        return (*self.kernel_size, c // self.groups, self.filters)

    def compute_output_shape(self, input_shape):
        shape, _ = self._channels(input_shape)
        return _shape_back((shape[0], *self._spatial_out(shape), self.filters), self.data_format)

    def build(self, input_shape):
        shape, c = self._channels(input_shape)
        self._spatial_out(shape)
        self.kernel = C.add(self, "kernel", "kernel", self.kernel_shape(c))
        if self.use_bias:
            self.bias = C.add(self, "bias", "bias", (self.filters,))
        self.built = True

    def _fused(self):
        """The activation name when the conv op applies it itself (relu), else "linear"."""
        name = C.activation_name(self.activation)
        return name if name in K.FUSED_ACTIVATIONS else "linear"

    def _finish(self, out, fused="linear"):
        if fused == "linear":
            out = self.activation(out)
        return _to_first(out, self.data_format)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": C.serialize_activation(self.activation), "use_bias": self.use_bias,
                **C.weight_config(self, "kernel"), **C.weight_config(self, "bias")}


@register
class Conv1D(_BaseConv):
    """1-D convolution over (batch, steps, channels); padding "valid", "same" or "causal"."""

    rank = 1
    paddings = ("valid", "same", "causal")

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
                 groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)

    def call(self, inputs):
        x = _to_last(inputs, self.data_format)
        act = self._fused()
        out = K.conv1d(x, self.kernel, self.bias, strides=self.strides[0], padding=self.padding,
                       dilation_rate=self.dilation_rate[0], groups=self.groups, activation=act)
        return self._finish(out, act)


@register
class Conv2D(_BaseConv):
    """2-D convolution (cross-correlation) over (batch, H, W, channels) with a HWIO kernel."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)

    def call(self, inputs):
        x = _to_last(inputs, self.data_format)
        act = self._fused()
        out = K.conv2d(x, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                       dilation_rate=self.dilation_rate, groups=self.groups, activation=act)
        return self._finish(out, act)


@register
class Conv3D(_BaseConv):
    """3-D convolution over (batch, D, H, W, channels) with a (kd, kh, kw, in // groups, filters) kernel."""

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)

    def call(self, inputs):
        x = _to_last(inputs, self.data_format)
        out = K3.conv3d(x, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                        dilation_rate=self.dilation_rate, groups=self.groups)
        return self._finish(out)


@register
class Conv2DTranspose(_BaseConv):
    """Transposed 2-D convolution; kernel (kh, kw, filters, in_channels); Keras' deconv output length."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1, activation,
                         use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer,
                         activity_regularizer, kernel_constraint, bias_constraint, **kwargs)
        self.output_padding = None if output_padding is None else \
            C.int_tuple(output_padding, self.rank, "output_padding", allow_zero=True)
        if self.output_padding is not None:
            for p, s in zip(self.output_padding, self.strides):
                if p >= s:
                    raise ValueError(f"Strides must be greater than output padding. Received strides="
                                     f"{self.strides}, output_padding={self.output_padding}.")

    def kernel_shape(self, c):
        return (*self.kernel_size, self.filters, c)

    def _spatial_out(self, shape):
        op = self.output_padding or (None, None)
        return [K.deconv_output_length(n, k, s, d, self.padding, p)
                for n, k, s, d, p in zip(shape[1:-1], self.kernel_size, self.strides, self.dilation_rate, op)]

    def call(self, inputs):
        x = _to_last(inputs, self.data_format)
        out = K.conv2d_transpose(x, self.kernel, self.bias, strides=self.strides, padding=self.padding,
                                 output_padding=self.output_padding, dilation_rate=self.dilation_rate)
        return self._finish(out)

    def get_config(self):
        config = super().get_config()
        config.pop("groups")
        config["output_padding"] = self.output_padding
        return config


@register
class Conv1DTranspose(Conv2DTranspose):
    """Transposed 1-D convolution over (batch, steps, channels); kernel (k, filters, in_channels)."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None,
                 dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer,
                         bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint, **kwargs)

    def call(self, inputs):
        x = _to_last(inputs, self.data_format)
        out = K.conv1d_transpose(x, self.kernel, self.bias, strides=self.strides[0], padding=self.padding,
                                 output_padding=self.output_padding, dilation_rate=self.dilation_rate[0])
        return self._finish(out)


@register
class DepthwiseConv2D(_BaseConv):
    """Per-channel 2-D convolution; kernel (kh, kw, in, depth_multiplier); output channel c * m + j."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
                 dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(None, kernel_size, strides, padding, data_format, dilation_rate, 1, activation,
                         use_bias, "glorot_uniform", bias_initializer, None, bias_regularizer,
                         activity_regularizer, None, bias_constraint, **kwargs)
        self.depth_multiplier = C.positive_int(depth_multiplier, "depth_multiplier")
        C.weight_args(self, "depthwise", depthwise_initializer, depthwise_regularizer, depthwise_constraint)
        self.depthwise_kernel = None

    def kernel_shape(self, c):
        return (*self.kernel_size, c, self.depth_multiplier)

    def compute_output_shape(self, input_shape):
        shape, c = self._channels(input_shape)
        return _shape_back((shape[0], *self._spatial_out(shape), c * self.depth_multiplier), self.data_format)

    def build(self, input_shape):
        shape, c = self._channels(input_shape)
        self._spatial_out(shape)
        self.depthwise_kernel = C.add(self, "depthwise", "depthwise_kernel", self.kernel_shape(c))
        if self.use_bias:
            self.bias = C.add(self, "bias", "bias", (c * self.depth_multiplier,))
        self.built = True

    def call(self, inputs):
        x = _to_last(inputs, self.data_format)
        out = K.depthwise_conv2d(x, self.depthwise_kernel, self.bias, strides=self.strides, padding=self.padding,
                                 dilation_rate=self.dilation_rate)
        return self._finish(out)

    def get_config(self):
        config = super().get_config()
        for key in ("filters", "groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        return {**config, "depth_multiplier": self.depth_multiplier, **C.weight_config(self, "depthwise")}


@register
class SeparableConv2D(_BaseConv):
    """Depthwise (kh, kw, in, m) then pointwise (1, 1, in * m, filters) convolution, then bias."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None, pointwise_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
                 pointwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1, activation,
                         use_bias, "glorot_uniform", bias_initializer, None, bias_regularizer,
                         activity_regularizer, None, bias_constraint, **kwargs)
        self.depth_multiplier = C.positive_int(depth_multiplier, "depth_multiplier")
        C.weight_args(self, "depthwise", depthwise_initializer, depthwise_regularizer, depthwise_constraint)
        C.weight_args(self, "pointwise", pointwise_initializer, pointwise_regularizer, pointwise_constraint)
        self.depthwise_kernel = self.pointwise_kernel = None

    def kernel_shape(self, c):
        return (*self.kernel_size, c, self.depth_multiplier)

    def build(self, input_shape):
        shape, c = self._channels(input_shape)
        self._spatial_out(shape)
        self.depthwise_kernel = C.add(self, "depthwise", "depthwise_kernel", self.kernel_shape(c))
        self.pointwise_kernel = C.add(self, "pointwise", "pointwise_kernel",
                                      (1, 1, c * self.depth_multiplier, self.filters))
        if self.use_bias:
            self.bias = C.add(self, "bias", "bias", (self.filters,))
        self.built = True

    def call(self, inputs):
        x = _to_last(inputs, self.data_format)
        dw = K.depthwise_conv2d(x, self.depthwise_kernel, None, strides=self.strides, padding=self.padding,
                                dilation_rate=self.dilation_rate)
        return self._finish(K.conv2d(dw, self.pointwise_kernel, self.bias))

    def get_config(self):
        config = super().get_config()
        for key in ("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        return {**config, "depth_multiplier": self.depth_multiplier, **C.weight_config(self, "depthwise"),
                **C.weight_config(self, "pointwise")}
