"""engine.ops.resize: bilinear (half-pixel centres) against a per-pixel reference, and its gradient."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.autograd import Tensor
from engine.ops.gradcheck import check_grad
from engine.ops.resize import resize_bilinear


def _reference(x, oh, ow):
    """TensorFlow's half_pixel_centers bilinear, one output pixel at a time."""
    n, h, w, c = x.shape
    out = np.zeros((n, oh, ow, c))

    def src(o, n_in, n_out):
        p = min(max((o + 0.5) * n_in / n_out - 0.5, 0.0), n_in - 1)
        lo = math.floor(p)
        return lo, min(lo + 1, n_in - 1), p - lo

    for i in range(oh):
        y0, y1, fy = src(i, h, oh)
        for j in range(ow):
            x0, x1, fx = src(j, w, ow)
            top = x[:, y0, x0] * (1 - fx) + x[:, y0, x1] * fx
            bottom = x[:, y1, x0] * (1 - fx) + x[:, y1, x1] * fx
            out[:, i, j] = top * (1 - fy) + bottom * fy
    return out


@pytest.mark.parametrize("shape,size", [((2, 3, 4, 2), (6, 8)), ((1, 4, 5, 3), (12, 5)), ((2, 1, 3, 1), (2, 9)),
                                        ((1, 5, 4, 2), (7, 6))])
def test_resize_bilinear_matches_reference(shape, size):
    x = np.random.default_rng(1).standard_normal(shape)
    out = resize_bilinear(Tensor(x), size).data
    assert out.shape == (shape[0], *size, shape[-1])
    np.testing.assert_allclose(out, _reference(x, *size), atol=1e-12)


def test_resize_bilinear_keeps_constants_and_dtype():
    x = np.full((1, 3, 3, 1), 2.5, dtype=np.float32)
    out = resize_bilinear(Tensor(x), (6, 9)).data
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, 2.5)


@pytest.mark.parametrize("shape,size", [((2, 3, 4, 2), (6, 8)), ((1, 2, 3, 1), (6, 3)), ((1, 4, 3, 1), (7, 5))])
def test_resize_bilinear_grad(shape, size):
    x = np.random.default_rng(2).standard_normal(shape)
    check_grad(lambda t: resize_bilinear(t, size), x)
