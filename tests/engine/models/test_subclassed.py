"""Subclassed models: ``__init__`` + ``call(inputs, training=None)``, sub-layers found as attributes."""

import numpy as np
import pytest

from engine.backend import set_seed
from engine.layers import Dense, Dropout, Input
from engine.models import Model, Sequential


class SimpleMLP(Model):
    """The Keras-guide pattern: layers as attributes, a training flag passed down to Dropout."""

    def __init__(self, use_dropout=True):
        super().__init__(name="simple_mlp")
        self.hidden = Dense(32, activation="relu")
        self.dropout = Dropout(0.5)
        self.out = Dense(1, activation="sigmoid")
        self.use_dropout = use_dropout

    def call(self, inputs, training=None):
        x = self.hidden(inputs)
        if self.use_dropout:
            x = self.dropout(x, training=training)
        return self.out(x)


class Blocks(Model):
    """Layers kept in a list and a nested Sequential are tracked too."""

    def __init__(self):
        super().__init__()
        self.blocks = [Dense(8, activation="tanh"), Dense(8, activation="tanh")]
        self.head = Sequential([Dense(2)])

    def call(self, inputs):
        for block in self.blocks:
            inputs = block(inputs)
        return self.head(inputs)


def test_layers_are_tracked_and_built_on_first_call():
    model = SimpleMLP()
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "Dropout", "Dense"]
    assert model.weights == []
    out = model(np.ones((4, 10)))
    assert out.shape == (4, 1)
    assert [tuple(w.shape) for w in model.weights] == [(10, 32), (32,), (32, 1), (1,)]
    assert model.count_params() == 10 * 32 + 32 + 33


def test_training_flag_reaches_dropout():
    model = SimpleMLP()
    x = np.ones((64, 10), dtype="float32")
    np.testing.assert_array_equal(model(x).numpy(), model(x, training=False).numpy())
    assert not np.allclose(model(x, training=True).numpy(), model(x).numpy())


def test_lists_and_nested_models_are_tracked():
    model = Blocks()
    model.build((None, 5))
    assert len(model.weights) == 6 and len(model.trainable_weights) == 6
    assert model.compute_output_shape((None, 5)) == (None, 2)


def test_subclassed_model_trains_with_binary_crossentropy():
    set_seed(3)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(400, 10)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] - x[:, 2] > 0).astype("float32")
    model = SimpleMLP()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x[:300], y[:300], epochs=40, batch_size=32, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, acc = model.evaluate(x[300:], y[300:], verbose=0)
    assert acc >= 0.85
    assert model.predict(x[300:]).shape == (100, 1)


def test_summary_and_symbolic_use():
    model = Blocks()
    lines = []
    model.summary(print_fn=lines.append)  # before building: layers listed, unbuilt
    assert any("unbuilt" in line for line in lines)
    model.build((None, 5))
    lines = []
    model.summary(print_fn=lines.append)
    assert " Total params: 138 (552.00 B)" in lines
    assert any("(None, 8)" in line for line in lines)  # shapes from build() in subclassed models
    inp = Input((5,))
    wrapper = Model(inp, model(inp))
    assert wrapper.output_shape == (None, 2) and wrapper.count_params() == 138


def test_missing_call_and_freezing():
    class NoCall(Model):
        pass

    with pytest.raises(NotImplementedError, match="must implement `call"):
        NoCall()(np.ones((1, 2)))
    model = Blocks()
    model.build((None, 3))
    model.blocks[0].trainable = False
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 2
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 6


def test_subclassed_model_with_two_outputs_and_per_output_losses():
    class TwoHeads(Model):
        def __init__(self):
            super().__init__()
            self.body = Dense(8, activation="relu")
            self.cls = Dense(2, activation="softmax")
            self.reg = Dense(1)

        def call(self, inputs):
            h = self.body(inputs)
            return [self.cls(h), self.reg(h)]

    set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3))
    model = TwoHeads()
    model.compile(optimizer="adam", loss=["sparse_categorical_crossentropy", "mse"], loss_weights=[1.0, 0.1],
                  metrics=[["accuracy"], []])
    history = model.fit(x, [(x[:, 0] > 0).astype(int), x[:, 1:2]], epochs=2, verbose=0)
    assert set(history.history) == {"loss", "output_1_loss", "output_2_loss", "output_1_accuracy"}
    assert [p.shape for p in model.predict(x[:4])] == [(4, 2), (4, 1)]


def test_single_output_accepts_a_one_element_loss_list():
    model = SimpleMLP(use_dropout=False)
    model.compile(optimizer="sgd", loss=["binary_crossentropy"])
    x = np.ones((8, 3))
    assert np.isfinite(model.fit(x, np.ones(8), verbose=0).history["loss"][0])
