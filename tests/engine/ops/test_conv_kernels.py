"""The numba CPU path of conv2d / max_pool2d (engine/ops/conv_kernels.py) against the xp reference path:
same values and gradients in float32, the fast path taken where it applies and the xp path elsewhere."""

import numpy as np
import pytest

from engine.autograd import Tensor, no_grad
from engine.ops import conv_kernels
from engine.ops.conv import Conv2D, conv1d, conv2d, conv_output_length
from engine.ops.pooling import MaxPool2D, max_pool2d

pytest.importorskip("numba")


def _run(fn, arrays, gout_seed, use):
    """fn on float32 tensors with the kernels on/off: output, inference output, gradients, the op's path."""
    old = Conv2D.use_kernels, MaxPool2D.use_kernels
    Conv2D.use_kernels = MaxPool2D.use_kernels = use
    try:
        ts = [Tensor(a, requires_grad=r) for a, r in arrays]
        out = fn(*ts)
        ctx = out._ctx  # backward frees the graph
        gout = np.random.default_rng(gout_seed).standard_normal(out.shape).astype(np.float32)
        (out * Tensor(gout)).sum().backward()
        with no_grad():
            infer = fn(*[Tensor(a) for a, _ in arrays]).data
    finally:
        Conv2D.use_kernels, MaxPool2D.use_kernels = old
    return out, infer, [t.grad for t in ts], ctx


def _compare(fn, arrays, seed=0, rtol=2e-5, atol=2e-5, grad_rtol=2e-4):
    ref, _, ref_g, _ = _run(fn, arrays, seed, False)
    got, got_inf, got_g, ctx = _run(fn, arrays, seed, True)
    assert got.data.dtype == np.float32
    np.testing.assert_allclose(got.data, ref.data, rtol=rtol, atol=atol)
    np.testing.assert_array_equal(got_inf, got.data)  # inference (nothing kept) = training forward
    for (_, needs), a, b in zip(arrays, got_g, ref_g):
        if needs:
            assert a.dtype == np.float32 and a.shape == b.shape
            # sums over every pixel: scale the tolerance by the gradient's size
            np.testing.assert_allclose(a, b, rtol=grad_rtol, atol=grad_rtol * max(1.0, float(np.abs(b).max())))
        else:
            assert a is None
    return ctx


def _f32(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


CONV_CASES = [  # (H, W, C, F, kernel, strides, padding, dilation)
    (9, 8, 1, 6, (3, 3), (1, 1), "valid", (1, 1)),   # the first layer of a grey-image CNN: short-run im2col
    (7, 9, 3, 5, (3, 3), (2, 1), "same", (1, 1)),    # RGB: 9-value runs
    (8, 8, 2, 4, (2, 3), (1, 2), "valid", (2, 1)),   # dilation
    (6, 7, 1, 33, (5, 5), (1, 1), "same", (1, 1)),   # 25 values, filters not a multiple of 16
    (7, 6, 8, 6, (3, 3), (1, 1), "valid", (1, 1)),   # 72 values per patch: patch matrix + one GEMM
    (8, 7, 5, 3, (3, 2), (2, 2), "same", (1, 1)),
    (6, 6, 7, 4, (2, 2), (1, 1), "same", (2, 2)),
    (5, 5, 40, 4, (1, 1), (1, 1), "valid", (1, 1)),  # pointwise
]


@pytest.mark.parametrize("chunk_images", [None, 1, 2])  # patches of the whole batch at once / 1 / 2 images
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("activation", ["relu", "linear"])
@pytest.mark.parametrize("h,w,c,f,k,s,pad,d", CONV_CASES)
def test_conv2d_kernel_path_matches_xp_path(h, w, c, f, k, s, pad, d, activation, bias, chunk_images, monkeypatch):
    if chunk_images is not None:  # a batch of 3 in chunks of 1 or 2 images (the last one shorter)
        rows = conv_output_length(h, k[0], s[0], d[0], pad) * conv_output_length(w, k[1], s[1], d[1], pad)
        monkeypatch.setattr(Conv2D, "CHUNK_BYTES", rows * k[0] * k[1] * c * 4 * chunk_images)
        monkeypatch.setattr("engine.backend.engine_threads", lambda: 1)  # chunks on one BLAS thread only
        assert Conv2D()._images_per_chunk(3, rows * k[0] * k[1] * c, 1) == chunk_images
    rng = np.random.default_rng(h * 100 + c)
    arrays = [(_f32(rng, 3, h, w, c), True), (_f32(rng, *k, c, f), True)] + ([(_f32(rng, f), True)] if bias else [])

    def fn(*ts):
        return conv2d(*ts, strides=s, padding=pad, dilation_rate=d, activation=activation)

    ctx = _compare(fn, arrays)
    assert ctx.mode == "gemm"


def test_chunks_only_on_one_blas_thread(monkeypatch):
    monkeypatch.setattr(Conv2D, "CHUNK_BYTES", 4 * 100)
    assert Conv2D()._images_per_chunk(64, 50, 1) == 2 and Conv2D()._images_per_chunk(64, 1000, 1) == 1
    assert Conv2D()._images_per_chunk(64, 50, 2) == 64
    monkeypatch.setattr("engine.backend.engine_threads", lambda: 3)
    assert conv_kernels.threads() == 3


def test_conv2d_kernel_path_without_input_gradient():
    """A first layer: no gradient for the input (the chunks skip col2im), weights and bias only."""
    rng = np.random.default_rng(7)
    for c in (1, 16):
        arrays = [(_f32(rng, 4, 10, 10, c), False), (_f32(rng, 3, 3, c, 8), True), (_f32(rng, 8), True)]
        _compare(lambda *ts: conv2d(*ts, activation="relu"), arrays)


def test_conv1d_uses_the_kernel_path():
    rng = np.random.default_rng(8)
    arrays = [(_f32(rng, 2, 11, 3), True), (_f32(rng, 3, 3, 4), True), (_f32(rng, 4), True)]
    _compare(lambda x, w, b: conv1d(x, w, b, padding="causal", dilation_rate=2, activation="relu"), arrays)


def test_conv2d_xp_path_where_kernels_do_not_apply(monkeypatch):
    rng = np.random.default_rng(9)
    x, w = rng.standard_normal((2, 6, 6, 4)), rng.standard_normal((3, 3, 4, 6))
    assert conv2d(Tensor(x), Tensor(w, requires_grad=True))._ctx.mode == "xp"  # float64
    xf, wf = x.astype(np.float32), w.astype(np.float32)
    grouped = conv2d(Tensor(xf), Tensor(wf[:, :, :2], requires_grad=True), groups=2)
    assert grouped._ctx.mode == "xp"
    monkeypatch.setitem(conv_kernels._kernels, "conv", None)  # as if numba were not importable
    out = conv2d(Tensor(xf), Tensor(wf, requires_grad=True), activation="relu")
    assert out._ctx.mode == "xp" and out.dtype == np.float32


def test_bias_gradient_over_many_pixels():
    """The bias gradient over 64 x 26 x 26 pixels (a GEMV) stays within float32 rounding of the exact sum."""
    rng = np.random.default_rng(10)
    x = Tensor(_f32(rng, 64, 28, 28, 1))
    w, b = Tensor(_f32(rng, 3, 3, 1, 32), requires_grad=True), Tensor(_f32(rng, 32), requires_grad=True)
    out = conv2d(x, w, b)
    assert out._ctx.mode == "gemm"
    g = rng.standard_normal(out.shape).astype(np.float32) + np.float32(0.5)
    out.backward(g)
    np.testing.assert_allclose(b.grad, g.astype(np.float64).sum(axis=(0, 1, 2)), rtol=1e-5)


def test_scratch_buffers_are_reused_and_never_returned():
    """Two backward passes through the same conv give the same gradients (the reused work buffers hold
    nothing over), and no returned gradient is a view of a work buffer."""
    rng = np.random.default_rng(13)
    x, w = _f32(rng, 3, 7, 7, 4), _f32(rng, 3, 3, 4, 5)
    grads = []
    for _ in range(2):
        xt, wt = Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)
        out = conv2d(xt, wt, activation="relu")
        out.backward(np.ones(out.shape, np.float32))
        grads.append((xt.grad, wt.grad))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])
    bufs = conv_kernels._local.bufs.values()
    assert not any(np.shares_memory(g, buf) for pair in grads for g in pair for buf in bufs)


def test_large_scratch_buffers_are_not_kept(monkeypatch):
    monkeypatch.setattr(conv_kernels, "SCRATCH_MAX", 4 * 100)
    small, large = conv_kernels.scratch("t_small", (10, 10)), conv_kernels.scratch("t_large", (10, 11))
    assert small.shape == (10, 10) and large.shape == (10, 11)
    assert np.shares_memory(conv_kernels.scratch("t_small", (5, 4)), small)  # reused
    assert "t_large" not in conv_kernels._local.bufs


POOL_CASES = [  # (H, W, pool, strides, padding)
    (6, 6, (2, 2), None, "valid"), (7, 5, (2, 2), None, "valid"), (7, 6, (3, 3), (2, 2), "same"),
    (5, 5, (2, 3), (1, 2), "same"), (7, 4, (3, 2), (3, 1), "valid"), (8, 8, (2, 2), (3, 3), "valid"),
    (3, 4, (2, 2), (1, 1), "same"),
]


@pytest.mark.parametrize("h,w,pool,strides,padding", POOL_CASES)
def test_max_pool_kernel_path_matches_xp_path(h, w, pool, strides, padding):
    rng = np.random.default_rng(h * 10 + w)
    x = _f32(rng, 2, h, w, 5)

    def fn(t):
        return max_pool2d(t, pool, strides, padding)

    # the maximum is exact; overlapping windows add their gradients in another order
    ctx = _compare(fn, [(x, True)], rtol=0, atol=0, grad_rtol=1e-6)
    assert ctx.kernel


def test_max_pool_kernel_ties_and_inference():
    ties = Tensor(np.ones((1, 4, 6, 3), np.float32), requires_grad=True)
    out = max_pool2d(ties, 2)
    assert out._ctx.kernel
    out.sum().backward()
    want = np.zeros((1, 4, 6, 3), np.float32)
    want[:, 0::2, 0::2] = 1  # the first maximum of each window (row-major), as TensorFlow
    np.testing.assert_array_equal(ties.grad, want)
    x = np.random.default_rng(11).standard_normal((2, 6, 6, 3)).astype(np.float32)
    with no_grad():
        fast = max_pool2d(Tensor(x, requires_grad=True), 3, 2, "same")
    assert fast._ctx is None
    MaxPool2D.use_kernels = False
    try:
        np.testing.assert_array_equal(fast.data, max_pool2d(Tensor(x), 3, 2, "same").data)
    finally:
        MaxPool2D.use_kernels = True


def test_max_pool_xp_path_for_float64_and_without_numba(monkeypatch):
    x = np.random.default_rng(12).standard_normal((1, 4, 4, 2))
    assert not max_pool2d(Tensor(x, requires_grad=True), 2)._ctx.kernel
    monkeypatch.setitem(conv_kernels._kernels, "conv", None)
    out = max_pool2d(Tensor(x.astype(np.float32), requires_grad=True), 2)
    assert not out._ctx.kernel and out.dtype == np.float32


@pytest.mark.parametrize("threads", [2, 3])
def test_kernels_split_over_threads_match_xp_path(threads, monkeypatch):
    """Every kernel call split into image ranges, one per engine thread (3 threads: uneven ranges)."""
    monkeypatch.setattr(conv_kernels, "SPLIT_MIN", 1)
    monkeypatch.setattr("engine.backend.engine_threads", lambda: threads)
    rng = np.random.default_rng(14)
    arrays = [(_f32(rng, 5, 9, 8, 3), True), (_f32(rng, 3, 3, 3, 6), True), (_f32(rng, 6), True)]

    def net(x, w, b):
        return max_pool2d(conv2d(x, w, b, padding="same", activation="relu"), 2)

    _compare(net, arrays)
    grey = [(_f32(rng, 4, 10, 10, 1), False), (_f32(rng, 3, 3, 1, 4), True), (_f32(rng, 4), True)]
    _compare(lambda x, w, b: max_pool2d(conv2d(x, w, b, activation="relu"), 3, 2, "same"), grey)


def test_kernel_path_on_a_non_contiguous_input():
    """A channels_first layer hands the op a transposed view."""
    rng = np.random.default_rng(15)
    x = np.ascontiguousarray(_f32(rng, 2, 4, 7, 6)).transpose(0, 2, 3, 1)  # (2, 7, 6, 4), not contiguous
    assert not x.flags["C_CONTIGUOUS"]
    _compare(lambda a, w: max_pool2d(conv2d(a, w, padding="same", activation="relu"), 2),
             [(x, True), (_f32(rng, 3, 3, 4, 5), True)])


def test_cnn_fit_and_predict_match_the_xp_path():
    """The issue's CNN (small): two training steps and a prediction through the public API give the same
    weights and outputs with the kernels on and off."""
    from engine import layers, losses, models, optimizers
    from engine.backend import set_seed

    rng = np.random.default_rng(16)
    x, y = _f32(rng, 16, 12, 12, 1), rng.integers(0, 10, 16)
    results = []
    for use in (False, True):
        Conv2D.use_kernels = MaxPool2D.use_kernels = use
        try:
            set_seed(3)
            model = models.Sequential([
                layers.Input((12, 12, 1)), layers.Conv2D(8, 3, activation="relu"), layers.MaxPooling2D(2),
                layers.Conv2D(16, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
                layers.Dense(10)])
            # SGD: Adam's update would hide an error in the gradients' scale
            model.compile(optimizer=optimizers.SGD(learning_rate=0.5),
                          loss=losses.SparseCategoricalCrossentropy(from_logits=True))
            model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
            results.append(([w.copy() for w in model.get_weights()], model.predict(x, batch_size=8, verbose=0)))
        finally:
            Conv2D.use_kernels = MaxPool2D.use_kernels = True
    (w0, p0), (w1, p1) = results
    for a, b in zip(w1, w0):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(p1, p0, rtol=1e-4, atol=1e-5)
