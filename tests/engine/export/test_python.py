"""engine.export.python.to_python: the script runs (with `keras` = the engine) and rebuilds the same architecture."""

from __future__ import annotations

import ast
import sys
import types

import pytest

import engine.initializers
import engine.regularizers
from engine.catalog import load_layers
from engine.export.python import to_python
from engine.graph import build_model
from engine.layers.base import LAYERS

load_layers()


@pytest.fixture
def keras_is_engine(monkeypatch):
    """`import keras` / `from keras import layers` resolve to the engine while the script runs."""
    from engine import models

    layers = types.ModuleType("keras.layers")
    for name, cls in LAYERS.items():
        setattr(layers, name, cls)
    from engine.layers.core import Input

    keras = types.ModuleType("keras")
    keras.layers, keras.Input, keras.Model, keras.Sequential = layers, Input, models.Model, models.Sequential
    keras.initializers, keras.regularizers = engine.initializers, engine.regularizers
    monkeypatch.setitem(sys.modules, "keras", keras)
    monkeypatch.setitem(sys.modules, "keras.layers", layers)


def run_script(source):
    namespace = {}
    exec(compile(source, "<to_python>", "exec"), namespace)  # noqa: S102 - our own generated script
    return namespace["model"]


def layer_signature(model):
    """Class, name and config (minus names/dtype policies) of each layer, in order."""
    out = []
    for layer in model.layers:
        config = {k: v for k, v in layer.get_config().items() if k not in ("name", "dtype")}
        out.append((type(layer).__name__, layer.name, repr(config)))
    return out


def n(nid, layer_name, /, **params):
    return {"id": nid, "layer": layer_name, "params": params}


def e(source, target, **kw):
    return {"source": source, "target": target, **kw}


GRAPHS = {
    "mlp": {"nodes": [n("features", "Input", shape=[4]),
                      n("hidden", "Dense", units=8, activation="relu", kernel_initializer="he_normal",
                        kernel_regularizer={"class_name": "L2", "config": {"l2": 0.001}}),
                      n("drop", "Dropout", rate=0.25), n("probs", "Dense", units=3, activation="softmax")],
            "edges": [e("features", "hidden"), e("hidden", "drop"), e("drop", "probs")]},
    "cnn": {"nodes": [n("img", "Input", shape=[8, 8, 1]),
                      n("conv", "Conv2D", filters=4, kernel_size=[3, 3], padding="same", activation="relu"),
                      n("pool", "MaxPooling2D", pool_size=2), n("flat", "Flatten"), n("out", "Dense", units=2)],
            "edges": [e("img", "conv"), e("conv", "pool"), e("pool", "flat"), e("flat", "out")]},
    "shared_merge": {"nodes": [n("a", "Input", shape=[6]), n("b", "Input", shape=[6]),
                               n("enc", "Dense", units=5, activation="tanh"),
                               {"id": "enc_b", "layer": "Dense", "params": {"units": 5, "activation": "tanh"},
                                "shared_with": "enc"},
                               n("cat", "Concatenate"), n("diff", "Subtract"), n("out", "Dense", units=1),
                               n("aux", "Dense", units=2, trainable=False)],
                     "edges": [e("a", "enc"), e("b", "enc_b"), e("enc", "cat"), e("enc_b", "cat"),
                               e("enc_b", "diff", target_index=0), e("enc", "diff", target_index=1),
                               e("cat", "out"), e("diff", "aux")]},
    "bilstm": {"nodes": [n("seq", "Input", shape=[5, 2]),
                         n("bi", "Bidirectional", layer={"class_name": "GRU", "config": {"units": 3}},
                           merge_mode="sum"),
                         n("out", "Dense", units=1)],
               "edges": [e("seq", "bi"), e("bi", "out")]},
    "lstm": {"nodes": [n("tokens", "Input", shape=[7], dtype="int32"),
                       n("emb", "Embedding", input_dim=30, output_dim=4, mask_zero=True),
                       n("rnn", "LSTM", units=5), n("out", "Dense", units=1, activation="sigmoid")],
             "edges": [e("tokens", "emb"), e("emb", "rnn"), e("rnn", "out")]},
}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_script_rebuilds_the_functional_model(name, keras_is_engine):
    model = build_model(GRAPHS[name])
    source = to_python(model)
    ast.parse(source)
    assert source.startswith("import keras\nfrom keras import layers\n")
    rebuilt = run_script(source)
    assert rebuilt.count_params() == model.count_params()
    assert layer_signature(rebuilt) == layer_signature(model)
    assert [list(t.shape) for t in rebuilt.outputs] == [list(t.shape) for t in model.outputs]
    assert [t.dtype for t in rebuilt.inputs] == [t.dtype for t in model.inputs]


def test_shared_layer_is_one_variable_called_twice(keras_is_engine):
    source = to_python(build_model(GRAPHS["shared_merge"]))
    assert source.count("layers.Dense(units=5") == 1
    rebuilt = run_script(source)
    assert len(rebuilt.get_layer("enc")._inbound_nodes) >= 2


def test_defaults_are_left_out():
    source = to_python(build_model(GRAPHS["cnn"]))
    conv = source[source.index("layers.Conv2D("):source.index("(img)")]
    for present in ("filters=4", "kernel_size=", "padding='same'", "activation='relu'", "name='conv'"):
        assert present in conv, (present, conv)
    for absent in ("use_bias", "strides", "dilation_rate", "kernel_initializer", "bias_initializer", "groups"):
        assert absent not in source, (absent, source)
    assert "kernel_initializer='he_normal'" in to_python(build_model(GRAPHS["mlp"]))


def test_sequential(keras_is_engine):
    from engine import models
    from engine.layers.core import Dense, Dropout, Input

    model = models.Sequential([Input(shape=(5,)), Dense(4, activation="relu", name="h"), Dropout(0.1, name="d"),
                               Dense(2, name="o")], name="seq")
    source = to_python(model)
    assert "keras.Sequential(" in source and "keras.Input(shape=(5,))" in source
    rebuilt = run_script(source)
    assert type(rebuilt).__name__ == "Sequential" and rebuilt.name == "seq"
    assert layer_signature(rebuilt) == layer_signature(model)
    assert rebuilt.count_params() == model.count_params()


def test_keras2_style_config(keras_is_engine):
    config = {"class_name": "Functional", "config": {
        "name": "k2", "layers": [
            {"class_name": "InputLayer", "name": "x", "config": {"batch_input_shape": [None, 3], "dtype": "float32",
                                                                 "name": "x"}, "inbound_nodes": []},
            {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2, "activation": "linear"},
             "inbound_nodes": [[["x", 0, 0, {}]]]}],
        "input_layers": [["x", 0, 0]], "output_layers": [["d", 0, 0]]}}
    rebuilt = run_script(to_python(config))
    assert rebuilt.count_params() == 3 * 2 + 2


def test_accepts_an_editor_graph(keras_is_engine):
    rebuilt = run_script(to_python(GRAPHS["cnn"]))
    assert rebuilt.count_params() == build_model(GRAPHS["cnn"]).count_params()


def test_rejects_non_models():
    with pytest.raises(ValueError):
        to_python({"class_name": "Dense", "config": {}})


SAMPLE = {"units": 3, "filters": 2, "kernel_size": 2, "rate": 0.5, "target_shape": [2, -1], "dims": [2, 1], "n": 2,
          "input_dim": 10, "output_dim": 3, "activation": "relu", "axes": 1, "stddev": 0.1,
          "layer": {"class_name": "LSTM", "config": {"units": 3}}}


def _entries():
    from engine.catalog import catalog

    return [entry for entry in catalog() if entry["inputs"] != 0]


@pytest.mark.parametrize("entry", _entries(), ids=lambda entry: entry["name"])
def test_every_layer_round_trips_through_the_script(entry, keras_is_engine):
    from engine.graph import validate

    params = {p["name"]: SAMPLE[p["name"]] for p in entry["params"] if p["required"]}
    for shape in ([8], [6, 4], [8, 8, 3], [6, 6, 6, 2]):
        inputs = [n("a", "Input", shape=shape)] + ([n("b", "Input", shape=shape)] if entry["inputs"] == "many" else [])
        graph = {"nodes": [*inputs, n("x", entry["name"], **params)], "edges": [e(i["id"], "x") for i in inputs]}
        if validate(graph)["ok"]:
            break
    else:
        pytest.fail(f"no input shape fits {entry['name']}")
    model = build_model(graph)
    rebuilt = run_script(to_python(model))
    assert layer_signature(rebuilt) == layer_signature(model)
    assert rebuilt.count_params() == model.count_params()
