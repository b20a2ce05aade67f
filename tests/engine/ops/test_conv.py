import numpy as np
import pytest

from engine.autograd import Tensor
from engine.ops.conv import (
    conv1d,
    conv1d_transpose,
    conv2d,
    conv2d_transpose,
    conv_output_length,
    conv_padding,
    deconv_output_length,
    depthwise_conv2d,
)
from engine.ops.gradcheck import check_grad


def naive_conv2d(x, w, b, strides, padding, dilation=(1, 1), groups=1):
    """A loop-over-pixels reference with TensorFlow's padding rule."""
    n, h, wd, c = x.shape
    kh, kw, cg, f = w.shape
    sh, sw = strides
    dh, dw = dilation
    if padding == "same":
        pads = [conv_padding(h, kh, sh, dh, "same"), conv_padding(wd, kw, sw, dw, "same")]
    else:
        pads = [(0, 0), (0, 0)]
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    oh = (xp.shape[1] - (kh - 1) * dh - 1) // sh + 1
    ow = (xp.shape[2] - (kw - 1) * dw - 1) // sw + 1
    out = np.zeros((n, oh, ow, f))
    fg = f // groups
    for i in range(oh):
        for j in range(ow):
            for o in range(f):
                gi = o // fg
                patch = xp[:, i * sh:i * sh + (kh - 1) * dh + 1:dh, j * sw:j * sw + (kw - 1) * dw + 1:dw,
                           gi * cg:(gi + 1) * cg]
                out[:, i, j, o] = (patch * w[:, :, :, o]).sum(axis=(1, 2, 3))
    return out + (0 if b is None else b)


CASES = [  # (H, W, kernel, strides, padding, dilation)
    (5, 5, (3, 3), (1, 1), "valid", (1, 1)),
    (5, 6, (3, 2), (1, 1), "same", (1, 1)),
    (6, 5, (3, 3), (2, 2), "same", (1, 1)),
    (7, 6, (2, 3), (2, 3), "valid", (1, 1)),
    (6, 6, (2, 2), (1, 1), "same", (2, 2)),
    (4, 5, (4, 4), (3, 2), "same", (1, 1)),
]


@pytest.mark.parametrize("h,w,k,s,pad,d", CASES)
def test_conv2d_forward_matches_naive_loop(h, w, k, s, pad, d):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, h, w, 3))
    kern = rng.standard_normal((*k, 3, 4))
    b = rng.standard_normal(4)
    got = conv2d(Tensor(x), Tensor(kern), Tensor(b), strides=s, padding=pad, dilation_rate=d).data
    np.testing.assert_allclose(got, naive_conv2d(x, kern, b, s, pad, d), atol=1e-10)
    assert got.shape[1] == conv_output_length(h, k[0], s[0], d[0], pad)
    assert got.shape[2] == conv_output_length(w, k[1], s[1], d[1], pad)


@pytest.mark.parametrize("h,w,k,s,pad,d", CASES)
def test_conv2d_gradients(h, w, k, s, pad, d):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, h, w, 2))
    kern = rng.standard_normal((*k, 2, 3))
    b = rng.standard_normal(3)
    check_grad(lambda a, ww, bb: conv2d(a, ww, bb, strides=s, padding=pad, dilation_rate=d), x, kern, b)


def test_conv2d_float32_stays_float32_and_no_bias():
    x = Tensor(np.ones((1, 4, 4, 2), np.float32))
    w = Tensor(np.ones((3, 3, 2, 5), np.float32), requires_grad=True)
    out = conv2d(x, w, padding="same")
    assert out.dtype == np.float32 and out.shape == (1, 4, 4, 5)
    out.sum().backward()
    assert w.grad.dtype == np.float32
    assert out.data[0, 0, 0, 0] == 8.0  # corner: 2x2 window of ones x 2 channels


def test_grouped_and_depthwise_conv():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 5, 5, 4))
    kern = rng.standard_normal((3, 3, 2, 6))
    got = conv2d(Tensor(x), Tensor(kern), padding="same", groups=2).data
    np.testing.assert_allclose(got, naive_conv2d(x, kern, None, (1, 1), "same", groups=2), atol=1e-10)
    check_grad(lambda a, ww: conv2d(a, ww, strides=2, padding="same", groups=2), x[:, :4, :4], kern)
    dk = rng.standard_normal((3, 3, 4, 2))  # depthwise, multiplier 2: out channel c * 2 + m
    got = depthwise_conv2d(Tensor(x), Tensor(dk), padding="valid").data
    ref = np.stack([naive_conv2d(x[..., c:c + 1], dk[:, :, c:c + 1, m:m + 1], None, (1, 1), "valid")[..., 0]
                    for c in range(4) for m in range(2)], axis=-1)
    np.testing.assert_allclose(got, ref, atol=1e-10)
    check_grad(lambda a, ww: depthwise_conv2d(a, ww, padding="same"), x[:1, :4, :4], dk)


@pytest.mark.parametrize("pad,s,d", [("valid", 1, 1), ("same", 2, 1), ("causal", 1, 2)])
def test_conv1d_forward_and_gradients(pad, s, d):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 7, 3))
    kern = rng.standard_normal((3, 3, 4))
    b = rng.standard_normal(4)
    got = conv1d(Tensor(x), Tensor(kern), Tensor(b), strides=s, padding=pad, dilation_rate=d).data
    lo, hi = conv_padding(7, 3, s, d, pad)
    xp = np.pad(x, ((0, 0), (lo, hi), (0, 0)))
    ref = naive_conv2d(xp[:, None], kern[None], b, (1, s), "valid", (1, d))[:, 0]
    np.testing.assert_allclose(got, ref, atol=1e-10)
    if pad == "causal":  # output t sees only inputs <= t
        x2 = x.copy()
        x2[:, 5:] += 1.0
        got2 = conv1d(Tensor(x2), Tensor(kern), Tensor(b), padding=pad, dilation_rate=d).data
        np.testing.assert_allclose(got2[:, :5], got[:, :5])
    check_grad(lambda a, ww, bb: conv1d(a, ww, bb, strides=s, padding=pad, dilation_rate=d), x, kern, b)


def naive_conv2d_transpose(x, w, strides, out_size, crop):
    """Each input pixel stamps kernel * value into the output (the definition of a transposed conv)."""
    n, h, wd, c = x.shape
    kh, kw, f, _ = w.shape
    sh, sw = strides
    big = np.zeros((n, (h - 1) * sh + kh + out_size[0], (wd - 1) * sw + kw + out_size[1], f))
    for i in range(h):
        for j in range(wd):
            big[:, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum("nc,hwfc->nhwf", x[:, i, j], w)
    return big[:, crop[0]:crop[0] + out_size[0], crop[1]:crop[1] + out_size[1]]


@pytest.mark.parametrize("k,s,pad,opad", [((3, 3), (1, 1), "valid", None), ((3, 3), (2, 2), "same", None),
                                         ((2, 3), (2, 1), "valid", None), ((3, 3), (2, 2), "same", 1),
                                         ((1, 1), (3, 3), "valid", None)])
def test_conv2d_transpose(k, s, pad, opad):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 4, 2))
    kern = rng.standard_normal((*k, 3, 2))
    b = rng.standard_normal(3)
    out = conv2d_transpose(Tensor(x), Tensor(kern), Tensor(b), strides=s, padding=pad, output_padding=opad)
    oh = deconv_output_length(3, k[0], s[0], 1, pad, opad)
    ow = deconv_output_length(4, k[1], s[1], 1, pad, opad)
    assert out.shape == (2, oh, ow, 3)
    if pad == "same" and opad is None:
        assert out.shape[1:3] == (3 * s[0], 4 * s[1])
    crop = [0, 0]
    if pad == "same":
        crop = [max((3 - 1) * s[0] + k[0] - oh, 0) // 2, max((4 - 1) * s[1] + k[1] - ow, 0) // 2]
    np.testing.assert_allclose(out.data, naive_conv2d_transpose(x, kern, s, (oh, ow), crop) + b, atol=1e-10)
    check_grad(lambda a, ww, bb: conv2d_transpose(a, ww, bb, strides=s, padding=pad, output_padding=opad),
               x, kern, b)


def naive_conv1d_transpose(x, w, stride, dilation, out_len, crop):
    """Each input step stamps its kernel taps (w (k, F, C)) at i * stride + t * dilation."""
    n, length, _ = x.shape
    k, f, _ = w.shape
    big = np.zeros((n, (length - 1) * stride + (k - 1) * dilation + 1 + out_len, f))
    for i in range(length):
        for t in range(k):
            big[:, i * stride + t * dilation] += x[:, i] @ w[t].T
    return big[:, crop:crop + out_len]


@pytest.mark.parametrize("k,s,pad,opad,d", [(3, 1, "valid", None, 1), (4, 2, "same", None, 1), (4, 2, "same", 1, 1),
                                           (2, 3, "valid", 2, 1), (3, 1, "same", None, 2), (1, 2, "valid", None, 1)])
def test_conv1d_transpose(k, s, pad, opad, d):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 5, 2))
    kern = rng.standard_normal((k, 3, 2))
    b = rng.standard_normal(3)
    out = conv1d_transpose(Tensor(x), Tensor(kern), Tensor(b), strides=s, padding=pad, output_padding=opad,
                           dilation_rate=d)
    ol = deconv_output_length(5, k, s, d, pad, opad)
    assert out.shape == (2, ol, 3)
    if pad == "same" and opad is None:
        assert ol == 5 * s
    eff = (k - 1) * d + 1
    crop = max((5 - 1) * s + eff - ol, 0) // 2 if pad == "same" else 0
    np.testing.assert_allclose(out.data, naive_conv1d_transpose(x, kern, s, d, ol, crop) + b, atol=1e-10)
    check_grad(lambda a, ww, bb: conv1d_transpose(a, ww, bb, strides=s, padding=pad, output_padding=opad,
                                                  dilation_rate=d), x, kern, b)


def test_transpose_is_adjoint_of_conv():
    """<conv(x), y> == <x, conv_transpose(y)> with the same kernel, strides and padding."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 6, 6, 2))
    kern = rng.standard_normal((3, 3, 2, 4))  # conv: 2 → 4 channels; transpose kernel (kh, kw, 2, 4)
    y = conv2d(Tensor(x), Tensor(kern), strides=2, padding="same").data
    r = rng.standard_normal(y.shape)
    back = conv2d_transpose(Tensor(r), Tensor(kern), strides=2, padding="same").data
    assert back.shape == x.shape
    np.testing.assert_allclose((y * r).sum(), (x * back).sum(), rtol=1e-10)


def test_fused_relu_equals_relu_of_conv():
    rng = np.random.default_rng(6)
    x, kern, b = rng.standard_normal((2, 5, 5, 2)), rng.standard_normal((3, 3, 2, 3)), rng.standard_normal(3)
    fused = conv2d(Tensor(x), Tensor(kern), Tensor(b), padding="same", activation="relu").data
    np.testing.assert_allclose(fused, np.maximum(naive_conv2d(x, kern, b, (1, 1), "same"), 0), atol=1e-10)
    check_grad(lambda a, ww, bb: conv2d(a, ww, bb, strides=2, padding="same", activation="relu"), x, kern, b)
    check_grad(lambda a, ww: conv1d(a, ww, padding="causal", activation="relu"), x[:, 0], kern[0])
    with pytest.raises(ValueError, match="Fused conv activations"):
        conv2d(Tensor(x), Tensor(kern), activation="tanh")
