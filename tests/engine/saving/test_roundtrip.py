"""save → load gives the same predictions and the same next training step, for every layer type,
Sequential and functional models (several inputs, merges, shared layers), and subclassed models (weights)."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

from engine import layers as L
from engine.backend import set_seed
from engine.models import Model, Sequential
from engine.saving import load_model, load_weights, model_from_json, model_to_json, save_weights


def _layer(name):
    return getattr(L, name)


def _seq(shape, *layers):
    return Sequential([L.Input(shape=shape), *layers])


def rng_data(shape, kind="float", high=10):
    r = np.random.default_rng(0)
    if kind == "int":
        return r.integers(0, high, size=shape).astype("int32")
    return r.standard_normal(shape).astype("float32")


# name → (builder, x shape, x kind, loss, y shape)
CASES = {
    "dense_mlp": (lambda: _seq((5,), L.Dense(8, activation="relu"), L.Dense(3, activation="softmax")),
                  (6, 5), "float", "categorical_crossentropy", (6, 3)),
    "dense_act_dropout": (lambda: _seq((5,), L.Dense(8), L.Activation("tanh"), L.Dropout(0.3), L.LeakyReLU(0.2),
                                       L.Dense(4), L.ReLU(), L.ELU(), L.Dense(2), L.Softmax()),
                          (6, 5), "float", "categorical_crossentropy", (6, 2)),
    "normalization_mlp": (lambda: _seq((5,), L.Normalization(mean=[1.0, -2.0, 0.0, 3.0, 10.0],
                                                             variance=[4.0, 1.0, 0.5, 9.0, 100.0]),
                                       L.Dense(4, activation="relu"), L.Dense(1)),
                          (6, 5), "float", "mean_squared_error", (6, 1)),
    "reshape_flatten": (lambda: _seq((12,), L.Reshape((3, 4)), L.Dense(5), L.Flatten(), L.Dense(1)),
                        (6, 12), "float", "mean_squared_error", (6, 1)),
    "conv2d_bn_pool": (lambda: _seq((8, 8, 2), _layer("Conv2D")(4, 3, padding="same", activation="relu"),
                                    _layer("BatchNormalization")(), _layer("MaxPooling2D")(2),
                                    _layer("Conv2D")(3, (2, 3), strides=(1, 2)), _layer("AveragePooling2D")((2, 1)),
                                    L.Flatten(), L.Dense(2, activation="softmax")),
                       (4, 8, 8, 2), "float", "categorical_crossentropy", (4, 2)),
    "conv1d_global_pool": (lambda: _seq((10, 3), _layer("Conv1D")(4, 3, activation="relu"),
                                        _layer("MaxPooling1D")(2), _layer("GlobalAveragePooling1D")(),
                                        L.Dense(1)),
                           (5, 10, 3), "float", "mean_squared_error", (5, 1)),
    "embedding_lstm": (lambda: _seq((7,), _layer("Embedding")(12, 4), _layer("LSTM")(5), L.Dense(1, "sigmoid")),
                       (6, 7), "int", "binary_crossentropy", (6, 1)),
    "gru_simplernn": (lambda: _seq((6, 3), _layer("GRU")(4, return_sequences=True), _layer("SimpleRNN")(3),
                                   L.Dense(2)),
                      (5, 6, 3), "float", "mean_absolute_error", (5, 2)),
    "layernorm_globalmax": (lambda: _seq((6, 6, 2), _layer("Conv2D")(3, 2), _layer("LayerNormalization")(),
                                         _layer("GlobalMaxPooling2D")(), L.Dense(2)),
                            (4, 6, 6, 2), "float", "mean_squared_error", (4, 2)),
    "conv_variants": (lambda: _seq((6, 6, 2), L.ZeroPadding2D(1), L.DepthwiseConv2D(3, depth_multiplier=2),
                                   L.SeparableConv2D(3, 2, padding="same"), L.Conv2DTranspose(2, 2, strides=2),
                                   L.Cropping2D(((1, 2), (0, 1))), L.UpSampling2D(2),
                                   L.UpSampling2D((2, 1), interpolation="bilinear"), L.AveragePooling2D(3),
                                   L.Flatten(), L.Dense(2)),
                      (3, 6, 6, 2), "float", "mean_squared_error", (3, 2)),
    "volumes_3d": (lambda: _seq((4, 6, 6, 2), L.Conv3D(4, (2, 3, 3), padding="same", activation="relu"),
                                L.MaxPooling3D((1, 2, 2)), L.AveragePooling3D(2), L.Conv3D(2, 1, groups=2),
                                L.GlobalMaxPooling3D(keepdims=True), L.GlobalAveragePooling3D(), L.Dense(2)),
                   (3, 4, 6, 6, 2), "float", "mean_squared_error", (3, 2)),
    "sequence_wrappers": (lambda: _seq((5, 3), L.ZeroPadding1D(1), L.Cropping1D((0, 1)), L.UpSampling1D(2),
                                       L.Conv1DTranspose(3, 3, strides=2, padding="same", output_padding=1),
                                       L.Bidirectional(L.LSTM(3, return_sequences=True)),
                                       L.TimeDistributed(L.Dense(2)), L.Permute((2, 1)), L.GlobalMaxPooling1D(),
                                       L.RepeatVector(2), L.Bidirectional(L.GRU(2), merge_mode="sum"),
                                       L.Dense(1)),
                          (4, 5, 3), "float", "mean_squared_error", (4, 1)),
}


def _functional_shared():
    a, b = L.Input(shape=(6,), name="in_a"), L.Input(shape=(6,), name="in_b")
    shared = L.Dense(8, activation="relu", name="shared_dense")
    ha, hb = shared(a), shared(b)
    proj = L.Dense(8, activation="tanh", name="proj")(_layer("Concatenate")(name="concat")([ha, hb]))
    summed = _layer("Add")(name="add")([ha, hb])
    merged = _layer("Add")(name="add_2")([proj, summed])
    mixed = _layer("Multiply")()([merged, _layer("Subtract")()([proj, summed])])
    mixed = _layer("Average")()([mixed, _layer("Maximum")()([proj, _layer("Minimum")()([ha, hb])])])
    dot = L.Dot(axes=1)([ha, hb])
    mixed = _layer("Concatenate")()([mixed, dot])
    out = L.Dense(3, activation="softmax", name="out")(mixed)
    return Model(inputs=[a, b], outputs=out, name="functional_shared")


def _functional_two_outputs():
    x = L.Input(shape=(4,), name="x")
    h = L.Dense(6, activation="relu")(x)
    return Model(inputs=x, outputs=[L.Dense(1, name="reg")(h), L.Dense(2, activation="softmax", name="cls")(h)])


def _train_step(model, x, y, seed=1):
    set_seed(seed)
    return model.train_on_batch(x, y)


def _assert_same_step(m1, m2, x, y):
    l1, l2 = _train_step(m1, x, y), _train_step(m2, x, y)
    np.testing.assert_allclose(np.asarray(l1, dtype=np.float64), np.asarray(l2, dtype=np.float64), rtol=1e-6)
    for w1, w2 in zip(m1.get_weights(), m2.get_weights(), strict=True):
        np.testing.assert_allclose(w1, w2, rtol=1e-6, atol=1e-7)
    assert int(m1.optimizer.iterations) == int(m2.optimizer.iterations)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("optimizer", ["adam"])
def test_sequential_roundtrip_every_layer(tmp_path, case, optimizer):
    build, xshape, kind, loss, yshape = CASES[case]
    set_seed(0)
    model = build()
    x = rng_data(xshape, kind, high=12)
    y = np.abs(rng_data(yshape)) if loss != "categorical_crossentropy" else \
        np.eye(yshape[1], dtype="float32")[np.arange(yshape[0]) % yshape[1]]
    if loss == "binary_crossentropy":
        y = (y > 0.5).astype("float32")
    model.compile(optimizer=optimizer, loss=loss, metrics=["mae"])
    _train_step(model, x, y, seed=3)
    path = tmp_path / "m.h5"
    model.save(path)
    loaded = load_model(path)
    assert type(loaded).__name__ == "Sequential"
    assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__ for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    _assert_same_step(model, loaded, x, y)


@pytest.mark.parametrize("optimizer", [
    "sgd", {"class_name": "SGD", "config": {"learning_rate": 0.05, "momentum": 0.9}}, "rmsprop", "adagrad",
    "adadelta", "adamax", "nadam", "adamw", {"class_name": "Adam", "config": {"amsgrad": True}},
    {"class_name": "RMSprop", "config": {"momentum": 0.5, "centered": True}}])
def test_optimizer_state_resumes_exactly(tmp_path, optimizer):
    from engine import optimizers

    set_seed(0)
    model = CASES["dense_mlp"][0]()
    x, y = rng_data((6, 5)), np.eye(3, dtype="float32")[np.arange(6) % 3]
    model.compile(optimizer=optimizers.get(optimizer), loss="categorical_crossentropy")
    for _ in range(3):
        _train_step(model, x, y)
    model.save(tmp_path / "m.h5")
    loaded = load_model(tmp_path / "m.h5")
    assert type(loaded.optimizer) is type(model.optimizer)
    _assert_same_step(model, loaded, x, y)


def test_functional_multi_input_merges_shared(tmp_path):
    set_seed(0)
    model = _functional_shared()
    xa, xb = rng_data((5, 6)), rng_data((5, 6)) * 0.5
    y = np.eye(3, dtype="float32")[np.arange(5) % 3]
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    _train_step(model, [xa, xb], y)
    model.save(tmp_path / "f.h5")
    with h5py.File(tmp_path / "f.h5", "r") as f:
        config = json.loads(f.attrs["model_config"])
        names = [n.decode() if isinstance(n, bytes) else n for n in f["model_weights"].attrs["layer_names"]]
    assert config["class_name"] == "Functional"
    shared = next(e for e in config["config"]["layers"] if e["name"] == "shared_dense")
    assert len(shared["inbound_nodes"]) == 2  # one node per call of the shared layer
    assert names[:2] == ["in_a", "in_b"]  # functional models list their InputLayers
    loaded = load_model(tmp_path / "f.h5")
    assert len(loaded.weights) == len(model.weights)
    np.testing.assert_array_equal(loaded.predict([xa, xb], verbose=0), model.predict([xa, xb], verbose=0))
    _assert_same_step(model, loaded, [xa, xb], y)


def test_functional_two_outputs(tmp_path):
    set_seed(0)
    model = _functional_two_outputs()
    x = rng_data((6, 4))
    ys = [rng_data((6, 1)), np.eye(2, dtype="float32")[np.arange(6) % 2]]
    model.compile(optimizer="adam", loss=["mse", "categorical_crossentropy"], loss_weights=[0.5, 2.0])
    _train_step(model, x, ys)
    model.save(tmp_path / "two.h5")
    with h5py.File(tmp_path / "two.h5", "r") as f:
        tc = json.loads(f.attrs["training_config"])
    assert tc["loss"] == ["mean_squared_error", "categorical_crossentropy"]  # no aliases (Keras 3 refuses them)
    assert tc["loss_weights"] == [0.5, 2.0]
    loaded = load_model(tmp_path / "two.h5")
    for a, b in zip(loaded.predict(x, verbose=0), model.predict(x, verbose=0), strict=True):
        np.testing.assert_array_equal(a, b)
    _assert_same_step(model, loaded, x, ys)


def test_uncompiled_model_and_json(tmp_path):
    set_seed(0)
    model = _functional_shared()
    model.save(tmp_path / "plain.h5")
    with h5py.File(tmp_path / "plain.h5", "r") as f:
        assert "training_config" not in f.attrs and "optimizer_weights" not in f
    loaded = load_model(tmp_path / "plain.h5")
    x = [rng_data((3, 6)), rng_data((3, 6))]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    text = model_to_json(model)
    again = model_from_json(text)
    assert json.loads(model_to_json(again))["config"] == json.loads(text)["config"]
    assert [w.shape for w in again.weights] == [w.shape for w in model.weights]


class _Subclassed(Model):
    def __init__(self):
        super().__init__(name="sub")
        self.hidden = L.Dense(7, activation="relu")
        self.out = L.Dense(2)

    def call(self, inputs, training=None):
        return self.out(self.hidden(inputs))


def test_subclassed_weights_only(tmp_path):
    set_seed(0)
    model = _Subclassed()
    x = rng_data((4, 3))
    y1 = model.predict(x, verbose=0)
    with pytest.raises(ValueError, match="subclassed"):
        model.save(tmp_path / "sub.h5")
    save_weights(model, tmp_path / "sub.weights.h5")
    other = _Subclassed()
    other.predict(x, verbose=0)  # builds fresh weights
    assert not np.allclose(other.predict(x, verbose=0), y1)
    load_weights(other, tmp_path / "sub.weights.h5")
    np.testing.assert_array_equal(other.predict(x, verbose=0), y1)


def test_weights_file_and_full_file_load_weights(tmp_path):
    set_seed(0)
    model = CASES["dense_mlp"][0]()
    x = rng_data((4, 5))
    model.save_weights(tmp_path / "w.weights.h5")  # Keras 3 layout
    model.save_weights(tmp_path / "w_legacy.h5")  # Keras' legacy layout
    model.save(tmp_path / "full.h5")
    with h5py.File(tmp_path / "w.weights.h5", "r") as f:
        assert "layers/dense/vars/0" in f and "layer_names" not in f.attrs
    with h5py.File(tmp_path / "w_legacy.h5", "r") as f:
        assert "layer_names" in f.attrs
    for path in ("w.weights.h5", "w_legacy.h5", "full.h5"):
        set_seed(1)
        fresh = CASES["dense_mlp"][0]()
        fresh.load_weights(tmp_path / path)
        np.testing.assert_array_equal(fresh.predict(x, verbose=0), model.predict(x, verbose=0))


def test_saved_file_has_keras_layout(tmp_path):
    set_seed(0)
    model = CASES["conv2d_bn_pool"][0]()
    model.compile(optimizer="adam", loss="mse")
    model.save(tmp_path / "k.h5")
    with h5py.File(tmp_path / "k.h5", "r") as f:
        for key in ("keras_version", "backend", "model_config", "training_config"):
            assert key in f.attrs
        config = json.loads(f.attrs["model_config"])
        layers = config["config"]["layers"]
        assert layers[0]["class_name"] == "InputLayer" and layers[0]["config"]["batch_shape"] == [None, 8, 8, 2]
        assert config["config"]["build_input_shape"] == [None, 8, 8, 2]
        assert all("batch_input_shape" not in e["config"] for e in layers)
        assert json.loads(f.attrs["training_config"])["loss"] == "mean_squared_error"
        assert "loss_weights" in json.loads(f.attrs["training_config"])
        mw = f["model_weights"]
        names = [n.decode() if isinstance(n, bytes) else n for n in mw.attrs["layer_names"]]
        assert names == [layer.name for layer in model.layers]
        conv = mw[names[0]]
        wn = [n.decode() if isinstance(n, bytes) else n for n in conv.attrs["weight_names"]]
        assert conv[wn[0]].shape == (3, 3, 2, 4) and conv[wn[1]].shape == (4,)  # HWIO kernel
        bn = mw[names[1]]
        assert len(bn.attrs["weight_names"]) == 4  # gamma, beta, moving_mean, moving_variance


def test_nested_sequential_in_functional(tmp_path):
    set_seed(0)
    inner = Sequential([L.Input(shape=(4,)), L.Dense(5, activation="relu"), L.Dense(3)], name="inner")
    x = L.Input(shape=(4,), name="x")
    out = L.Dense(2, name="head")(L.Concatenate()([inner(x), x]))
    model = Model(inputs=x, outputs=out, name="outer")
    data = rng_data((5, 4))
    model.compile(optimizer="adam", loss="mse")
    _train_step(model, data, rng_data((5, 2)))
    model.save(tmp_path / "nested.h5")
    loaded = load_model(tmp_path / "nested.h5")
    assert any(type(layer).__name__ == "Sequential" for layer in loaded.layers)
    np.testing.assert_array_equal(loaded.predict(data, verbose=0), model.predict(data, verbose=0))
    _assert_same_step(model, loaded, data, rng_data((5, 2)))


def test_model_checkpoint_writes_loadable_h5(tmp_path):
    from engine.callbacks import ModelCheckpoint

    set_seed(0)
    model = CASES["dense_mlp"][0]()
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x, y = rng_data((8, 5)), np.eye(3, dtype="float32")[np.arange(8) % 3]
    model.fit(x, y, epochs=2, batch_size=4, verbose=0,
              callbacks=[ModelCheckpoint(str(tmp_path / "ckpt_{epoch:02d}.h5"), monitor="loss")])
    last = load_model(tmp_path / "ckpt_02.h5")
    np.testing.assert_array_equal(last.predict(x, verbose=0), model.predict(x, verbose=0))
    assert int(last.optimizer.iterations) == int(model.optimizer.iterations) == 4


def _legacy_file(path, config, weights, training_config=None):
    """A file as old Keras writes it: fixed-length byte strings, ':0' names, no top_level group."""
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.4.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        if training_config is not None:
            f.attrs["training_config"] = json.dumps(training_config).encode()
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([name.encode() for name, _ in weights], dtype="S")
        for name, arrays in weights:
            lg = g.create_group(name)
            names = [f"{name}/w{i}:0" for i in range(len(arrays))]
            lg.attrs["weight_names"] = np.array([n.encode() for n in names], dtype="S") if names else np.asarray([])
            for n, a in zip(names, arrays, strict=True):
                lg[n] = a


def test_keras2_legacy_config_keys(tmp_path):
    """batch_input_shape on the first layer (no InputLayer), time_major/implementation on LSTM/GRU,
    Embedding input_length, LeakyReLU alpha, dtype strings, 'Custom>Adam', Keras 2 metrics and loss dicts."""
    r = np.random.default_rng(0)
    emb = r.standard_normal((9, 4)).astype("float32")
    lstm = [r.standard_normal((4, 12)).astype("float32") * 0.3, r.standard_normal((3, 12)).astype("float32") * 0.3,
            r.standard_normal(12).astype("float32") * 0.1]
    gru = [r.standard_normal((3, 6)).astype("float32") * 0.3, r.standard_normal((2, 6)).astype("float32") * 0.3,
           r.standard_normal(6).astype("float32") * 0.1]
    dense = [r.standard_normal((2, 1)).astype("float32"), np.zeros(1, "float32")]
    rnn = {"return_sequences": False, "return_state": False, "go_backwards": False, "stateful": False,
           "unroll": False, "time_major": False, "implementation": 2, "dtype": "float32", "trainable": True}
    config = {"class_name": "Sequential", "config": {"name": "old", "layers": [
        {"class_name": "Embedding", "config": {"name": "emb", "batch_input_shape": [None, 5], "dtype": "float32",
                                               "input_dim": 9, "output_dim": 4, "input_length": 5,
                                               "mask_zero": False, "embeddings_initializer": {
                                                   "class_name": "RandomUniform", "config": {"seed": None}}}},
        {"class_name": "LSTM", "config": {**rnn, "name": "lstm", "units": 3, "return_sequences": True,
                                          "activation": "tanh", "recurrent_activation": "sigmoid"}},
        {"class_name": "GRU", "config": {**rnn, "name": "gru", "units": 2, "reset_after": False}},
        {"class_name": "LeakyReLU", "config": {"name": "leaky", "alpha": 0.25, "dtype": "float32"}},
        {"class_name": "Dense", "config": {"name": "out", "units": 1, "activation": "linear",
                                           "dtype": {"class_name": "Policy", "config": {"name": "float32"}}}}]}}
    training = {"loss": {"class_name": "MeanSquaredError",
                         "config": {"reduction": "auto", "name": "mean_squared_error"}},
                "metrics": [[{"class_name": "MeanMetricWrapper",
                              "config": {"name": "mae", "fn": "mean_absolute_error"}}]],
                "loss_weights": None, "optimizer_config": {"class_name": "Custom>Adam", "config": {
                    "name": "Adam", "learning_rate": 0.01, "is_legacy_optimizer": False, "jit_compile": True}}}
    _legacy_file(tmp_path / "old.h5", config,
                 [("emb", [emb]), ("lstm", lstm), ("gru", gru), ("leaky", []), ("out", dense)], training)
    model = load_model(tmp_path / "old.h5")
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    x = r.integers(0, 9, (3, 5)).astype("int32")

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    # numpy reference (FORMAT.md section 8)
    seq = emb[x]
    h = np.zeros((3, 3), "float32")
    c = np.zeros((3, 3), "float32")
    outs = []
    for t in range(5):
        z = seq[:, t] @ lstm[0] + h @ lstm[1] + lstm[2]
        i, f, g, o = np.split(z, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        outs.append(h)
    hg = np.zeros((3, 2), "float32")
    for t in range(5):
        xz = outs[t] @ gru[0] + gru[2]
        zr = sigmoid(xz[:, :4] + hg @ gru[1][:, :4])
        zg, rg = zr[:, :2], zr[:, 2:]
        n = np.tanh(xz[:, 4:] + (rg * hg) @ gru[1][:, 4:])
        hg = zg * hg + (1 - zg) * n
    act = np.where(hg >= 0, hg, 0.25 * hg)
    expected = act @ dense[0] + dense[1]
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, atol=1e-5)


def test_keras2_functional_list_nodes(tmp_path):
    """Keras 2 functional config: class_name 'Model', list-style inbound_nodes, input/output lists."""
    r = np.random.default_rng(1)
    k = r.standard_normal((3, 2)).astype("float32")
    config = {"class_name": "Model", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "name": "a", "inbound_nodes": [],
         "config": {"batch_input_shape": [None, 3], "dtype": "float32", "name": "a"}},
        {"class_name": "InputLayer", "name": "b", "inbound_nodes": [],
         "config": {"batch_input_shape": [None, 3], "dtype": "float32", "name": "b"}},
        {"class_name": "Dense", "name": "shared", "config": {"name": "shared", "units": 2, "use_bias": False},
         "inbound_nodes": [[["a", 0, 0, {}]], [["b", 0, 0, {}]]]},
        {"class_name": "Subtract", "name": "sub", "config": {"name": "sub"},
         "inbound_nodes": [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]]}],
        "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["sub", 0, 0]]}}
    _legacy_file(tmp_path / "f.h5", config, [("a", []), ("b", []), ("shared", [k]), ("sub", [])])
    model = load_model(tmp_path / "f.h5")
    xa, xb = r.standard_normal((4, 3)).astype("float32"), r.standard_normal((4, 3)).astype("float32")
    np.testing.assert_allclose(model.predict([xa, xb], verbose=0), xa @ k - xb @ k, atol=1e-5)


@pytest.mark.gpu
def test_gpu_model_saves_and_loads(tmp_path):
    """Weights and optimizer slots on the GPU are written from host copies and loaded back onto the device."""
    from engine import backend

    previous = backend.device_name()
    try:
        backend.set_device("gpu")
    except RuntimeError as e:
        pytest.skip(str(e))
    try:
        set_seed(0)
        model = CASES["dense_mlp"][0]()
        x, y = rng_data((6, 5)), np.eye(3, dtype="float32")[np.arange(6) % 3]
        model.compile(optimizer="adam", loss="categorical_crossentropy")
        _train_step(model, x, y)
        model.save(tmp_path / "gpu.h5")
        loaded = load_model(tmp_path / "gpu.h5")
        assert type(loaded.weights[0].data).__module__.startswith("cupy")
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
        _assert_same_step(model, loaded, x, y)
    finally:
        backend.set_device(previous)


def test_keras2_wrapped_layer_configs_are_normalized():
    """Keras 2 Bidirectional/TimeDistributed hold inner configs with legacy keys (time_major, dtype strings)."""
    inner = {"class_name": "LSTM", "config": {"name": "lstm", "units": 3, "time_major": False, "implementation": 2,
                                              "dtype": "float32", "return_sequences": True}}
    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4, 2], "dtype": "float32"}},
        {"class_name": "Bidirectional", "config": {"name": "bi", "layer": inner, "merge_mode": "concat"}},
        {"class_name": "TimeDistributed", "config": {"name": "td", "layer": {
            "class_name": "Dense", "config": {"name": "d", "units": 2, "dtype": {
                "class_name": "Policy", "config": {"name": "float32"}}}}}}]}}
    model = model_from_json(json.dumps(config))
    assert model.predict(np.zeros((1, 4, 2), "float32"), verbose=0).shape == (1, 4, 2)
