"""ONNX export: onnxruntime runs the exported file and agrees with the engine within 1e-5."""

from __future__ import annotations

import numpy as np
import pytest

from engine import layers as L
from engine.backend import set_seed
from engine.export import to_onnx
from engine.models import Model, Sequential

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


def _seq(shape, *layers):
    return Sequential([L.Input(shape=shape), *layers])


def _shared():
    a, b = L.Input(shape=(6,), name="in_a"), L.Input(shape=(6,), name="in_b")
    shared = L.Dense(8, activation="relu", name="shared_dense")
    ha, hb = shared(a), shared(b)
    proj = L.Dense(8, activation="tanh", name="proj")(L.Concatenate(name="concat")([ha, hb]))
    merged = L.Add()([proj, L.Add()([ha, hb])])
    mixed = L.Average()([L.Multiply()([merged, L.Subtract()([proj, ha])]),
                         L.Maximum()([proj, L.Minimum()([ha, hb])])])
    return Model(inputs=[a, b], outputs=[L.Dense(3, activation="softmax", name="out")(mixed),
                                         L.Dense(1, name="aux")(merged)])


def _dot_model():
    a, b = L.Input(shape=(5,)), L.Input(shape=(5,))
    return Model(inputs=[a, b], outputs=L.Dense(1)(L.Dot(axes=1)([L.Dense(3)(a), L.Dense(3)(b)])))


def _trained_bn():
    model = _seq((9, 7, 2), L.Conv2D(4, (3, 2), padding="same", activation="relu"), L.BatchNormalization(),
                 L.MaxPooling2D(2), L.Conv2D(3, 2, strides=(2, 1), padding="same", activation="swish"),
                 L.AveragePooling2D(2, padding="same"), L.Flatten(), L.Dense(2, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x = np.random.default_rng(1).standard_normal((8, 9, 7, 2)).astype("float32")
    model.fit(x, np.eye(2, dtype="float32")[np.arange(8) % 2], epochs=2, batch_size=4, verbose=0)
    return model  # BatchNormalization has non-trivial moving statistics now


MODELS = {
    "dense_activations": (lambda: _seq((5,), L.Dense(8, activation="relu"), L.Dropout(0.3), L.Dense(6, "sigmoid"),
                                       L.LeakyReLU(0.1), L.Activation("gelu"), L.ReLU(max_value=0.5), L.ELU(),
                                       L.Dense(6, activation="selu"), L.Activation("softplus"),
                                       L.Reshape((2, 3)), L.Flatten(), L.Dense(3), L.Softmax()),
                          [(6, 5)], "float"),
    "conv2d_bn_pool": (_trained_bn, [(4, 9, 7, 2)], "float"),
    "conv1d_pool": (lambda: _seq((10, 3), L.Conv1D(4, 3, padding="causal", activation="relu"),
                                 L.Conv1D(4, 3, dilation_rate=2, padding="same"), L.MaxPooling1D(2),
                                 L.GlobalAveragePooling1D(), L.Dense(1)), [(5, 10, 3)], "float"),
    "embedding_lstm": (lambda: _seq((7,), L.Embedding(12, 4), L.LSTM(5, return_sequences=True), L.LSTM(3),
                                    L.Dense(1, activation="sigmoid")), [(6, 7)], "int"),
    "gru_simplernn": (lambda: _seq((6, 3), L.GRU(4, return_sequences=True),
                                   L.GRU(4, reset_after=False, return_sequences=True), L.SimpleRNN(3),
                                   L.Dense(2)), [(5, 6, 3)], "float"),
    "layernorm_globalmax": (lambda: _seq((6, 6, 2), L.Conv2D(3, 2), L.LayerNormalization(),
                                         L.GlobalMaxPooling2D(), L.Dense(2)), [(4, 6, 6, 2)], "float"),
    "functional_shared_merges": (_shared, [(5, 6), (5, 6)], "float"),
    "conv_variants": (lambda: _seq((6, 6, 2), L.ZeroPadding2D(((1, 0), (2, 1))),
                                   L.DepthwiseConv2D(3, depth_multiplier=2, activation="relu"),
                                   L.SeparableConv2D(3, 2, padding="same", depth_multiplier=2),
                                   L.Conv2DTranspose(2, 3, strides=2, padding="same"),
                                   L.Conv2DTranspose(2, 2, strides=1, activation="tanh"),
                                   L.Cropping2D(((1, 2), (0, 1))), L.UpSampling2D((2, 1)),
                                   L.UpSampling2D((1, 3), interpolation="bilinear"),
                                   L.AveragePooling2D(3, padding="same"), L.Flatten(), L.Dense(2)),
                      [(3, 6, 6, 2)], "float"),
    "sequence_wrappers": (lambda: _seq((5, 3), L.ZeroPadding1D(1), L.Cropping1D((0, 1)), L.UpSampling1D(2),
                                       L.Bidirectional(L.LSTM(3, return_sequences=True)),
                                       L.TimeDistributed(L.Dense(2)), L.Permute((2, 1)), L.GlobalMaxPooling1D(),
                                       L.RepeatVector(3), L.Bidirectional(L.GRU(2, return_sequences=True),
                                                                          merge_mode="sum"),
                                       L.Bidirectional(L.SimpleRNN(2), merge_mode="ave"), L.Dense(1)),
                          [(4, 5, 3)], "float"),
    "dot": (lambda: _dot_model(), [(4, 5), (4, 5)], "float"),
    "volumes_3d": (lambda: _seq((4, 6, 5, 2), L.Conv3D(6, (2, 3, 3), strides=(1, 2, 1), padding="same",
                                                       activation="relu"),
                                L.MaxPooling3D((2, 2, 2), padding="same"), L.AveragePooling3D((3, 2, 2), strides=1,
                                                                                               padding="same"),
                                L.Conv3D(3, 1, groups=3), L.GlobalMaxPooling3D(keepdims=True),
                                L.GlobalAveragePooling3D(), L.Dense(2)), [(3, 4, 6, 5, 2)], "float"),
    "conv1d_transpose": (lambda: _seq((5, 3), L.Conv1DTranspose(4, 3, strides=2, padding="same"),
                                      L.Conv1DTranspose(2, 2, dilation_rate=2, activation="tanh"), L.Flatten(),
                                      L.Dense(1)), [(4, 5, 3)], "float"),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_onnxruntime_matches_engine(tmp_path, name):
    build, shapes, kind = MODELS[name]
    set_seed(0)
    model = build()
    rng = np.random.default_rng(0)
    xs = [rng.integers(0, 12, s).astype("int32") if kind == "int" else rng.standard_normal(s).astype("float32")
          for s in shapes]
    expected = model.predict(xs[0] if len(xs) == 1 else xs, verbose=0)
    expected = expected if isinstance(expected, list) else [expected]
    path = to_onnx(model, tmp_path / f"{name}.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    types = {"tensor(float)": "float32", "tensor(int32)": "int32", "tensor(int64)": "int64"}
    feeds = {i.name: x.astype(types[i.type]) for i, x in zip(session.get_inputs(), xs, strict=True)}
    got = session.run(None, feeds)
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert g.shape == e.shape
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-5)


def test_dynamic_batch(tmp_path):
    set_seed(0)
    model = MODELS["dense_activations"][0]()
    session = ort.InferenceSession(str(to_onnx(model, tmp_path / "m.onnx")), providers=["CPUExecutionProvider"])
    for n in (1, 3, 17):
        x = np.random.default_rng(n).standard_normal((n, 5)).astype("float32")
        np.testing.assert_allclose(session.run(None, {session.get_inputs()[0].name: x})[0],
                                   model.predict(x, verbose=0), atol=1e-5)


def test_unsupported_layer_named(tmp_path):
    class Custom(L.Layer):
        def call(self, inputs):
            return inputs * 2.0

    model = _seq((3,), L.Dense(2), Custom(name="my_custom"))
    with pytest.raises(NotImplementedError, match="my_custom"):
        to_onnx(model, tmp_path / "x.onnx")
