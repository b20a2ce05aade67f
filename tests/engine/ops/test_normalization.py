import numpy as np
import pytest

from engine.autograd import Tensor, no_grad
from engine.ops.gradcheck import check_grad
from engine.ops.normalization import batch_norm_infer, batch_norm_train, layer_norm


@pytest.mark.parametrize("shape,axes", [((6, 4), (0,)), ((3, 4, 5, 2), (0, 1, 2)), ((3, 2, 4, 4), (0, 2, 3))])
def test_batch_norm_train_forward_stats_and_gradients(shape, axes):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 3 + 1
    bshape = [1 if i in axes else n for i, n in enumerate(shape)]
    gamma = rng.standard_normal(bshape)
    beta = rng.standard_normal(bshape)
    out, mean, var = batch_norm_train(Tensor(x), Tensor(gamma), Tensor(beta), axes=axes, epsilon=1e-3)
    m, v = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    np.testing.assert_allclose(out.data, gamma * (x - m) / np.sqrt(v + 1e-3) + beta, atol=1e-12)
    np.testing.assert_allclose(mean, m)
    np.testing.assert_allclose(var, v)  # biased, as Keras 3 uses for the moving variance
    check_grad(lambda a, g, b: batch_norm_train(a, g, b, axes=axes)[0], x, gamma, beta)


def test_batch_norm_train_without_scale_or_center():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 3))
    beta = rng.standard_normal(3)
    check_grad(lambda a: batch_norm_train(a, axes=(0,))[0], x)
    check_grad(lambda a, b: batch_norm_train(a, None, b, axes=(0,))[0], x, beta)
    with no_grad():
        out, _, _ = batch_norm_train(Tensor(x), axes=(0,))
    np.testing.assert_allclose(out.data.mean(axis=0), 0, atol=1e-12)


def test_batch_norm_infer():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 3))
    mean, var = rng.standard_normal(3), rng.random(3) + 0.5
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    out = batch_norm_infer(Tensor(x), mean, var, Tensor(gamma), Tensor(beta), epsilon=1e-3)
    np.testing.assert_allclose(out.data, gamma * (x - mean) / np.sqrt(var + 1e-3) + beta, atol=1e-12)
    check_grad(lambda a, g, b: batch_norm_infer(a, mean, var, g, b), x, gamma, beta)
    check_grad(lambda a: batch_norm_infer(a, mean, var), x)


@pytest.mark.parametrize("shape,axes", [((4, 5), (-1,)), ((2, 3, 4), (-1,)), ((2, 3, 4), (1, 2))])
def test_layer_norm(shape, axes):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape)
    pshape = [n if (i in axes or i - len(shape) in axes) else 1 for i, n in enumerate(shape)]
    gamma, beta = rng.standard_normal(pshape), rng.standard_normal(pshape)
    out = layer_norm(Tensor(x), Tensor(gamma), Tensor(beta), axes=axes, epsilon=1e-3)
    m, v = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    np.testing.assert_allclose(out.data, (x - m) / np.sqrt(v + 1e-3) * gamma + beta, atol=1e-12)
    check_grad(lambda a, g, b: layer_norm(a, g, b, axes=axes), x, gamma, beta)


def test_float32_in_float32_out():
    x = Tensor(np.random.default_rng(4).standard_normal((8, 3)).astype(np.float32), requires_grad=True)
    g = Tensor(np.ones(3, np.float32), requires_grad=True)
    out, mean, var = batch_norm_train(x, g, None, axes=(0,))
    assert out.dtype == np.float32 and mean.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32 and g.grad.dtype == np.float32
