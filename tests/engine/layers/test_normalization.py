import numpy as np
import pytest

from engine.autograd import Tensor
from engine.layers.normalization import BatchNormalization, LayerNormalization

from .checks import check_config_round_trip, check_layer_grads, check_output_shape

RNG = np.random.default_rng(0)


def test_batch_norm_weights_in_keras_order():
    layer = BatchNormalization()
    layer(np.ones((4, 3), np.float32))
    assert [w.name for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.name for w in layer.trainable_weights] == ["gamma", "beta"]
    assert [w.name for w in layer.non_trainable_weights] == ["moving_mean", "moving_variance"]
    layer = BatchNormalization(center=False, scale=False)
    layer(np.ones((4, 3), np.float32))
    assert [w.name for w in layer.weights] == ["moving_mean", "moving_variance"]


def test_batch_norm_training_vs_inference_and_moving_stats():
    x = (RNG.standard_normal((16, 3)) * 2 + 5).astype(np.float32)
    layer = BatchNormalization(momentum=0.9, epsilon=1e-3)
    layer(x)  # build (inference: moving stats 0/1)
    gamma, beta = RNG.standard_normal(3), RNG.standard_normal(3)
    layer.set_weights([gamma, beta, np.zeros(3), np.ones(3)])
    out = layer(x, training=True).data
    np.testing.assert_allclose(out, gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3) + beta, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.1 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.9 + 0.1 * x.var(0), rtol=1e-5)
    mm, mv = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    out = layer(x).data  # inference: moving statistics, nothing updated
    np.testing.assert_allclose(out, gamma * (x - mm) / np.sqrt(mv + 1e-3) + beta, rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(layer.moving_mean.numpy(), mm)
    layer.trainable = False  # a frozen BN runs in inference mode even with training=True (Keras)
    np.testing.assert_allclose(layer(x, training=True).data, out, rtol=1e-6)


@pytest.mark.parametrize("kwargs,shape", [(dict(), (6, 3)), (dict(axis=1), (4, 3, 2, 2)),
                                          (dict(axis=-1, center=False), (3, 2, 2, 3)),
                                          (dict(axis=[1, 2], scale=False), (4, 2, 3))])
def test_batch_norm_gradients_shapes_config(kwargs, shape):
    x = RNG.standard_normal(shape)
    check_output_shape(BatchNormalization(**kwargs), x.astype(np.float32))
    check_config_round_trip(BatchNormalization(**kwargs))
    for training in (True, False):
        layer = BatchNormalization(dtype="float64", **kwargs)
        layer(x)
        layer.moving_variance.assign(RNG.random(layer.moving_variance.shape) + 0.5)
        check_layer_grads(layer, x, training=training)


@pytest.mark.parametrize("kwargs,shape", [(dict(), (4, 5)), (dict(axis=[1, 2]), (2, 3, 4)),
                                          (dict(axis=1, center=False), (3, 4, 2)), (dict(rms_scaling=True), (3, 4))])
def test_layer_norm(kwargs, shape):
    x = RNG.standard_normal(shape)
    check_output_shape(LayerNormalization(**kwargs), x.astype(np.float32))
    check_config_round_trip(LayerNormalization(**kwargs))
    layer = LayerNormalization(dtype="float64", **kwargs)
    out = layer(Tensor(x)).data
    axes = tuple(a % len(shape) for a in np.atleast_1d(kwargs.get("axis", -1)))
    if kwargs.get("rms_scaling"):
        ref = x / np.sqrt((x * x).mean(axis=axes, keepdims=True) + 1e-3)
    else:
        ref = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + 1e-3)
    np.testing.assert_allclose(out, ref, atol=1e-10)
    assert [w.name for w in layer.weights] == [n for n, on in (("gamma", True), ("beta", kwargs.get("center", True)))
                                               if on]
    layer.gamma.assign(RNG.standard_normal(layer.gamma.shape))
    check_layer_grads(layer, x)


def test_normalization_errors():
    with pytest.raises(ValueError, match="Invalid axis"):
        BatchNormalization(axis=3).compute_output_shape((None, 4))
    with pytest.raises(ValueError, match="defined dimension"):
        LayerNormalization().compute_output_shape((None, 4, None))
    with pytest.raises(TypeError, match="axis"):
        LayerNormalization(axis="x")
