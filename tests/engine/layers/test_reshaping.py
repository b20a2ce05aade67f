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
    with pytest.raises(ValueError, match="'nearest', 'bilinear'"):
        UpSampling2D(interpolation="area")
    with pytest.raises(ValueError, match="padding"):
        ZeroPadding2D((1, 2, 3))
    assert ZeroPadding2D(2).compute_output_shape((None, None, 3, 1)) == (None, None, 7, 1)


def _bilinear_axis(a, axis, factor):
    """Half-pixel-centre linear interpolation along one axis, written out per output index."""
    n = a.shape[axis]
    slices = []
    for o in range(n * factor):
        p = min(max((o + 0.5) / factor - 0.5, 0.0), n - 1)
        lo = int(np.floor(p))
        hi, f = min(lo + 1, n - 1), p - lo
        slices.append(np.take(a, lo, axis=axis) * (1 - f) + np.take(a, hi, axis=axis) * f)
    return np.stack(slices, axis=axis)


@pytest.mark.parametrize("size,data_format", [((2, 3), None), ((3, 1), None), (2, "channels_first")])
def test_upsampling2d_bilinear(size, data_format):
    def make(**k):
        return UpSampling2D(size, data_format=data_format, interpolation="bilinear", **k)

    layer = make(dtype="float64")
    sh, sw = layer.size
    x = X4 if data_format is None else X4.transpose(0, 3, 1, 2)
    ref = _bilinear_axis(_bilinear_axis(X4, 1, sh), 2, sw)
    if data_format is not None:
        ref = ref.transpose(0, 3, 1, 2)
    np.testing.assert_allclose(layer(Tensor(x)).data, ref, atol=1e-12)
    check_output_shape(make(), x.astype(np.float32))
    check_config_round_trip(make())
    assert make().get_config()["interpolation"] == "bilinear"
    check_layer_grads(make(dtype="float64"), x[:1, :3, :3])


def test_upsampling2d_bilinear_in_a_graph():
    from engine.graph import validate  # noqa: PLC0415 - only this test needs the graph package

    g = {"nodes": [{"id": "in", "layer": "Input", "params": {"shape": [4, 5, 3]}},
                   {"id": "up", "layer": "UpSampling2D", "params": {"size": [2, 3], "interpolation": "bilinear"}},
                   {"id": "out", "layer": "Conv2D", "params": {"filters": 2, "kernel_size": 3}}],
         "edges": [{"source": "in", "target": "up"}, {"source": "up", "target": "out"}]}
    r = validate(g)
    assert r["ok"], r["errors"]
    assert r["shapes"]["up"] == [None, 8, 15, 3]
    assert r["shapes"]["out"] == [None, 6, 13, 2]
