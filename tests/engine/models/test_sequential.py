"""engine.models.Sequential: building (list, add, input_dim/input_shape/Input), summary, config, weights."""

import json

import numpy as np
import pytest

from engine.backend import set_seed
from engine.layers import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape
from engine.models import Model, Sequential, model_from_json

RNG = np.random.default_rng(0)


def tutorial_model():
    """The Keras guide's first model, exactly as written there (only the import changed)."""
    model = Sequential([
        Dense(64, input_dim=100),
        Activation("relu"),
        Dense(10),
        Activation("softmax"),
    ])
    return model


def test_list_form_with_input_dim_is_built_at_once():
    model = tutorial_model()
    assert model.built and model.input_shape == (None, 100) and model.output_shape == (None, 10)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Activation", "Dense", "Activation"]
    assert model.count_params() == 100 * 64 + 64 + 64 * 10 + 10
    assert [w.shape for w in model.get_weights()] == [(100, 64), (64,), (64, 10), (10,)]


@pytest.mark.parametrize("first", ["input_shape", "Input", "InputLayer", "batch_input_shape"])
def test_add_form_and_every_way_to_give_the_input_shape(first):
    model = Sequential()
    if first == "input_shape":
        model.add(Dense(8, input_shape=(4,)))
    else:
        model.add({"Input": lambda: Input(shape=(4,)), "InputLayer": lambda: InputLayer(shape=(4,)),
                   "batch_input_shape": lambda: InputLayer(batch_input_shape=(None, 4))}[first]())
        model.add(Dense(8))
    model.add(Dense(3, activation="softmax"))
    assert model.built and model.output_shape == (None, 3) and len(model.layers) == 2
    assert model.predict(RNG.normal(size=(5, 4))).shape == (5, 3)


def test_without_input_shape_the_model_builds_on_first_use():
    model = Sequential([Dense(5, activation="relu"), Dense(2)])
    assert not model.built and model.weights == []
    out = model.predict(np.ones((3, 7)))
    assert out.shape == (3, 2) and model.built and model.input_shape == (None, 7)
    assert model.layers[0].kernel.shape == (7, 5)


def test_predict_is_batched_numpy_float32_and_matches_call():
    model = tutorial_model()
    x = RNG.normal(size=(70, 100))
    out = model.predict(x, batch_size=16)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape == (70, 10)
    np.testing.assert_allclose(out, model(x).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), out[:5], rtol=1e-5, atol=1e-6)


def test_summary_is_a_keras_like_table():
    lines = []
    tutorial_model().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert lines[0].startswith('Model: "sequential')
    assert "Layer (type)" in text and "Output Shape" in text and "Param #" in text
    assert "(Dense)" in text and "(None, 64)" in text and "6,464" in text and "650" in text
    assert " Total params: 7,114 (27.79 KB)" in lines and " Trainable params: 7,114 (27.79 KB)" in lines
    assert " Non-trainable params: 0 (0.00 B)" in lines


def test_config_is_keras3_shaped_and_rebuilds_the_same_model():
    model = Sequential([Input((6,)), Dense(4, activation="relu", name="hidden"), Dropout(0.2), Dense(2)],
                       name="mlp")
    config = model.get_config()
    assert config["name"] == "mlp" and config["build_input_shape"] == [None, 6]
    assert [entry["class_name"] for entry in config["layers"]] == ["InputLayer", "Dense", "Dropout", "Dense"]
    assert config["layers"][0]["config"]["batch_shape"] == [None, 6]
    clone = Sequential.from_config(json.loads(json.dumps(config)))
    assert clone.get_config() == config
    clone.set_weights(model.get_weights())
    x = RNG.normal(size=(3, 6))
    np.testing.assert_allclose(clone.predict(x), model.predict(x), rtol=1e-6)
    again = model_from_json(model.to_json())
    assert isinstance(again, Sequential) and again.count_params() == model.count_params()


def test_set_weights_get_weights_and_errors():
    model = tutorial_model()
    weights = [np.full(w.shape, 0.01, dtype="float32") for w in model.get_weights()]
    model.set_weights(weights)
    for got, want in zip(model.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="expected 4 weight arrays"):
        model.set_weights(weights[:2])
    with pytest.raises(ValueError, match="expects shape"):
        model.set_weights([w.T for w in weights])


def test_get_layer_pop_and_bad_additions():
    model = Sequential([Input((3,)), Dense(4, name="a"), Dense(2, name="b")])
    assert model.get_layer("a") is model.layers[0] and model.get_layer(index=1).name == "b"
    with pytest.raises(ValueError, match=r"No such layer: c. Existing layers are: \['a', 'b'\]"):
        model.get_layer("c")
    popped = model.pop()
    assert popped.name == "b" and model.output_shape == (None, 4)
    with pytest.raises(ValueError, match="Only instances of"):
        model.add("dense")
    with pytest.raises(ValueError, match="unique names"):
        model.add(Dense(2, name="a"))
    with pytest.raises(ValueError, match="total size of the tensor must be unchanged"):
        Sequential([Input((3,)), Dense(4), Reshape((3,))])  # fails when added, as in Keras
    built = Dense(5)
    built(np.ones((1, 7)))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 7"):
        Sequential([Input((3,)), built])


def test_nested_sequential_and_flatten_pipeline():
    inner = Sequential([Dense(6, activation="relu"), Dense(3)], name="inner")
    model = Sequential([Input((2, 5)), Flatten(), inner, Activation("softmax")])
    assert model.output_shape == (None, 3)
    assert model.count_params() == 10 * 6 + 6 + 6 * 3 + 3
    assert len(model.trainable_weights) == 4
    assert model.predict(np.ones((4, 2, 5))).shape == (4, 3)


def test_keras_guide_example_trains_on_random_data():
    """keras.io guide: Dense(64, input_dim=100) ... categorical_crossentropy + adam, random data."""
    from engine.utils import to_categorical

    set_seed(1)
    data = np.random.random((1000, 100))
    labels = np.random.randint(10, size=(1000, 1))
    one_hot_labels = to_categorical(labels, num_classes=10)
    model = tutorial_model()
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(data, one_hot_labels, epochs=5, batch_size=32, verbose=0)
    assert len(history.history["loss"]) == 5 and history.history["loss"][-1] < history.history["loss"][0]
    assert set(history.history) == {"loss", "accuracy"}
    score = model.evaluate(data, one_hot_labels, batch_size=128, verbose=0)
    assert len(score) == 2 and 0 <= score[1] <= 1


def test_sequential_is_a_model_and_a_layer():
    model = tutorial_model()
    assert isinstance(model, Model)
    x = Input((100,))
    y = model(x)
    assert y.shape == (None, 10)
