"""A corpus of bad files, made in the test from a good one: each gives a clear ModelFileError (a ValueError)
naming the problem, never a crash deep in numpy/h5py, and nothing from the file is ever executed."""

from __future__ import annotations

import json
import shutil
import time

import h5py
import numpy as np
import pytest

from engine import layers as L
from engine.backend import set_seed
from engine.models import Sequential
from engine.saving import (
    ModelFileError,
    UnknownLayerError,
    UnsafeModelError,
    WeightMismatchError,
    load_model,
    load_weights,
    model_from_json,
)


@pytest.fixture
def good(tmp_path):
    set_seed(0)
    model = Sequential([L.Input(shape=(4,)), L.Dense(5, activation="relu", name="d1"),
                        L.Dense(3, activation="softmax", name="d2")], name="good")
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.train_on_batch(np.ones((2, 4), "float32"), np.eye(3, dtype="float32")[:2])
    path = tmp_path / "good.h5"
    model.save(path)
    load_model(path)  # the source file itself is fine
    return path


def _copy(good, name="bad.h5"):
    path = good.parent / name
    shutil.copy(good, path)
    return path


def _edit_config(path, fn):
    with h5py.File(path, "r+") as f:
        config = json.loads(f.attrs["model_config"])
        fn(config)
        f.attrs["model_config"] = json.dumps(config)


def _layers(config):
    return config["config"]["layers"]


def _expect(path, error=ModelFileError, match=None):
    with pytest.raises(error, match=match) as info:
        load_model(path)
    assert isinstance(info.value, ValueError)
    return info.value


def test_missing_file(tmp_path):
    _expect(tmp_path / "nope.h5", match="No such model file")


def test_empty_file(tmp_path):
    (tmp_path / "empty.h5").write_bytes(b"")
    _expect(tmp_path / "empty.h5", match="empty or truncated")


@pytest.mark.parametrize("keep", [0.9, 0.5, 0.1, 0.01])
def test_truncated(good, keep):
    data = good.read_bytes()
    bad = _copy(good)
    bad.write_bytes(data[: int(len(data) * keep)])
    _expect(bad)


def test_wrong_magic(good):
    data = bytearray(good.read_bytes())
    data[:8] = b"PK\x03\x04\x00\x00\x00\x00"  # looks like a zip (.keras)
    bad = _copy(good)
    bad.write_bytes(bytes(data))
    _expect(bad, match="not an HDF5 model file")


def test_garbage_after_header(good):
    data = bytearray(good.read_bytes())
    rng = np.random.default_rng(0)
    data[8:] = rng.integers(0, 256, len(data) - 8, dtype=np.uint8).tobytes()
    bad = _copy(good)
    bad.write_bytes(bytes(data))
    _expect(bad)


def test_text_file(tmp_path):
    (tmp_path / "t.h5").write_text("{'class_name': 'Sequential'}" * 10)
    _expect(tmp_path / "t.h5", match="not an HDF5 model file")


def test_missing_model_config(good):
    bad = _copy(good)
    with h5py.File(bad, "r+") as f:
        del f.attrs["model_config"]
    _expect(bad, match="model_config")


def test_model_config_not_json(good):
    bad = _copy(good)
    with h5py.File(bad, "r+") as f:
        f.attrs["model_config"] = "{not json"
    _expect(bad, match="not valid JSON")


def test_missing_model_weights_group(good):
    bad = _copy(good)
    with h5py.File(bad, "r+") as f:
        del f["model_weights"]
    _expect(bad, match="model_weights")


def test_missing_layer_group(good):
    bad = _copy(good)
    with h5py.File(bad, "r+") as f:
        del f["model_weights/d2"]
    _expect(bad, match="Missing group 'd2'")


def test_missing_weight_dataset(good):
    bad = _copy(good)
    with h5py.File(bad, "r+") as f:
        g = f["model_weights/d1"]
        name = g.attrs["weight_names"][1]
        del g[name.decode() if isinstance(name, bytes) else name]
    _expect(bad, match="Missing dataset")


def test_shape_mismatch(good):
    bad = _copy(good)
    with h5py.File(bad, "r+") as f:
        g = f["model_weights/d1"]
        name = g.attrs["weight_names"][0]
        name = name.decode() if isinstance(name, bytes) else name
        kernel = g[name][()]
        del g[name]
        g[name] = kernel.T  # (5, 4) instead of (4, 5)
    err = _expect(bad, WeightMismatchError, match="Shape mismatch")
    assert "(4, 5)" in str(err) and "(5, 4)" in str(err) and "d1" in str(err)


def test_weight_count_mismatch(good):
    bad = _copy(good)
    with h5py.File(bad, "r+") as f:
        g = f["model_weights/d1"]
        names = list(g.attrs["weight_names"])
        g.attrs["weight_names"] = names[:1]
    _expect(bad, WeightMismatchError, match="has 2 weights")


def test_layer_count_mismatch(good):
    bad = _copy(good)
    with h5py.File(bad, "r+") as f:
        f["model_weights"].attrs["layer_names"] = [b"d1"]
    _expect(bad, WeightMismatchError, match="Layer count mismatch")


def test_non_numeric_dataset(good):
    bad = _copy(good)
    with h5py.File(bad, "r+") as f:
        g = f["model_weights/d2"]
        name = g.attrs["weight_names"][1]
        name = name.decode() if isinstance(name, bytes) else name
        del g[name]
        g[name] = np.array([b"a", b"b", b"c"])
    _expect(bad, match="non-numeric|Shape")


def test_soft_link_refused(good):
    bad = _copy(good)
    with h5py.File(bad, "r+") as f:
        del f["model_weights/d2"]
        f["model_weights/d2"] = h5py.SoftLink("/model_weights/d1")
    _expect(bad, UnsafeModelError, match="links are not allowed")


def test_external_link_refused(good, tmp_path):
    other = _copy(good, "other.h5")
    bad = _copy(good)
    with h5py.File(bad, "r+") as f:
        del f["model_weights/d2"]
        f["model_weights/d2"] = h5py.ExternalLink(str(other), "/model_weights/d2")
    _expect(bad, UnsafeModelError, match="links are not allowed")


def test_lambda_layer_refused(good):
    bad = _copy(good)
    code = "4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAgAAAHICAAAA"

    def add_lambda(config):
        _layers(config).insert(2, {"class_name": "Lambda", "config": {
            "name": "my_lambda", "function": {"class_name": "__lambda__",
                                              "config": {"code": code, "defaults": None, "closure": None}},
            "output_shape": None, "arguments": {}}})

    _edit_config(bad, add_lambda)
    err = _expect(bad, UnsafeModelError, match="my_lambda")
    assert "Lambda" in str(err) and "never runs code" in str(err)


def test_lambda_function_in_activation_refused(good):
    bad = _copy(good)
    _edit_config(bad, lambda c: _layers(c)[1]["config"].update(
        activation={"class_name": "__lambda__", "config": {"code": "AAAA"}}))
    _expect(bad, UnsafeModelError, match="__lambda__")


@pytest.mark.parametrize("class_name", ["MyCustomLayer", "my_package>MyLayer", "TFOpLambda"])
def test_unknown_layer(good, class_name):
    bad = _copy(good)
    _edit_config(bad, lambda c: _layers(c)[1].update(class_name=class_name))
    err = _expect(bad, UnknownLayerError if class_name != "TFOpLambda" else UnsafeModelError)
    assert class_name in str(err) and "d1" in str(err)


@pytest.mark.parametrize("edit, match", [
    (lambda c: _layers(c)[1]["config"].update(units=10**12), "absurdly large"),
    (lambda c: _layers(c)[1]["config"].update(units=-3), None),
    (lambda c: (_layers(c)[0]["config"].update(batch_shape=[None, 40000]),
                c["config"].update(build_input_shape=[None, 40000]),
                _layers(c)[1]["config"].update(units=40000)), "size limit"),
    (lambda c: _layers(c)[0]["config"].update(batch_shape=[None, -4]), "batch shape"),
    (lambda c: _layers(c)[0]["config"].update(batch_shape="huge"), "batch shape"),
])
def test_absurd_sizes_refused_before_allocating(good, edit, match):
    bad = _copy(good)
    _edit_config(bad, edit)
    start = time.perf_counter()
    _expect(bad, ModelFileError, match=match)
    assert time.perf_counter() - start < 5  # refused up front, nothing gigantic was allocated


def test_absurd_embedding_from_json():
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, 3], "dtype": "int32"}},
        {"class_name": "Embedding", "config": {"name": "emb", "input_dim": 10**6, "output_dim": 10**5}}]}}
    with pytest.raises(ModelFileError, match="emb"):
        model_from_json(json.dumps(config))


@pytest.mark.parametrize("bad_config", [
    {"class_name": "Sequential"},
    {"class_name": "Sequential", "config": {"layers": "nope"}},
    {"class_name": "Sequential", "config": {"layers": [{"config": {}}]}},
    {"class_name": "MySubclassedModel", "config": {}},
    {"class_name": "Functional", "config": {"layers": [
        {"class_name": "InputLayer", "name": "i", "config": {"batch_shape": [None, 2], "name": "i"},
         "inbound_nodes": []},
        {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2},
         "inbound_nodes": [[["ghost", 0, 0, {}]]]}],
        "input_layers": [["i", 0, 0]], "output_layers": [["d", 0, 0]]}},
    {"class_name": "Functional", "config": {"layers": [
        {"class_name": "InputLayer", "name": "i", "config": {"batch_shape": [None, 2], "name": "i"},
         "inbound_nodes": []},
        {"class_name": "Dense", "name": "a", "config": {"name": "a", "units": 2},
         "inbound_nodes": [[["b", 0, 0, {}]]]},
        {"class_name": "Dense", "name": "b", "config": {"name": "b", "units": 2},
         "inbound_nodes": [[["a", 0, 0, {}]]]}],
        "input_layers": [["i", 0, 0]], "output_layers": [["b", 0, 0]]}},
])
def test_malformed_configs(bad_config):
    with pytest.raises(ModelFileError):
        model_from_json(json.dumps(bad_config))


def test_weights_only_file_given_to_load_model(good, tmp_path):
    model = load_model(good)
    model.save_weights(tmp_path / "w.weights.h5")
    _expect(tmp_path / "w.weights.h5", match="weights only")


def test_load_weights_into_wrong_model(good):
    other = Sequential([L.Input(shape=(4,)), L.Dense(5), L.Dense(4)])
    before = other.get_weights()
    with pytest.raises(WeightMismatchError, match="Shape mismatch"):
        load_weights(other, good)
    for b, a in zip(before, other.get_weights(), strict=True):  # d1 fits, d2 does not: nothing assigned
        np.testing.assert_array_equal(b, a)


def test_random_corruption_only_gives_model_file_errors(good):
    """60 seeded random byte corruptions: each file either loads (the damage hit weight data) or raises
    ModelFileError; never another exception from h5py/numpy."""
    import warnings

    data = good.read_bytes()
    rng = np.random.default_rng(7)
    outcomes = {"loaded": 0, "ModelFileError": 0}
    for trial in range(60):
        damaged = bytearray(data)
        for _ in range(int(rng.integers(1, 20))):
            damaged[int(rng.integers(8, len(damaged)))] = int(rng.integers(0, 256))
        path = good.parent / f"fuzz_{trial}.h5"
        path.write_bytes(bytes(damaged))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                load_model(path)
                outcomes["loaded"] += 1
            except ModelFileError:
                outcomes["ModelFileError"] += 1
    assert outcomes["ModelFileError"] > 0
