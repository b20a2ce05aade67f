"""The conv / pooling / normalization / embedding / recurrent ops give the same values and gradients on CuPy."""

import numpy as np
import pytest

from engine.autograd import Tensor
from engine.ops.conv import conv1d, conv2d, conv2d_transpose, depthwise_conv2d
from engine.ops.embedding import embedding
from engine.ops.normalization import batch_norm_infer, batch_norm_train, layer_norm
from engine.ops.pooling import avg_pool2d, global_max_pool, max_pool2d
from engine.ops.recurrent import gru, lstm, simple_rnn

R = np.random.default_rng(0)


def f32(*shape):
    return R.standard_normal(shape).astype(np.float32)


MASK = np.array([[1, 1, 0, 1, 1], [1, 0, 0, 1, 0]], bool)
CASES = {
    "conv2d_same_stride": (lambda x, w, b: conv2d(x, w, b, strides=2, padding="same"),
                           (f32(2, 7, 6, 3), f32(3, 3, 3, 4), f32(4))),
    "conv2d_groups_dilation": (lambda x, w: conv2d(x, w, padding="same", dilation_rate=2, groups=2),
                               (f32(2, 6, 6, 4), f32(3, 3, 2, 6))),
    "conv1d_causal": (lambda x, w: conv1d(x, w, padding="causal"), (f32(2, 7, 3), f32(3, 3, 4))),
    "conv2d_transpose": (lambda x, w, b: conv2d_transpose(x, w, b, strides=2, padding="same"),
                         (f32(2, 3, 4, 3), f32(3, 3, 2, 3), f32(2))),
    "depthwise": (lambda x, w: depthwise_conv2d(x, w, padding="same"), (f32(2, 5, 5, 3), f32(3, 3, 3, 2))),
    "max_pool": (lambda x: max_pool2d(x, 3, 2, "same"), (f32(2, 7, 6, 3),)),
    "max_pool_2x2": (lambda x: max_pool2d(x, 2), (f32(2, 6, 6, 3),)),
    "avg_pool": (lambda x: avg_pool2d(x, 3, 2, "same"), (f32(2, 7, 6, 3),)),
    "global_max": (lambda x: global_max_pool(x), (f32(2, 4, 4, 3),)),
    "batch_norm": (lambda x, g, b: batch_norm_train(x, g, b, axes=(0, 1, 2))[0], (f32(4, 3, 3, 5), f32(5), f32(5))),
    "batch_norm_infer": (lambda x, g: batch_norm_infer(x, np.float32([0.1, 0.2]), np.float32([1.0, 2.0]), g),
                         (f32(4, 2), f32(2))),
    "layer_norm": (lambda x, g, b: layer_norm(x, g, b), (f32(3, 4, 6), f32(6), f32(6))),
    "lstm": (lambda x, h, c, k, r, b: lstm(x, h, c, k, r, b, mask=MASK),
             (f32(2, 5, 3), f32(2, 4), f32(2, 4), f32(3, 16), f32(4, 16), f32(16))),
    "gru": (lambda x, h, k, r, b: gru(x, h, k, r, b, go_backwards=True), (f32(2, 5, 3), f32(2, 4), f32(3, 12),
                                                                          f32(4, 12), f32(2, 12))),
    "gru_v1": (lambda x, h, k, r, b: gru(x, h, k, r, b, reset_after=False, mask=MASK),
               (f32(2, 5, 3), f32(2, 4), f32(3, 12), f32(4, 12), f32(12))),
    "simple_rnn": (lambda x, h, k, r: simple_rnn(x, h, k, r, activation="relu"),
                   (f32(2, 5, 3), f32(2, 4), f32(3, 4), f32(4, 4))),
}


@pytest.mark.gpu
@pytest.mark.parametrize("name", sorted(CASES))
def test_op_on_gpu_matches_cpu(gpu, name):
    fn, arrays = CASES[name]
    w = R.standard_normal(fn(*[Tensor(a) for a in arrays]).shape).astype(np.float32)
    cpu = [Tensor(a, requires_grad=True) for a in arrays]
    out = fn(*cpu)
    (out * Tensor(w)).sum().backward()
    dev = [Tensor(gpu.asarray(a), requires_grad=True) for a in arrays]
    dout = fn(*dev)
    (dout * Tensor(gpu.asarray(w))).sum().backward()
    assert isinstance(dout.data, gpu.ndarray) and dout.dtype == np.float32
    np.testing.assert_allclose(gpu.asnumpy(dout.data), out.data, rtol=1e-4, atol=1e-5)
    for c, d in zip(cpu, dev):
        np.testing.assert_allclose(gpu.asnumpy(d.grad), c.grad, rtol=1e-3, atol=1e-4)


@pytest.mark.gpu
def test_embedding_on_gpu(gpu):
    table = f32(7, 3)
    ids = np.array([[1, 1, 6], [0, 2, 1]])
    t_cpu, t_gpu = Tensor(table, requires_grad=True), Tensor(gpu.asarray(table), requires_grad=True)
    embedding(ids, t_cpu).sum().backward()
    out = embedding(gpu.asarray(ids), t_gpu)
    out.sum().backward()
    np.testing.assert_array_equal(gpu.asnumpy(out.data), table[ids])
    np.testing.assert_allclose(gpu.asnumpy(t_gpu.grad), t_cpu.grad)
