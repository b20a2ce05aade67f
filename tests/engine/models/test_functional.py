"""engine.models.functional: several inputs/outputs, shared layers, nested models, masks, summaries, errors."""

import json

import numpy as np
import pytest

from engine.backend import set_seed
from engine.layers import Add, Dense, Input, add, concatenate
from engine.models import Functional, Model, Sequential

from .cases import RNG, shared_model


def test_model_of_inputs_and_outputs_is_functional_with_keras_layer_order():
    model = shared_model()
    assert isinstance(model, Functional) and isinstance(model, Model)
    assert [layer.name for layer in model.layers] == ["in_a", "in_b", "shared_dense", "concat", "proj", "add",
                                                      "add_2", "out"]
    assert model.input_shape == [(None, 6), (None, 6)] and model.output_shape == (None, 3)
    assert len(model.inputs) == 2 and len(model.outputs) == 1


def test_shared_layer_shares_its_weights():
    model = shared_model()
    shared = model.get_layer("shared_dense")
    assert len(shared._inbound_nodes) == 2
    assert len(model.weights) == 6  # shared (2) + proj (2) + out (2): the shared kernel counted once
    assert model.count_params() == (6 * 8 + 8) + (16 * 8 + 8) + (8 * 3 + 3)
    xa, xb = RNG.normal(size=(4, 6)), RNG.normal(size=(4, 6))
    shared.kernel.assign(np.zeros((6, 8)))
    shared.bias.assign(np.ones(8))  # both branches now give relu(1) = 1 whatever the input
    p1 = model.predict([xa, xb])
    p2 = model.predict([xb, xa * 3])
    np.testing.assert_allclose(p1, p2, rtol=1e-6)


def test_two_inputs_merge_and_shared_layer_train():
    set_seed(0)
    model = shared_model()
    rng = np.random.default_rng(5)
    xa, xb = rng.normal(size=(256, 6)), rng.normal(size=(256, 6))
    y = np.argmax(xa[:, :3] + xb[:, :3], axis=1)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = model.get_layer("shared_dense").kernel.numpy()
    history = model.fit([xa, xb], y, epochs=40, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.8
    assert not np.allclose(before, model.get_layer("shared_dense").kernel.numpy())
    # dict inputs keyed by Input names work too
    np.testing.assert_allclose(model.predict({"in_a": xa[:5], "in_b": xb[:5]}), model.predict([xa[:5], xb[:5]]))


def test_multi_output_losses_loss_weights_and_logs():
    set_seed(0)
    inp = Input((4,), name="x")
    h = Dense(16, activation="relu")(inp)
    cls = Dense(3, activation="softmax", name="cls")(h)
    reg = Dense(1, name="reg")(h)
    model = Model(inp, [cls, reg])
    x = RNG.normal(size=(128, 4))
    y_cls, y_reg = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0), x[:, 2:3] * 2
    model.compile(optimizer="adam", loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
                  loss_weights={"cls": 1.0, "reg": 0.5}, metrics={"cls": ["accuracy"]})
    history = model.fit(x, {"cls": y_cls, "reg": y_reg}, epochs=3, batch_size=32, verbose=0)
    assert set(history.history) == {"loss", "cls_loss", "reg_loss", "cls_accuracy"}
    logs = model.evaluate(x, [y_cls, y_reg], verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["cls_loss"] + 0.5 * logs["reg_loss"], rel=1e-4)
    assert model.metrics_names == ["loss", "cls_loss", "reg_loss", "cls_accuracy"]
    preds = model.predict(x[:7])
    assert isinstance(preds, list) and [p.shape for p in preds] == [(7, 3), (7, 1)]
    model.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[0.0, 1.0])
    logs = model.evaluate(x, [y_cls, y_reg], verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["reg_loss"], rel=1e-5)


def test_nested_models_used_as_layers():
    encoder = Sequential([Input((5,)), Dense(4, activation="relu")], name="encoder")
    inner_in = Input((4,))
    head = Model(inner_in, Dense(2)(inner_in), name="head")
    a, b = Input((5,)), Input((5,))
    ea, eb = encoder(a), encoder(b)  # a nested model shared by two inputs
    out = head(Add()([ea, eb]))
    model = Model([a, b], out)
    assert model.output_shape == (None, 2)
    assert model.count_params() == encoder.count_params() + head.count_params()
    xa, xb = RNG.normal(size=(3, 5)), RNG.normal(size=(3, 5))
    want = head.predict(encoder.predict(xa) + encoder.predict(xb))
    np.testing.assert_allclose(model.predict([xa, xb]), want, rtol=1e-5, atol=1e-6)
    config = json.loads(json.dumps(model.get_config()))
    assert {e["class_name"] for e in config["layers"]} >= {"Sequential", "Functional"}
    clone = Model.from_config(config)
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict([xa, xb]), want, rtol=1e-5, atol=1e-6)


def test_feature_extraction_from_an_intermediate_output():
    inp = Input((3,))
    hidden = Dense(4, name="hidden")(inp)
    model = Model(inp, Dense(1)(hidden))
    features = Model(model.inputs, model.get_layer("hidden").output)
    x = RNG.normal(size=(2, 3))
    np.testing.assert_allclose(features.predict(x), x @ model.get_layer("hidden").kernel.numpy(), rtol=1e-5,
                               atol=1e-6)


def test_summary_has_connected_to_column():
    lines = []
    shared_model().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Connected to" in text and "in_a[0][0]" in text and "shared_dense[1][0]" in text
    assert "(None, 16)" in text and " Total params: 219 (876.00 B)" in lines


def test_errors_for_bad_graphs_and_bad_inputs():
    a, b = Input((3,)), Input((3,))
    out = Dense(2)(Add()([a, b]))
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(a, out)
    with pytest.raises(ValueError, match="must be KerasTensors"):
        Model(a, np.zeros(3))
    model = Model([a, b], out)
    with pytest.raises(ValueError, match="expects 2 input"):
        model.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        model.predict([np.zeros((4, 5)), np.zeros((4, 5))])


def test_functional_merge_spellings():
    a, b = Input((3,)), Input((3,))
    model = Model([a, b], concatenate([add([a, b]), a], axis=-1))
    x = RNG.normal(size=(2, 3))
    np.testing.assert_allclose(model.predict([x, 2 * x]), np.concatenate([3 * x, x], axis=-1), rtol=1e-6)


def test_from_graph_builds_the_editor_graph():
    graph = {"nodes": [{"id": "in", "layer": "Input", "params": {"shape": [4]}},
                       {"id": "h", "layer": "Dense", "params": {"units": 5, "activation": "relu"}},
                       {"id": "out", "layer": "Dense", "params": {"units": 2, "activation": "softmax"}}],
             "edges": [{"source": "in", "target": "h"}, {"source": "h", "target": "out"}]}
    model = Model.from_graph(graph)
    assert isinstance(model, Functional) and model.output_shape == (None, 2)
    assert model.count_params() == 4 * 5 + 5 + 5 * 2 + 2


def test_masks_flow_through_sequential_and_functional_models():
    from engine.layers import LSTM, Embedding

    seq = Sequential([Input((5,), dtype="int32"), Embedding(10, 4, mask_zero=True), LSTM(3)])
    short = Sequential([Input((2,), dtype="int32"), Embedding(10, 4, mask_zero=True), LSTM(3)])
    short.set_weights(seq.get_weights())
    inp = Input((5,), dtype="int32")
    func = Model(inp, LSTM(3)(Embedding(10, 4, mask_zero=True)(inp)))
    func.set_weights(seq.get_weights())
    padded, trimmed = np.array([[1, 2, 0, 0, 0], [3, 4, 5, 6, 0]]), np.array([[1, 2], [3, 4]])
    want = short.predict(trimmed)[0]
    np.testing.assert_allclose(seq.predict(padded)[0], want, rtol=1e-5, atol=1e-7)  # padding ignored
    np.testing.assert_allclose(func.predict(padded)[0], want, rtol=1e-5, atol=1e-7)
