"""Activation functions: one Function per activation, forward and analytic backward on xp arrays.

Every op keeps the input dtype (float32 in → float32 out): constants are Python floats, which numpy and
cupy treat as weak scalars.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np

from engine.autograd import Function, Tensor
from engine.backend import xp_of

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _erf(x):
    """erf on numpy (scipy) or cupy (cupyx) arrays."""
    if type(x).__module__.startswith("cupy"):
        from cupyx.scipy.special import erf  # noqa: PLC0415

        return erf(x)
    from scipy.special import erf  # noqa: PLC0415

    return erf(x)


def _quiet(xp):
    """numpy warns when exp overflows to inf (which is the right answer here); cupy never warns."""
    return np.errstate(over="ignore") if xp is np else contextlib.nullcontext()


def sigmoid_array(x):
    """1 / (1 + exp(-x)) on a raw array, in place after the first pass: full relative precision for small
    outputs (exp(-x) overflowing to inf gives the exact 0)."""
    xp = xp_of(x)
    with _quiet(xp):
        out = xp.negative(x)
        xp.exp(out, out=out)
    out += 1.0
    xp.reciprocal(out, out=out)
    return out


def softmax_array(x, axis=-1):
    xp = xp_of(x)
    e = x - x.max(axis=axis, keepdims=True)
    xp.exp(e, out=e)
    e /= e.sum(axis=axis, keepdims=True)
    return e


def log_softmax_array(x, axis=-1):
    xp = xp_of(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    shifted -= xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


class Relu(Function):
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, g):
        return g * self.mask


class ReluGeneral(Function):
    """Keras' relu(x, negative_slope, max_value, threshold)."""

    def forward(self, x, negative_slope=0.0, max_value=None, threshold=0.0):
        xp = xp_of(x)
        above = x >= threshold if negative_slope else x > threshold
        out = xp.where(above, x, (x - threshold) * negative_slope if negative_slope else x.dtype.type(0))
        slope = xp.where(above, x.dtype.type(1), x.dtype.type(negative_slope))
        if max_value is not None:
            capped = x >= max_value
            out = xp.where(capped, x.dtype.type(max_value), out)
            slope = xp.where(capped, x.dtype.type(0), slope)
        self.slope = slope
        return out.astype(x.dtype, copy=False)

    def backward(self, g):
        return g * self.slope


class LeakyRelu(Function):
    def forward(self, x, negative_slope=0.2):
        xp = xp_of(x)
        self.pos = x > 0
        self.slope = negative_slope
        return xp.where(self.pos, x, x * negative_slope)

    def backward(self, g):
        return xp_of(g).where(self.pos, g, g * self.slope)


class Elu(Function):
    def forward(self, x, alpha=1.0):
        xp = xp_of(x)
        self.pos = x > 0
        self.neg_out = alpha * xp.expm1(xp.minimum(x, 0))  # alpha * (exp(x) - 1) where x <= 0
        self.alpha = alpha
        return xp.where(self.pos, x, self.neg_out)

    def backward(self, g):
        return xp_of(g).where(self.pos, g, g * (self.neg_out + self.alpha))


class Selu(Function):
    def forward(self, x):
        xp = xp_of(x)
        self.pos = x > 0
        self.neg = (SELU_SCALE * SELU_ALPHA) * xp.exp(xp.minimum(x, 0))  # derivative on the negative side
        return xp.where(self.pos, SELU_SCALE * x, self.neg - SELU_SCALE * SELU_ALPHA)

    def backward(self, g):
        return xp_of(g).where(self.pos, g * SELU_SCALE, g * self.neg)


class Sigmoid(Function):
    def forward(self, x):
        self.out = sigmoid_array(x)
        return self.out

    def backward(self, g):
        return g * self.out * (1.0 - self.out)


class Tanh(Function):
    def forward(self, x):
        self.out = xp_of(x).tanh(x)
        return self.out

    def backward(self, g):
        return g * (1.0 - self.out * self.out)


class Softmax(Function):
    def forward(self, x, axis=-1):
        self.axis = axis
        self.out = softmax_array(x, axis)
        return self.out

    def backward(self, g):
        gy = g * self.out
        gy -= self.out * gy.sum(axis=self.axis, keepdims=True)
        return gy


class LogSoftmax(Function):
    def forward(self, x, axis=-1):
        self.axis = axis
        self.out = log_softmax_array(x, axis)
        return self.out

    def backward(self, g):
        xp = xp_of(g)
        return g - xp.exp(self.out) * g.sum(axis=self.axis, keepdims=True)


class Softplus(Function):
    def forward(self, x):
        xp = xp_of(x)
        self.x = x
        return xp.log1p(xp.exp(-abs(x))) + xp.maximum(x, 0)

    def backward(self, g):
        return g * sigmoid_array(self.x)


class Softsign(Function):
    def forward(self, x):
        self.den = 1.0 + abs(x)
        return x / self.den

    def backward(self, g):
        return g / (self.den * self.den)


class Gelu(Function):
    """Keras' gelu: exact (erf) by default, tanh approximation with approximate=True."""

    def forward(self, x, approximate=False):
        xp = xp_of(x)
        self.x, self.approximate = x, approximate
        if approximate:
            self.t = xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))
            return 0.5 * x * (1.0 + self.t)
        self.cdf = 0.5 * (1.0 + _erf(x * _INV_SQRT_2)).astype(x.dtype, copy=False)
        return x * self.cdf

    def backward(self, g):
        xp = xp_of(g)
        x = self.x
        if self.approximate:
            t = self.t
            dinner = _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x)
            return g * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * dinner)
        pdf = _INV_SQRT_2PI * xp.exp(-0.5 * x * x)
        return g * (self.cdf + x * pdf)


class Swish(Function):
    def forward(self, x):
        self.x = x
        self.s = sigmoid_array(x)
        return x * self.s

    def backward(self, g):
        s = self.s
        return g * (s + self.x * s * (1.0 - s))


class HardSigmoid(Function):
    """Keras 3: relu6(x + 3) / 6."""

    def forward(self, x):
        self.mask = (x > -3.0) & (x < 3.0)
        return xp_of(x).clip(x * (1.0 / 6.0) + 0.5, 0.0, 1.0).astype(x.dtype, copy=False)

    def backward(self, g):
        return g * self.mask * (1.0 / 6.0)


class HardSilu(Function):
    """Keras 3 hard_silu / hard_swish: x * relu6(x + 3) / 6."""

    def forward(self, x):
        xp = xp_of(x)
        self.x = x
        self.hs = xp.clip(x * (1.0 / 6.0) + 0.5, 0.0, 1.0).astype(x.dtype, copy=False)
        return x * self.hs

    def backward(self, g):
        inside = (self.x > -3.0) & (self.x < 3.0)
        return g * (self.hs + self.x * inside * (1.0 / 6.0))


class Relu6(Function):
    def forward(self, x):
        self.mask = (x > 0) & (x < 6)
        return xp_of(x).clip(x, 0, 6).astype(x.dtype, copy=False)

    def backward(self, g):
        return g * self.mask


class Mish(Function):
    def forward(self, x):
        xp = xp_of(x)
        self.x = x
        sp = xp.log1p(xp.exp(-abs(x))) + xp.maximum(x, 0)
        self.t = xp.tanh(sp)
        return x * self.t

    def backward(self, g):
        t = self.t
        return g * (t + self.x * (1.0 - t * t) * sigmoid_array(self.x))


class Exponential(Function):
    def forward(self, x):
        self.out = xp_of(x).exp(x)
        return self.out

    def backward(self, g):
        return g * self.out


# ---- lower-case wrappers (Tensor → Tensor)
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0) -> Tensor:
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return Relu.apply(x)
    return ReluGeneral.apply(x, negative_slope=negative_slope, max_value=max_value, threshold=threshold)


def leaky_relu(x, negative_slope=0.2) -> Tensor:
    return LeakyRelu.apply(x, negative_slope=negative_slope)


def elu(x, alpha=1.0) -> Tensor:
    return Elu.apply(x, alpha=alpha)


def selu(x) -> Tensor:
    return Selu.apply(x)


def sigmoid(x) -> Tensor:
    return Sigmoid.apply(x)


def tanh(x) -> Tensor:
    return Tanh.apply(x)


def softmax(x, axis=-1) -> Tensor:
    return Softmax.apply(x, axis=axis)


def log_softmax(x, axis=-1) -> Tensor:
    return LogSoftmax.apply(x, axis=axis)


def softplus(x) -> Tensor:
    return Softplus.apply(x)


def softsign(x) -> Tensor:
    return Softsign.apply(x)


def gelu(x, approximate=False) -> Tensor:
    return Gelu.apply(x, approximate=approximate)


def swish(x) -> Tensor:
    return Swish.apply(x)


def hard_sigmoid(x) -> Tensor:
    return HardSigmoid.apply(x)


def hard_silu(x) -> Tensor:
    return HardSilu.apply(x)


def relu6(x) -> Tensor:
    return Relu6.apply(x)


def mish(x) -> Tensor:
    return Mish.apply(x)


def exponential(x) -> Tensor:
    return Exponential.apply(x)
