"""Normalization (Keras 3): forward against numpy, adapt, invert, config and .h5 round trips."""

import h5py
import numpy as np
import pytest

from engine import layers as L
from engine.layers.preprocessing import Normalization
from engine.models import Model, Sequential
from engine.saving import load_model

from .checks import check_config_round_trip, check_layer_grads

RNG = np.random.default_rng(0)


def test_given_mean_variance_forward_matches_numpy_and_has_no_weights():
    mean, var = np.array([1.0, -2.0, 10.0]), np.array([4.0, 0.25, 0.0])
    x = RNG.standard_normal((5, 3)).astype(np.float32) * 3
    layer = Normalization(mean=mean.tolist(), variance=var.tolist())
    out = layer(x).data
    expected = (x - mean.astype(np.float32)) / np.maximum(np.sqrt(var.astype(np.float32)), 1e-7)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert out.dtype == np.float32 and layer.weights == []  # Keras keeps given statistics in the config


def test_invert_undoes_normalization():
    mean, var = [0.5, 3.0], [2.0, 9.0]
    x = RNG.standard_normal((4, 2)).astype(np.float32)
    back = Normalization(mean=mean, variance=var, invert=True)(Normalization(mean=mean, variance=var)(x)).data
    np.testing.assert_allclose(back, x, atol=1e-6)


def test_adapt_learns_per_feature_statistics_in_keras_weight_order():
    data = RNG.standard_normal((200, 4)) * [1, 2, 3, 4] + [5, -1, 0, 2]
    layer = Normalization()
    layer.adapt(data)
    assert [w.name for w in layer.weights] == ["mean", "variance", "count"]
    assert [w.trainable for w in layer.weights] == [False, False, False]
    np.testing.assert_allclose(layer.weights[0].numpy(), data.mean(0), rtol=1e-5)
    np.testing.assert_allclose(layer.weights[1].numpy(), data.var(0), rtol=1e-5)
    assert int(layer.weights[2].numpy()) == 200 and layer.weights[2].numpy().dtype == np.int64
    out = layer(data.astype(np.float32)).data
    np.testing.assert_allclose(out.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(out.std(0), 1, atol=1e-4)


def test_adapt_over_several_kept_axes_and_none_axis():
    data = RNG.standard_normal((50, 3, 2, 4)).astype(np.float32) + np.arange(4)
    layer = Normalization(axis=(1, 3))
    layer.adapt(data)
    assert layer.weights[0].shape == (3, 4)
    expected = (data - data.mean(axis=(0, 2), keepdims=True)) / data.std(axis=(0, 2), keepdims=True)
    np.testing.assert_allclose(layer(data).data, expected, atol=1e-4)
    scalar = Normalization(axis=None)
    scalar.adapt(data)
    assert scalar.weights[0].shape == ()
    np.testing.assert_allclose(scalar(data).data, (data - data.mean()) / data.std(), atol=1e-4)


def test_adapt_refuses_given_statistics_and_bad_arguments():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        Normalization(mean=[1.0])
    with pytest.raises(ValueError, match="adapt"):
        Normalization(mean=[0.0], variance=[1.0]).adapt(np.zeros((3, 1)))
    with pytest.raises(ValueError, match="does not broadcast"):
        Normalization(mean=[0.0, 1.0], variance=[1.0, 1.0])(np.zeros((2, 3), np.float32))


def test_gradient_flows_to_inputs():
    layer = Normalization(mean=[1.0, 2.0], variance=[4.0, 0.5], dtype="float64")
    check_layer_grads(layer, RNG.standard_normal((3, 2)))


def test_config_round_trip_keras_keys():
    layer = Normalization(mean=[1.0, 2.0], variance=[3.0, 4.0], invert=True, name="norm")
    config = layer.get_config()
    assert {k: config[k] for k in ("axis", "mean", "variance", "invert")} == \
        {"axis": [-1], "mean": [1.0, 2.0], "variance": [3.0, 4.0], "invert": True}
    assert Normalization().get_config()["mean"] is None
    check_config_round_trip(layer)
    assert L.get("Normalization") is Normalization


@pytest.mark.parametrize("adapted", [False, True])
def test_h5_round_trip_in_front_of_a_model(tmp_path, adapted):
    data = RNG.standard_normal((30, 3)).astype(np.float32) * 5 + 7
    if adapted:
        norm = Normalization()
        norm.adapt(data)
    else:
        norm = Normalization(mean=data.mean(0).tolist(), variance=data.var(0).tolist())
    inp = L.Input(shape=(3,))
    model = Model(inp, L.Dense(2, activation="softmax")(L.Dense(4, activation="relu")(norm(inp))))
    expected = model.predict(data, verbose=0)
    model.save(tmp_path / "m.h5")
    loaded = load_model(tmp_path / "m.h5")
    np.testing.assert_allclose(loaded.predict(data, verbose=0), expected, atol=1e-6)
    with h5py.File(tmp_path / "m.h5") as f:
        group = f["model_weights"][norm.name]
        names = [n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"]]
    assert len(names) == (3 if adapted else 0)


def test_sequential_summary_shape():
    model = Sequential([L.Input(shape=(4,)), Normalization(mean=0.0, variance=1.0), L.Dense(1)])
    assert model.output_shape == (None, 1)


def test_statistics_typed_in_a_form_are_parsed():
    layer = Normalization(mean="[1, 2.5]", variance="4, 0.25")
    assert layer.get_config()["mean"] == [1.0, 2.5] and layer.get_config()["variance"] == [4.0, 0.25]
    np.testing.assert_allclose(layer(np.array([[3.0, 3.0]], np.float32)).data, [[1.0, 1.0]])
    assert Normalization(mean="", variance="").get_config()["mean"] is None
    with pytest.raises(ValueError, match="must be numbers"):
        Normalization(mean="a, b", variance="1, 1")
