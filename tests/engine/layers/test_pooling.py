import numpy as np
import pytest

from engine.autograd import Tensor
from engine.layers.base import LAYERS
from engine.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
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
    (lambda: MaxPooling3D(), (1, 4, 4, 2, 2)),
    (lambda: MaxPooling3D((3, 2, 2), strides=(2, 1, 2), padding="same"), (1, 4, 3, 3, 2)),
    (lambda: AveragePooling3D(2, strides=1, padding="same", data_format="channels_first"), (1, 2, 3, 3, 2)),
    (lambda: GlobalAveragePooling3D(), (2, 2, 3, 2, 2)),
    (lambda: GlobalMaxPooling3D(keepdims=True, data_format="channels_first"), (2, 2, 2, 3, 2)),
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


def test_pooling3d_layers_match_the_op_and_infer_shapes():
    from engine.ops.conv3d import avg_pool3d, max_pool3d  # noqa: PLC0415

    x = RNG.standard_normal((2, 5, 4, 6, 3))
    np.testing.assert_allclose(MaxPooling3D(2)(Tensor(x)).data, max_pool3d(Tensor(x), 2).data)
    np.testing.assert_allclose(AveragePooling3D(3, 2, "same")(Tensor(x)).data,
                               avg_pool3d(Tensor(x), 3, 2, "same").data)
    assert MaxPooling3D(2).compute_output_shape((None, 5, None, 6, 3)) == (None, 2, None, 3, 3)
    assert AveragePooling3D(3, 2, "same").compute_output_shape((None, 5, 4, 6, 3)) == (None, 3, 2, 3, 3)
    assert GlobalMaxPooling3D().compute_output_shape((None, 5, 4, 6, 3)) == (None, 3)
    np.testing.assert_allclose(GlobalAveragePooling3D()(Tensor(x)).data, x.mean(axis=(1, 2, 3)))
    np.testing.assert_allclose(GlobalMaxPooling3D()(Tensor(x)).data, x.max(axis=(1, 2, 3)))
    assert LAYERS.lookup("MaxPool3D") is MaxPooling3D and LAYERS.lookup("GlobalAvgPool3D") is GlobalAveragePooling3D
    with pytest.raises(ValueError, match="expected ndim=5"):
        MaxPooling3D().compute_output_shape((None, 4, 4, 3))
