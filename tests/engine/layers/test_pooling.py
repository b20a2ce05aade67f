import numpy as np
import pytest

from engine.autograd import Tensor
from engine.layers.base import LAYERS
from engine.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling1D,
    MaxPooling2D,
)

from .checks import check_config_round_trip, check_layer_grads, check_output_shape

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("make,shape", [
    (lambda: MaxPooling2D(), (2, 6, 5, 3)),
    (lambda: MaxPooling2D((3, 2), strides=(2, 1), padding="same"), (2, 5, 5, 2)),
    (lambda: AveragePooling2D(3, strides=2, padding="same"), (2, 7, 6, 2)),
    (lambda: AveragePooling2D(2, data_format="channels_first"), (2, 3, 4, 6)),
    (lambda: MaxPooling1D(3, strides=2), (2, 9, 2)),
    (lambda: AveragePooling1D(2, padding="same"), (2, 7, 3)),
    (lambda: GlobalAveragePooling2D(), (2, 3, 4, 5)),
    (lambda: GlobalMaxPooling2D(keepdims=True), (2, 3, 4, 5)),
    (lambda: GlobalAveragePooling1D(), (2, 6, 3)),
    (lambda: GlobalMaxPooling1D(data_format="channels_first"), (2, 3, 6)),
])
def test_pooling_layers(make, shape):
    x = RNG.standard_normal(shape)
    check_output_shape(make(), x.astype(np.float32))
    check_config_round_trip(make())
    layer = make()
    layer.dtype = "float64"
    check_layer_grads(layer, x)


def test_max_pooling_values_and_aliases():
    x = np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1)
    np.testing.assert_array_equal(MaxPooling2D()(x).data[0, :, :, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(AveragePooling2D()(x).data[0, :, :, 0], [[2.5, 4.5], [10.5, 12.5]])
    assert LAYERS.lookup("MaxPool2D") is MaxPooling2D and LAYERS.lookup("GlobalAvgPool1D") is GlobalAveragePooling1D


def test_global_average_pooling_1d_honours_mask():
    x = RNG.standard_normal((2, 4, 3)).astype(np.float32)
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    out = GlobalAveragePooling1D()(Tensor(x), mask=mask).data
    np.testing.assert_allclose(out[0], x[0, :2].mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(out[1], x[1].mean(axis=0), rtol=1e-6)


def test_pool_shape_errors():
    with pytest.raises(ValueError, match="negative"):
        MaxPooling2D(3).compute_output_shape((None, 2, 5, 1))
    with pytest.raises(ValueError, match="expected ndim=4"):
        MaxPooling2D().compute_output_shape((None, 5, 1))
    with pytest.raises(ValueError, match="padding"):
        MaxPooling2D(padding="full")
    assert MaxPooling2D(2, padding="same").compute_output_shape((None, 5, None, 2)) == (None, 3, None, 2)
