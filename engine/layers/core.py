"""Core layers (Keras 3): Input/InputLayer, Dense, Activation, Dropout, Flatten, Reshape and the
activation layers ReLU, LeakyReLU, Softmax, ELU."""

from __future__ import annotations

import math
import numbers

from engine import activations, constraints, initializers, regularizers
from engine.backend import get_xp
from engine.layers.base import InputSpec, Layer, _fmt, register
from engine.ops import activation as A
from engine.ops import math as M
from engine.ops import nn


def _positive_int(value, name: str, layer: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"Received an invalid value for `{name}`, expected a positive integer. "
                         f"Received: {name}={value!r}")
    return int(value)


def _shape_tuple(shape, name: str):
    if shape is None:
        return None
    if isinstance(shape, numbers.Integral):
        return (int(shape),)
    try:
        return tuple(None if s is None else int(s) for s in shape)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a tuple of integers (or None). Received: {name}={shape!r}") from None


def _activation_name(fn):
    try:
        return activations.serialize(fn)
    except ValueError:
        return None


def _serialize_activation(fn):
    return _activation_name(fn) or getattr(fn, "__name__", str(fn))


# ---------------------------------------------------------------- Input


@register
class InputLayer(Layer):
    """The entry of a functional model; ``Input(shape)`` returns its symbolic output tensor."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None,
                 input_tensor=None, optional=False, name=None, ragged=None, **kwargs):
        legacy = {k: kwargs.pop(k) for k in ("input_shape", "batch_input_shape") if k in kwargs}
        kwargs.pop("trainable", None)
        super().__init__(name=name or None, dtype=dtype, **kwargs)
        if shape is None and "input_shape" in legacy:
            shape = legacy["input_shape"]
        if batch_shape is None and "batch_input_shape" in legacy:
            batch_shape = legacy["batch_input_shape"]
        shape, batch_shape = _shape_tuple(shape, "shape"), _shape_tuple(batch_shape, "batch_shape")
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument to Input/InputLayer. Received: shape=None")
            batch_shape = (batch_size, *shape)
        self.batch_shape = batch_shape
        self.sparse, self.ragged, self.optional = bool(sparse), bool(ragged), bool(optional)
        self.built = True
        from engine.models.functional import KerasTensor, Node  # noqa: PLC0415 - models import layers

        tensor = KerasTensor(batch_shape, dtype=self.dtype, name=self.name)
        Node(self, call_args=(), call_kwargs={}, outputs=tensor)

    @property
    def input(self):
        return self.output

    def call(self, inputs, training=None):
        return inputs

    def compute_output_shape(self, input_shape):
        return self.batch_shape

    def get_config(self):
        return {"batch_shape": list(self.batch_shape), "dtype": self.dtype, "sparse": self.sparse,
                "ragged": self.ragged, "name": self.name, "optional": self.optional}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, batch_shape=None, name=None, tensor=None,  # noqa: N802
          optional=False):
    """A symbolic tensor to start a functional model: ``x = Input(shape=(784,))``."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse, batch_shape=batch_shape,
                       name=name, optional=optional)
    return layer.output


# ---------------------------------------------------------------- Dense


@register
class Dense(Layer):
    """``activation(inputs @ kernel + bias)`` on the last axis; relu/sigmoid/tanh/linear fused in one op."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, lora_rank=None,
                 lora_alpha=None, quantization_config=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _positive_int(units, "units", "Dense")
        self.activation = activations.get(activation)
        self._act_name = _activation_name(self.activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True
        self.kernel = self.bias = None

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 2:
            raise ValueError(f"Input 0 of layer '{self.name}' is incompatible with the layer: expected "
                             f"min_ndim=2, found ndim={len(input_shape)}. Full shape received: {_fmt(input_shape)}")
        in_dim = input_shape[-1]
        if in_dim is None:
            raise ValueError(f"The last dimension of the inputs to a Dense layer should be defined. "
                             f"Found None. Full input shape received: {_fmt(input_shape)}")
        self.kernel = self.add_weight("kernel", (in_dim, self.units), self.kernel_initializer,
                                      self.kernel_regularizer, self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer, self.bias_regularizer,
                                        self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: in_dim})
        self.built = True

    def call(self, inputs):
        if self._act_name in nn.FUSED_ACTIVATIONS:
            return nn.linear(inputs, self.kernel, self.bias, activation=self._act_name)
        return self.activation(nn.linear(inputs, self.kernel, self.bias))

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 2:
            raise ValueError(f"Dense expects an input of rank ≥ 2 (batch, ..., features); "
                             f"received shape {_fmt(input_shape)}.")
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": _serialize_activation(self.activation), "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint)}


# ---------------------------------------------------------------- element-wise layers


@register
class Activation(Layer):
    """Applies an activation function by name: ``Activation('relu')``."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.supports_masking = True

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        return {**super().get_config(), "activation": _serialize_activation(self.activation)}


@register
class Dropout(Layer):
    """Sets a fraction ``rate`` of the inputs to 0 during training and scales the rest by 1 / (1 - rate)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between "
                             f"0 and 1. Received: rate={rate!r}")
        self.rate = float(rate)
        self.noise_shape = _shape_tuple(noise_shape, "noise_shape")
        self.seed = seed
        self._generator = None
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            return inputs * 0.0
        if self.seed is not None and self._generator is None:
            self._generator = get_xp().random.default_rng(self.seed)
        return nn.dropout(inputs, self.rate, self.noise_shape, self._generator)

    def get_config(self):
        noise = list(self.noise_shape) if self.noise_shape is not None else None
        return {**super().get_config(), "rate": self.rate, "seed": self.seed, "noise_shape": noise}


@register
class ReLU(Layer):
    """``max_value`` if x ≥ max_value; x if threshold ≤ x < max_value; negative_slope * (x - threshold) else."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"max_value of a ReLU layer cannot be a negative value. Received: max_value={max_value}")
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"negative_slope of a ReLU layer cannot be a negative value. "
                             f"Received: negative_slope={negative_slope}")
        if threshold is None or threshold < 0:
            raise ValueError(f"threshold of a ReLU layer cannot be a negative value. Received: threshold={threshold}")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope, self.threshold = float(negative_slope), float(threshold)
        self.supports_masking = True

    def call(self, inputs):
        return A.relu(inputs, negative_slope=self.negative_slope, max_value=self.max_value,
                      threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value, "negative_slope": self.negative_slope,
                "threshold": self.threshold}


@register
class LeakyReLU(Layer):
    """``x if x ≥ 0 else negative_slope * x`` (Keras 2's ``alpha`` accepted)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
                             f"Expected a float. Received: negative_slope={negative_slope}")
        self.negative_slope = float(negative_slope)
        self.supports_masking = True

    def call(self, inputs):
        return A.leaky_relu(inputs, self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


@register
class Softmax(Layer):
    """Softmax over ``axis``; masked positions (mask False) get probability 0."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is not None:
            xp = get_xp()
            big = xp.asarray(-1e9, dtype=inputs.dtype)
            inputs = inputs + xp.where(xp.asarray(mask), xp.asarray(0, dtype=inputs.dtype), big)
        axis = self.axis
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise ValueError(f"Softmax over several axes is not supported. Received: axis={axis}")
            axis = axis[0]
        return A.softmax(inputs, axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


@register
class ELU(Layer):
    """``x if x > 0 else alpha * (exp(x) - 1)``."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)
        self.supports_masking = True

    def call(self, inputs):
        return A.elu(inputs, self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


# ---------------------------------------------------------------- shape layers


@register
class Flatten(Layer):
    """(batch, d1, d2, ...) → (batch, d1*d2*...), in (H, W, C) order for channels_last inputs."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        data_format = data_format or "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"The `data_format` argument must be one of 'channels_first', 'channels_last'. "
                             f"Received: data_format={data_format!r}")
        self.data_format = data_format

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = inputs.transpose(0, *range(2, inputs.ndim), 1)
        return inputs.reshape(inputs.shape[0], -1)

    def compute_output_shape(self, input_shape):
        rest = tuple(input_shape[1:])
        size = None if any(s is None for s in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


@register
class Reshape(Layer):
    """Reshapes everything but the batch axis to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target = _shape_tuple(target_shape, "target_shape")
        if target is None or any(s is None or (s <= 0 and s != -1) for s in target) or target.count(-1) > 1:
            raise ValueError(f"`target_shape` must be a tuple of positive integers with at most one -1. "
                             f"Received: target_shape={target_shape!r}")
        self.target_shape = target

    def _resolve(self, input_shape):
        rest = tuple(input_shape[1:])
        known = math.prod(s for s in self.target_shape if s != -1)
        if any(s is None for s in rest):
            return tuple(None if s == -1 else s for s in self.target_shape)
        total = math.prod(rest)
        if -1 in self.target_shape:
            if known == 0 or total % known:
                raise ValueError(self._mismatch(input_shape))
            return tuple(total // known if s == -1 else s for s in self.target_shape)
        if total != known:
            raise ValueError(self._mismatch(input_shape))
        return self.target_shape

    def _mismatch(self, input_shape) -> str:
        return (f"The total size of the tensor must be unchanged. Received: input_shape={_fmt(input_shape[1:])}, "
                f"target_shape={_fmt(self.target_shape)}")

    def call(self, inputs):
        return M.Reshape.apply(inputs, shape=(inputs.shape[0], *self._resolve(inputs.shape)))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self._resolve(input_shape))

    def get_config(self):
        return {**super().get_config(), "target_shape": list(self.target_shape)}


@register
class Identity(Layer):
    """Returns its input unchanged."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs
