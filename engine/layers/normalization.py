"""BatchNormalization and LayerNormalization (Keras 3), on the fused ops of engine.ops.normalization.

BatchNormalization weights, in Keras' order: gamma (if scale), beta (if center), moving_mean,
moving_variance (the last two non-trainable). Training (``training=True`` and the layer trainable) uses the
batch statistics and updates ``moving = moving * momentum + batch * (1 - momentum)`` in place (biased batch
variance, as Keras 3); otherwise the moving statistics are used.
"""

from __future__ import annotations

import numbers

from engine.layers import _common as C
from engine.layers.base import Layer, register
from engine.ops import normalization as N
from engine.ops.math import Reshape


def _axes(axis) -> tuple[int, ...]:
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        return (int(axis),)
    if isinstance(axis, (list, tuple)) and axis and all(isinstance(a, numbers.Integral) for a in axis):
        return tuple(int(a) for a in axis)
    raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}")


class _Norm(Layer):
    def _resolve(self, input_shape):
        shape = tuple(input_shape)
        ndim = len(shape)
        axes = []
        for a in self.axis:
            if not -ndim <= a < ndim:
                raise ValueError(f"Invalid axis: {a}. Expected -{ndim} <= axis < {ndim} for an input of rank "
                                 f"{ndim} (shape {C.fmt(shape)}).")
            axes.append(a % ndim)
        for a in axes:
            if shape[a] is None:
                raise ValueError(f"Axis {a} of input tensor should have a defined dimension but the layer "
                                 f"received an input with shape {C.fmt(shape)}.")
        return shape, sorted(axes)

    def _param(self, var, ndim, axes):
        """A (C,) weight as a Tensor broadcastable against the input (no copy when axis is the last)."""
        if var is None or axes == [ndim - 1]:
            return var
        bshape = [1] * ndim
        for a, n in zip(axes, var.shape if len(axes) > 1 else (var.shape[0],)):
            bshape[a] = n
        return Reshape.apply(var, shape=tuple(bshape))

    def compute_output_shape(self, input_shape):
        self._resolve(input_shape)
        return tuple(input_shape)


@register
class BatchNormalization(_Norm):
    def __init__(self, axis=-1, momentum=0.99, epsilon=0.001, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, synchronized=False, **kwargs):
        for legacy in ("renorm", "renorm_clipping", "renorm_momentum", "fused", "virtual_batch_size", "adjustment"):
            kwargs.pop(legacy, None)  # Keras 2 configs
        super().__init__(**kwargs)
        self.axis = _axes(axis)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        if self.epsilon <= 0:
            raise ValueError(f"epsilon must be positive. Received: epsilon={epsilon}")
        self.center, self.scale, self.synchronized = bool(center), bool(scale), bool(synchronized)
        C.weight_args(self, "beta", beta_initializer, beta_regularizer, beta_constraint)
        C.weight_args(self, "gamma", gamma_initializer, gamma_regularizer, gamma_constraint)
        C.weight_args(self, "moving_mean", moving_mean_initializer)
        C.weight_args(self, "moving_variance", moving_variance_initializer)
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None
        self.supports_masking = True

    def build(self, input_shape):
        shape, axes = self._resolve(input_shape)
        pshape = tuple(shape[a] for a in axes)
        if self.scale:
            self.gamma = C.add(self, "gamma", "gamma", pshape)
        if self.center:
            self.beta = C.add(self, "beta", "beta", pshape)
        self.moving_mean = C.add(self, "moving_mean", "moving_mean", pshape, trainable=False)
        self.moving_variance = C.add(self, "moving_variance", "moving_variance", pshape, trainable=False)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        ndim = inputs.ndim
        _, axes = self._resolve((None, *inputs.shape[1:]))
        gamma, beta = self._param(self.gamma, ndim, axes), self._param(self.beta, ndim, axes)
        if training and self.trainable:
            reduce = tuple(a for a in range(ndim) if a not in axes)
            out, mean, var = N.batch_norm_train(inputs, gamma, beta, axes=reduce, epsilon=self.epsilon)
            m = self.momentum
            for moving, batch in ((self.moving_mean, mean), (self.moving_variance, var)):
                moving.data *= m
                moving.data += batch.reshape(moving.shape) * (1.0 - m)
            return out
        mshape = [1] * ndim
        for a in axes:
            mshape[a] = inputs.shape[a]
        mean = self.moving_mean.data.reshape(mshape) if axes != [ndim - 1] else self.moving_mean.data
        var = self.moving_variance.data.reshape(mshape) if axes != [ndim - 1] else self.moving_variance.data
        return N.batch_norm_infer(inputs, mean, var, gamma, beta, epsilon=self.epsilon)

    def get_config(self):
        axis = list(self.axis) if len(self.axis) > 1 else self.axis[0]
        return {**super().get_config(), "axis": axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, **C.weight_config(self, "beta"),
                **C.weight_config(self, "gamma"), **C.weight_config(self, "moving_mean", False, False),
                **C.weight_config(self, "moving_variance", False, False),
                "synchronized": self.synchronized}


@register
class LayerNormalization(_Norm):
    """Normalizes each sample over ``axis``; gamma then beta, each of the shape of those axes."""

    def __init__(self, axis=-1, epsilon=0.001, center=True, scale=True, rms_scaling=False,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.axis = _axes(axis)
        self.epsilon = float(epsilon)
        self.center, self.scale, self.rms_scaling = bool(center), bool(scale), bool(rms_scaling)
        C.weight_args(self, "beta", beta_initializer, beta_regularizer, beta_constraint)
        C.weight_args(self, "gamma", gamma_initializer, gamma_regularizer, gamma_constraint)
        self.gamma = self.beta = None
        self.supports_masking = True

    def build(self, input_shape):
        shape, axes = self._resolve(input_shape)
        pshape = tuple(shape[a] for a in axes)
        if self.scale:
            self.gamma = C.add(self, "gamma", "gamma", pshape)
        if self.center:
            self.beta = C.add(self, "beta", "beta", pshape)
        self.built = True

    def call(self, inputs):
        ndim = inputs.ndim
        _, axes = self._resolve((None, *inputs.shape[1:]))
        gamma, beta = self._param(self.gamma, ndim, axes), self._param(self.beta, ndim, axes)
        if self.rms_scaling:  # Keras 3: x * rsqrt(mean(x^2) + eps) * gamma (no centering)
            x = inputs
            inv = ((x * x).mean(axis=tuple(axes), keepdims=True) + self.epsilon) ** -0.5
            out = x * inv
            return out * gamma if gamma is not None else out
        return N.layer_norm(inputs, gamma, beta, axes=tuple(axes), epsilon=self.epsilon)

    def get_config(self):
        axis = list(self.axis) if len(self.axis) > 1 else self.axis[0]
        return {**super().get_config(), "axis": axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "rms_scaling": self.rms_scaling, **C.weight_config(self, "beta"),
                **C.weight_config(self, "gamma")}

