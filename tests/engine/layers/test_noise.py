import numpy as np
import pytest

from engine.autograd import Tensor
from engine.backend import set_seed
from engine.layers.noise import (
    AlphaDropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
)

from .checks import check_config_round_trip

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("make,shape", [
    (lambda: SpatialDropout1D(0.5), (64, 5, 32)), (lambda: SpatialDropout2D(0.5), (64, 3, 4, 32)),
    (lambda: SpatialDropout2D(0.5, data_format="channels_first"), (64, 32, 3, 4)),
    (lambda: GaussianNoise(0.5), (64, 300)), (lambda: GaussianDropout(0.3), (64, 300)),
    (lambda: AlphaDropout(0.2), (256, 300)),
])
def test_noise_layers_identity_at_inference_noisy_in_training(make, shape):
    x = RNG.standard_normal(shape).astype(np.float32)
    layer = make()
    np.testing.assert_array_equal(layer(x).data, x)
    assert layer.compute_output_shape((None, *shape[1:])) == (None, *shape[1:])
    set_seed(0)
    out = layer(x, training=True).data
    assert out.shape == x.shape and out.dtype == np.float32
    assert np.abs(out - x).mean() > 0.05
    check_config_round_trip(make())


def test_spatial_dropout_drops_whole_channels():
    x = np.ones((8, 5, 6, 16), np.float32)
    out = SpatialDropout2D(0.5)(x, training=True).data
    per_channel = out.reshape(8, 30, 16)
    assert np.all(per_channel.min(axis=1) == per_channel.max(axis=1))  # one draw per (sample, channel)
    assert set(np.unique(out)) <= {0.0, 2.0}
    out = SpatialDropout1D(0.5)(x[:, :, 0], training=True).data
    assert np.all(out.min(axis=1) == out.max(axis=1))


def test_alpha_dropout_keeps_selu_statistics():
    x = RNG.standard_normal((2000, 200)).astype(np.float32)  # ~ N(0, 1), the SELU fixed point
    set_seed(3)
    out = AlphaDropout(0.2)(x, training=True).data
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02


def test_gaussian_layers_statistics_and_gradient():
    x = np.ones((500, 200), np.float32)
    set_seed(4)
    assert abs(GaussianNoise(0.5)(x, training=True).data.std() - 0.5) < 0.01
    assert abs(GaussianDropout(0.5)(x, training=True).data.std() - 1.0) < 0.02
    t = Tensor(x, requires_grad=True)
    GaussianNoise(0.5)(t, training=True).sum().backward()
    np.testing.assert_array_equal(t.grad, np.ones_like(x))
    with pytest.raises(ValueError, match="rate"):
        GaussianDropout(1.5)
