import numpy as np
import pytest

from engine.autograd import Tensor
from engine.ops.conv import conv_padding
from engine.ops.gradcheck import check_grad
from engine.ops.pooling import (
    avg_pool1d,
    avg_pool2d,
    global_avg_pool,
    global_max_pool,
    max_pool1d,
    max_pool2d,
    pool_output_length,
)


def naive_pool(x, pool, strides, padding, kind):
    n, h, w, c = x.shape
    pads = [conv_padding(h, pool[0], strides[0], 1, padding), conv_padding(w, pool[1], strides[1], 1, padding)]
    oh = pool_output_length(h, pool[0], strides[0], padding)
    ow = pool_output_length(w, pool[1], strides[1], padding)
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * strides[0] - pads[0][0], j * strides[1] - pads[1][0]
            win = x[:, max(r0, 0):r0 + pool[0], max(c0, 0):c0 + pool[1]]  # only real pixels
            out[:, i, j] = win.max(axis=(1, 2)) if kind == "max" else win.mean(axis=(1, 2))
    return out


CASES = [((2, 2), None, "valid", (6, 6)), ((2, 2), None, "valid", (7, 5)), ((3, 3), (2, 2), "same", (7, 6)),
         ((2, 3), (1, 2), "same", (5, 5)), ((3, 2), (3, 1), "valid", (7, 4)), ((2, 2), (1, 1), "same", (3, 4)),
         ((2, 2), (3, 3), "valid", (8, 8)), ((2, 2), None, "same", (5, 5))]


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("pool,strides,padding,hw", CASES)
def test_pool2d_forward_and_gradients(kind, pool, strides, padding, hw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, *hw, 3))
    fn = max_pool2d if kind == "max" else avg_pool2d
    got = fn(Tensor(x), pool, strides, padding).data
    np.testing.assert_allclose(got, naive_pool(x, pool, strides or pool, padding, kind), atol=1e-12)
    check_grad(lambda a: fn(a, pool, strides, padding), x)


def test_max_pool_gradient_goes_to_one_argmax_on_ties():
    x = Tensor(np.zeros((1, 2, 2, 1), np.float32), requires_grad=True)
    max_pool2d(x, 2).sum().backward()
    assert x.grad.sum() == 1.0 and x.grad.dtype == np.float32


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("padding,strides", [("valid", None), ("same", 2), ("same", 1)])
def test_pool1d(kind, padding, strides):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 7, 3))
    fn = max_pool1d if kind == "max" else avg_pool1d
    got = fn(Tensor(x), 3, strides, padding).data
    s = strides or 3
    ref = naive_pool(x[:, None], (1, 3), (1, s), padding, kind)[:, 0]
    np.testing.assert_allclose(got, ref, atol=1e-12)
    check_grad(lambda a: fn(a, 3, strides, padding), x)


def test_global_pools():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 4, 5))
    np.testing.assert_allclose(global_avg_pool(Tensor(x)).data, x.mean(axis=(1, 2)))
    np.testing.assert_allclose(global_max_pool(Tensor(x)).data, x.max(axis=(1, 2)))
    assert global_max_pool(Tensor(x), keepdims=True).shape == (2, 1, 1, 5)
    check_grad(lambda a: global_avg_pool(a), x)
    check_grad(lambda a: global_max_pool(a), x)
    check_grad(lambda a: global_max_pool(a), x[:, 0])  # 1-D: (N, steps, C)


def test_max_pool_inference_without_winner_indices():
    from engine.autograd import no_grad

    x = np.random.default_rng(3).standard_normal((2, 6, 6, 3)).astype(np.float32)
    with no_grad():
        fast = max_pool2d(Tensor(x, requires_grad=True), 3, 2, "same")
    np.testing.assert_array_equal(fast.data, max_pool2d(Tensor(x), 3, 2, "same").data)
    assert fast._ctx is None


@pytest.mark.parametrize("hw", [(6, 6), (7, 5), (2, 3)])
def test_max_pool_2x2_fast_path(hw):
    x = np.random.default_rng(4).standard_normal((2, *hw, 3))
    np.testing.assert_array_equal(max_pool2d(Tensor(x), 2).data, naive_pool(x, (2, 2), (2, 2), "valid", "max"))
    check_grad(lambda a: max_pool2d(a, 2), x)
    ties = Tensor(np.ones((1, 4, 4, 2), np.float32), requires_grad=True)
    max_pool2d(ties, 2).sum().backward()
    assert ties.grad.sum() == 8 and ties.grad.max() == 1  # one winner per window on ties
