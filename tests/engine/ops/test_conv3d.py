"""engine.ops.conv3d: 3-D convolution and pooling against per-voxel loops, and their gradients."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from engine.autograd import Tensor
from engine.ops.conv import conv_padding
from engine.ops.conv3d import avg_pool3d, conv3d, max_pool3d
from engine.ops.gradcheck import check_grad


def _padded(x, kernel, strides, dilation, padding, value=0.0):
    pads = [conv_padding(n, k, s, d, padding) for n, k, s, d in zip(x.shape[1:4], kernel, strides, dilation)]
    return np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=value), pads


def naive_conv3d(x, w, b, strides, padding, dilation):
    xp_, _ = _padded(x, w.shape[:3], strides, dilation, padding)
    kd, kh, kw, _, f = w.shape
    out = [(xp_.shape[i + 1] - (w.shape[i] - 1) * dilation[i] - 1) // strides[i] + 1 for i in range(3)]
    y = np.zeros((x.shape[0], *out, f))
    for o in itertools.product(*(range(n) for n in out)):
        for t in itertools.product(range(kd), range(kh), range(kw)):
            pos = tuple(o[i] * strides[i] + t[i] * dilation[i] for i in range(3))
            y[(slice(None), *o)] += xp_[(slice(None), *pos)] @ w[t]
    return y + b


def naive_grouped_conv3d(x, w, b, strides, padding, dilation, groups):
    """Each group: its slice of input channels convolved with its slice of filters, outputs group by group."""
    cg, fg = x.shape[4] // groups, w.shape[4] // groups
    parts = [naive_conv3d(x[..., i * cg:(i + 1) * cg], w[..., i * fg:(i + 1) * fg], b[i * fg:(i + 1) * fg],
                          strides, padding, dilation) for i in range(groups)]
    return np.concatenate(parts, axis=-1)


@pytest.mark.parametrize("groups,pad,s", [(2, "same", (1, 2, 1)), (3, "valid", (1, 1, 1))])
def test_grouped_conv3d(groups, pad, s):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 3, 4, 3, 6))
    w = rng.standard_normal((2, 2, 2, 6 // groups, 6))
    b = rng.standard_normal(6)
    got = conv3d(Tensor(x), Tensor(w), Tensor(b), strides=s, padding=pad, groups=groups).data
    np.testing.assert_allclose(got, naive_grouped_conv3d(x, w, b, s, pad, (1, 1, 1), groups), atol=1e-10)
    check_grad(lambda a, ww, bb: conv3d(a, ww, bb, strides=s, padding=pad, groups=groups), x[:1, :2, :3, :2], w, b)


def naive_pool3d(x, pool, strides, padding, kind):
    value = -np.inf if kind == "max" else 0.0
    xp_, _ = _padded(x, pool, strides, (1, 1, 1), padding, value)
    real, _ = _padded(np.ones_like(x), pool, strides, (1, 1, 1), padding)
    out = [(xp_.shape[i + 1] - pool[i]) // strides[i] + 1 for i in range(3)]
    y = np.zeros((x.shape[0], *out, x.shape[4]))
    for o in itertools.product(*(range(n) for n in out)):
        win = tuple(slice(o[i] * strides[i], o[i] * strides[i] + pool[i]) for i in range(3))
        block = xp_[(slice(None), *win)]
        if kind == "max":
            y[(slice(None), *o)] = block.max(axis=(1, 2, 3))
        else:
            y[(slice(None), *o)] = block.sum(axis=(1, 2, 3)) / real[(slice(None), *win)].sum(axis=(1, 2, 3))
    return y


@pytest.mark.parametrize("k,s,pad,d", [((2, 2, 2), (1, 1, 1), "valid", (1, 1, 1)),
                                       ((3, 2, 3), (2, 1, 2), "same", (1, 1, 1)),
                                       ((2, 3, 2), (1, 1, 1), "same", (2, 1, 1)),
                                       ((1, 1, 1), (2, 2, 1), "valid", (1, 1, 1))])
def test_conv3d_matches_loop_and_gradients(k, s, pad, d):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 4, 5, 4, 2))
    w = rng.standard_normal((*k, 2, 3))
    b = rng.standard_normal(3)
    got = conv3d(Tensor(x), Tensor(w), Tensor(b), strides=s, padding=pad, dilation_rate=d).data
    np.testing.assert_allclose(got, naive_conv3d(x, w, b, s, pad, d), atol=1e-10)
    small = x[:1, :3, :4, :3]
    check_grad(lambda a, ww, bb: conv3d(a, ww, bb, strides=s, padding=pad, dilation_rate=d), small, w, b)


def test_conv3d_float32_and_errors():
    x = np.ones((1, 3, 3, 3, 2), dtype=np.float32)
    w = np.ones((2, 2, 2, 2, 4), dtype=np.float32)
    out = conv3d(Tensor(x), Tensor(w)).data
    assert out.dtype == np.float32 and out.shape == (1, 2, 2, 2, 4)
    np.testing.assert_allclose(out, 16.0)
    with pytest.raises(ValueError, match="negative"):
        conv3d(Tensor(x), Tensor(np.ones((4, 1, 1, 2, 1), dtype=np.float32)))


@pytest.mark.parametrize("kind,op", [("max", max_pool3d), ("avg", avg_pool3d)])
@pytest.mark.parametrize("pool,s,pad", [((2, 2, 2), None, "valid"), ((3, 2, 2), (2, 1, 2), "same"),
                                        ((2, 3, 1), (1, 2, 1), "valid")])
def test_pool3d_matches_loop_and_gradients(kind, op, pool, s, pad):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 5, 4, 3, 2))
    got = op(Tensor(x), pool, s, pad).data
    np.testing.assert_allclose(got, naive_pool3d(x, pool, pool if s is None else s, pad, kind), atol=1e-12)
    check_grad(lambda a: op(a, pool, s, pad), x[:1])
