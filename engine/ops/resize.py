"""Bilinear resizing with half-pixel centres, as Keras 3's ``ops.image.resize(..., "bilinear")`` upsamples
(TensorFlow ``half_pixel_centers=True``, torch ``align_corners=False``).

Bilinear is separable: one linear interpolation per spatial axis. Output index ``o`` reads the source position
``(o + 0.5) / scale - 0.5`` clamped to ``[0, n - 1]`` and mixes its two neighbours; the gradient scatters
back through the same weights, written as a product with the (out, in) interpolation matrix.
"""

from __future__ import annotations

from engine.autograd import Function, Tensor
from engine.backend import xp_of


def linear_indices(xp, n_in: int, n_out: int):
    """(lo, hi, frac) index/weight arrays for resizing one axis from ``n_in`` to ``n_out`` samples."""
    pos = (xp.arange(n_out, dtype="float64") + 0.5) * (n_in / n_out) - 0.5
    pos = xp.clip(pos, 0.0, n_in - 1)
    lo = xp.floor(pos).astype("int64")
    hi = xp.minimum(lo + 1, n_in - 1)
    return lo, hi, pos - lo


class ResizeLinearAxis(Function):
    """Linear interpolation of ``x`` along ``axis`` to ``size`` samples (half-pixel centres)."""

    def forward(self, x, axis=1, size=1):
        xp = xp_of(x)
        n_in = x.shape[axis]
        lo, hi, frac = linear_indices(xp, n_in, size)
        self.axis, self.n_in, self.lo, self.hi, self.frac = axis, n_in, lo, hi, frac
        shape = [1] * x.ndim
        shape[axis] = size
        f = frac.astype(x.dtype).reshape(shape)
        return xp.take(x, lo, axis=axis) * (1 - f) + xp.take(x, hi, axis=axis) * f

    def backward(self, g):
        xp = xp_of(g)
        size = g.shape[self.axis]
        # (out, in) weights: row o has 1 - frac at lo[o] and frac at hi[o] (summed when lo == hi).
        m = xp.zeros((size, self.n_in), dtype=g.dtype)
        rows = xp.arange(size)
        frac = self.frac.astype(g.dtype)
        m[rows, self.lo] += 1 - frac
        m[rows, self.hi] += frac
        moved = xp.moveaxis(g, self.axis, -1)
        return xp.moveaxis(moved @ m, -1, self.axis)


def resize_bilinear(x, size) -> Tensor:
    """channels_last (N, H, W, C) → (N, size[0], size[1], C)."""
    x = ResizeLinearAxis.apply(x, axis=1, size=int(size[0]))
    return ResizeLinearAxis.apply(x, axis=2, size=int(size[1]))
