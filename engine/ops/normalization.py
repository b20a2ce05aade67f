"""Fused batch and layer normalization (one Function each, hand-written backward).

``batch_norm_train`` normalizes with the batch statistics over ``axes`` (every axis except the channel
axis) and hands the batch mean and (biased) variance back for the moving averages. ``batch_norm_infer``
uses given statistics (moving mean/variance). ``layer_norm`` normalizes each sample over ``axes``.
``gamma``/``beta`` are optional (Keras' scale=False / center=False) and broadcast against x.
"""

from __future__ import annotations

from engine.autograd import Function, Tensor, as_tensor, is_grad_enabled, unbroadcast
from engine.backend import xp_of


def _split(params, has_gamma, has_beta):
    params = list(params)
    gamma = params.pop(0) if has_gamma else None
    beta = params.pop(0) if has_beta else None
    return gamma, beta


class _Normalize(Function):
    """y = gamma * (x - mean) / sqrt(var + eps) + beta with mean/var over ``axes`` of x itself."""

    def forward(self, x, *params, axes=(0,), epsilon=1e-3, has_gamma=True, has_beta=True):
        xp = xp_of(x)
        gamma, beta = _split(params, has_gamma, has_beta)
        mean = x.mean(axis=axes, keepdims=True)
        xc = x - mean
        var = (xc * xc).mean(axis=axes, keepdims=True)
        inv = 1.0 / xp.sqrt(var + x.dtype.type(epsilon))
        xhat = xc
        xhat *= inv  # reuse the buffer: x - mean is not needed again
        self.xhat, self.inv, self.axes, self.gamma = xhat, inv, axes, gamma
        self.has = (has_gamma, has_beta)
        self.mean, self.var = mean, var
        out = xhat * gamma if gamma is not None else xhat.copy()
        if beta is not None:
            out += beta
        return out

    def backward(self, g):
        axes, xhat, gamma = self.axes, self.xhat, self.gamma
        grads = []
        dx = None
        if self.needs_input_grad[0]:
            dxhat = g * gamma if gamma is not None else g
            n = xhat.size // self.inv.size
            s1 = dxhat.sum(axis=axes, keepdims=True)
            s2 = (dxhat * xhat).sum(axis=axes, keepdims=True)
            dx = dxhat * n
            dx -= s1
            dx -= xhat * s2
            dx *= self.inv / xhat.dtype.type(n)
        if self.has[0]:
            grads.append(unbroadcast(g * xhat, gamma.shape))
        if self.has[1]:
            grads.append(unbroadcast(g, self.beta_shape(g)))
        return (dx, *grads)

    def beta_shape(self, g):
        i = 1 + int(self.has[0])
        return self.parents[i].shape


class BatchNormTrain(_Normalize):
    pass


class LayerNorm(_Normalize):
    pass


class BatchNormInfer(Function):
    """y = (x - mean) * gamma / sqrt(var + eps) + beta with fixed mean/var (gradients to x, gamma, beta)."""

    def forward(self, x, *params, mean=None, var=None, epsilon=1e-3, has_gamma=True, has_beta=True):
        xp = xp_of(x)
        gamma, beta = _split(params, has_gamma, has_beta)
        mean, var = xp.asarray(mean, dtype=x.dtype), xp.asarray(var, dtype=x.dtype)
        inv = 1.0 / xp.sqrt(var + x.dtype.type(epsilon))
        scale = inv * gamma if gamma is not None else inv
        shift = -mean * scale
        if beta is not None:
            shift = shift + beta
        self.x, self.mean, self.inv, self.scale, self.has = x, mean, inv, scale, (has_gamma, has_beta)
        self.shapes = [p.shape for p in params]
        out = x * scale
        out += shift
        return out

    def backward(self, g):
        dx = g * self.scale if self.needs_input_grad[0] else None
        grads = []
        if self.has[0]:
            grads.append(unbroadcast(g * (self.x - self.mean) * self.inv, self.shapes[0]))
        if self.has[1]:
            grads.append(unbroadcast(g, self.shapes[-1]))
        return (dx, *grads)


def _params(gamma, beta):
    return tuple(p for p in (gamma, beta) if p is not None)


def batch_norm_train(x, gamma=None, beta=None, axes=(0,), epsilon=1e-3):
    """(output Tensor, batch mean, batch biased variance); the statistics are arrays with kept dims."""
    tensors = tuple(as_tensor(t) for t in (x, *_params(gamma, beta)))
    ctx = BatchNormTrain(*tensors)
    out = ctx.forward(*(t.data for t in tensors), axes=tuple(axes), epsilon=epsilon,
                      has_gamma=gamma is not None, has_beta=beta is not None)
    requires = is_grad_enabled() and any(ctx.needs_input_grad)
    mean, var = ctx.mean, ctx.var
    if not requires:
        ctx.xhat = None
    return Tensor(out, requires_grad=requires, _ctx=ctx if requires else None), mean, var


def batch_norm_infer(x, mean, var, gamma=None, beta=None, epsilon=1e-3) -> Tensor:
    mean = mean.data if isinstance(mean, Tensor) else mean
    var = var.data if isinstance(var, Tensor) else var
    return BatchNormInfer.apply(x, *_params(gamma, beta), mean=mean, var=var, epsilon=epsilon,
                                has_gamma=gamma is not None, has_beta=beta is not None)


def layer_norm(x, gamma=None, beta=None, axes=(-1,), epsilon=1e-3) -> Tensor:
    axes = tuple(a % x.ndim for a in axes)
    return LayerNorm.apply(x, *_params(gamma, beta), axes=axes, epsilon=epsilon,
                           has_gamma=gamma is not None, has_beta=beta is not None)

