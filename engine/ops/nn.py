"""Layer maths that pays to fuse: ``linear`` (x @ W + b with its activation in one node) and ``dropout``."""

from __future__ import annotations

import numpy as np

from engine.autograd import Function, Tensor, claim_grad_home
from engine.backend import xp_of
from engine.ops import conv_kernels as CK
from engine.ops.activation import sigmoid_array

FUSED_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh")


class Linear(Function):
    """``act(x @ w + b)`` over the last axis of ``x`` (any rank ≥ 2), act in linear/relu/sigmoid/tanh.

    One output array, activated in place; the backward pass needs only that output.
    """

    def forward(self, x, w, b=None, activation="linear"):
        xp = xp_of(x, w)
        if x.dtype != w.dtype:  # integer features (pixels as uint8) compute in the weights' dtype
            x = x.astype(w.dtype)
        out = x @ w
        if activation in ("relu", "linear") and CK.usable(out, w, *(() if b is None else (b,))):
            # bias + relu in one pass (numpy: two passes, ~5 us of dispatch each and a slow broadcast add;
            # MLP workload predict, batch 128: 1145 -> 1068 us, next to 1042 us for its GEMMs alone)
            if b is not None or activation == "relu":
                CK.conv_kernels().bias_act(out.reshape(-1, out.shape[-1]), w[0] if b is None else b,
                                           b is not None, activation == "relu")
        else:
            if b is not None:
                out += b
            if activation == "relu":
                xp.maximum(out, 0, out=out)
            elif activation == "sigmoid":
                out = sigmoid_array(out)
            elif activation == "tanh":
                xp.tanh(out, out=out)
            elif activation != "linear":
                raise ValueError(f"linear() fuses only {FUSED_ACTIVATIONS}. Received: activation={activation!r}")
        self.x, self.w, self.has_bias, self.activation, self.out = x, w, b is not None, activation, out
        return out

    def backward(self, g):
        act, out = self.activation, self.out
        fast = CK.usable(g, out)
        if act == "relu" and fast:
            g = np.ascontiguousarray(g)
            masked = np.empty_like(g)
            CK.conv_kernels().relu_grad(g, out, masked)  # one pass, no bool temporary
            g = masked
        elif act == "relu":
            g = g * (out > 0)
        elif act == "sigmoid":
            g = g * out * (1 - out)
        elif act == "tanh":
            g = g * (1 - out * out)
        need = self.needs_input_grad
        units = self.w.shape[-1]
        gx = gw = gb = None
        if need[0]:
            gx = g @ self.w.T
        if need[1]:
            x2 = self.x if self.x.ndim == 2 else self.x.reshape(-1, self.x.shape[-1])
            home = claim_grad_home(self.parents[1]) if fast else None
            if home is not None and home.shape == self.w.shape and home.dtype == g.dtype:
                gw = np.matmul(x2.T, g.reshape(-1, units), out=home)  # straight into the optimizer's buffer
            else:
                gw = x2.T @ g.reshape(-1, units)
        if self.has_bias and need[2]:
            g2 = g.reshape(-1, units)
            # numpy's column sum is slow (a reduction along the strided axis): a GEMV is ~10x faster
            gb = np.ones(g2.shape[0], np.float32) @ g2 if fast else g.sum(axis=tuple(range(g.ndim - 1)))
        return (gx, gw, gb) if self.has_bias else (gx, gw)


class Dropout(Function):
    """``x * mask`` with a constant mask (already scaled by 1 / (1 - rate))."""

    def forward(self, x, mask):
        self.mask = mask
        return x * mask

    def backward(self, g):
        return g * self.mask


def linear(x, w, b=None, activation="linear") -> Tensor:
    if b is None:
        return Linear.apply(x, w, activation=activation)
    return Linear.apply(x, w, b, activation=activation)


def dropout(x, rate: float, noise_shape=None, generator=None) -> Tensor:
    """Inverted dropout: zero a fraction ``rate`` of the entries, scale the rest by 1 / (1 - rate).

    ``noise_shape`` (None entries taken from ``x``) broadcasts one draw over some axes; ``generator`` is a
    numpy/cupy Generator (default: the engine's seeded one).
    """
    from engine.backend import rng  # noqa: PLC0415

    x = x if isinstance(x, Tensor) else Tensor(x)
    shape = tuple(x.shape) if noise_shape is None else \
        tuple(x.shape[i] if s is None else int(s) for i, s in enumerate(noise_shape))
    gen = generator if generator is not None else rng()
    keep = gen.random(shape, dtype="float32") >= rate
    mask = keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - rate))
    return Dropout.apply(x, mask=mask)
