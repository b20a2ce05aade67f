import numpy as np
import pytest

from engine.autograd import Tensor
from engine.layers.reshaping import (
    Cropping1D,
    Cropping2D,
    Permute,
    RepeatVector,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)

from .checks import check_config_round_trip, check_layer_grads, check_output_shape

RNG = np.random.default_rng(0)
X4 = RNG.standard_normal((2, 4, 5, 3))
X3 = RNG.standard_normal((2, 6, 3))


@pytest.mark.parametrize("make,x,ref", [
    (lambda **k: ZeroPadding2D(**k), X4, np.pad(X4, ((0, 0), (1, 1), (1, 1), (0, 0)))),
    (lambda **k: ZeroPadding2D(((1, 0), (2, 3)), **k), X4, np.pad(X4, ((0, 0), (1, 0), (2, 3), (0, 0)))),
    (lambda **k: ZeroPadding2D((2, 1), data_format="channels_first", **k), X4,
     np.pad(X4, ((0, 0), (0, 0), (2, 2), (1, 1)))),
    (lambda **k: ZeroPadding1D((1, 2), **k), X3, np.pad(X3, ((0, 0), (1, 2), (0, 0)))),
    (lambda **k: Cropping2D(((1, 0), (2, 1)), **k), X4, X4[:, 1:, 2:4]),
    (lambda **k: Cropping2D(1, **k), X4, X4[:, 1:3, 1:4]),
    (lambda **k: Cropping1D((2, 1), **k), X3, X3[:, 2:5]),
    (lambda **k: UpSampling2D((2, 3), **k), X4, X4.repeat(2, axis=1).repeat(3, axis=2)),
    (lambda **k: UpSampling1D(3, **k), X3, X3.repeat(3, axis=1)),
    (lambda **k: RepeatVector(3, **k), X3[:, 0], np.stack([X3[:, 0]] * 3, axis=1)),
    (lambda **k: Permute((2, 1), **k), X3, X3.transpose(0, 2, 1)),
    (lambda **k: Permute((3, 1, 2), **k), X4, X4.transpose(0, 3, 1, 2)),
])
def test_reshaping_layers(make, x, ref):
    np.testing.assert_allclose(make(dtype="float64")(Tensor(x)).data, ref)
    check_output_shape(make(), x.astype(np.float32))
    check_config_round_trip(make())
    check_layer_grads(make(dtype="float64"), x)


def test_reshaping_errors():
    with pytest.raises(ValueError, match="cropping"):
        Cropping2D(((2, 2), (0, 0))).compute_output_shape((None, 4, 4, 1))
    with pytest.raises(ValueError, match="dims"):
        Permute((1, 3))
    with pytest.raises(ValueError, match="expected ndim=2"):
        RepeatVector(2).compute_output_shape((None, 3, 4))
    with pytest.raises(ValueError, match="interpolation"):
        UpSampling2D(interpolation="cubic")
    with pytest.raises(ValueError, match="padding"):
        ZeroPadding2D((1, 2, 3))
    assert ZeroPadding2D(2).compute_output_shape((None, None, 3, 1)) == (None, None, 7, 1)
