"""Optional tier: real Keras 3 opens what the engine saved and predicts the same numbers.

Runs ``<repo>/../shared/keras-h5/check_roundtrip.py`` (real Keras, torch backend) on engine-saved models of
every layer type. Keras is never a project dependency: the interpreter is ``$KERAS_PYTHON`` (a separate
environment made from requirements-keras.txt), else this one if it can ``import keras``; otherwise skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import layers as L
from engine.backend import set_seed
from engine.models import Model, Sequential

pytestmark = pytest.mark.keras

REPO = Path(__file__).resolve().parents[3]
CHECKER = REPO.parent / "shared" / "keras-h5" / "check_roundtrip.py"


def _keras_python() -> str:
    candidate = os.environ.get("KERAS_PYTHON")
    if candidate:
        return candidate
    try:
        import keras  # noqa: F401, PLC0415
    except Exception:  # noqa: BLE001 - any import failure means "no Keras here"
        pytest.skip("real Keras is not installed (set KERAS_PYTHON to an interpreter of "
                    "requirements-keras.txt to run this tier)")
    return sys.executable


@pytest.fixture(scope="module")
def keras_python():
    if not CHECKER.exists():
        pytest.skip(f"{CHECKER} not found (expected <repo>/../shared/keras-h5)")
    return _keras_python()


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
    mixed = L.Concatenate()([mixed, L.Dot(axes=1)([ha, hb])])
    return Model(inputs=[a, b], outputs=L.Dense(3, activation="softmax", name="out")(mixed))


def _normalized(adapted):
    """Raw features → Normalization (given statistics: config only; adapted: mean/variance/count weights)."""
    data = np.random.default_rng(1).standard_normal((40, 4)).astype("float32") * [1, 5, 0.1, 3] + [2, -7, 0, 50]
    if adapted:
        norm = L.Normalization()
        norm.adapt(data)
    else:
        norm = L.Normalization(mean=data.mean(0).tolist(), variance=data.var(0).tolist())
    return _seq((4,), norm, L.Dense(6, activation="relu"), L.Dense(3, activation="softmax"))


MODELS = {
    "normalization_given": (lambda: _normalized(False), [(5, 4)], "float"),
    "normalization_adapted": (lambda: _normalized(True), [(5, 4)], "float"),
    "dense_activations": (lambda: _seq((5,), L.Dense(8, activation="relu"), L.Dropout(0.2), L.Dense(6),
                                       L.LeakyReLU(0.1), L.Activation("tanh"), L.ReLU(max_value=2.0), L.ELU(),
                                       L.Reshape((2, 3)), L.Flatten(), L.Dense(3), L.Softmax()),
                          [(6, 5)], "float"),
    "conv2d_bn_pool": (lambda: _seq((9, 7, 2), L.Conv2D(4, (3, 2), padding="same", activation="relu"),
                                    L.BatchNormalization(), L.MaxPooling2D(2), L.Conv2D(3, 2, strides=2),
                                    L.AveragePooling2D(1), L.Flatten(), L.Dense(2, activation="softmax")),
                       [(4, 9, 7, 2)], "float"),
    "conv1d_pool": (lambda: _seq((10, 3), L.Conv1D(4, 3, padding="causal", activation="relu"), L.MaxPooling1D(2),
                                 L.GlobalAveragePooling1D(), L.Dense(1)), [(5, 10, 3)], "float"),
    "embedding_lstm": (lambda: _seq((7,), L.Embedding(12, 4), L.LSTM(5, return_sequences=True), L.LSTM(3),
                                    L.Dense(1, activation="sigmoid")), [(6, 7)], "int"),
    "gru_simplernn": (lambda: _seq((6, 3), L.GRU(4, return_sequences=True), L.GRU(4, reset_after=False,
                                                                                 return_sequences=True),
                                   L.SimpleRNN(3), L.Dense(2)), [(5, 6, 3)], "float"),
    "layernorm_globalmax": (lambda: _seq((6, 6, 2), L.Conv2D(3, 2), L.LayerNormalization(),
                                         L.GlobalMaxPooling2D(), L.Dense(2)), [(4, 6, 6, 2)], "float"),
    "functional_shared_merges": (_shared, [(5, 6), (5, 6)], "float"),
    "conv_variants": (lambda: _seq((6, 6, 2), L.ZeroPadding2D(1), L.DepthwiseConv2D(3, depth_multiplier=2),
                                   L.SeparableConv2D(3, 2, padding="same"), L.Conv2DTranspose(2, 2, strides=2),
                                   L.Cropping2D(((1, 2), (0, 1))), L.UpSampling2D(2),
                                   L.UpSampling2D((2, 1), interpolation="bilinear"), L.AveragePooling2D(3),
                                   L.Flatten(), L.Dense(2)), [(3, 6, 6, 2)], "float"),
    "volumes_3d": (lambda: _seq((4, 6, 6, 2), L.Conv3D(4, (2, 3, 3), padding="same", activation="relu"),
                                L.MaxPooling3D((1, 2, 2)), L.AveragePooling3D(2), L.Conv3D(2, 1, groups=2),
                                L.GlobalMaxPooling3D(keepdims=True), L.GlobalAveragePooling3D(), L.Dense(2)),
                   [(3, 4, 6, 6, 2)], "float"),
    "sequence_wrappers": (lambda: _seq((5, 3), L.ZeroPadding1D(1), L.Cropping1D((0, 1)), L.UpSampling1D(2),
                                       L.Conv1DTranspose(3, 3, strides=2, padding="same", output_padding=1),
                                       L.Bidirectional(L.LSTM(3, return_sequences=True)),
                                       L.TimeDistributed(L.Dense(2)), L.Permute((2, 1)), L.GlobalMaxPooling1D(),
                                       L.RepeatVector(2), L.Bidirectional(L.GRU(2), merge_mode="sum"),
                                       L.Dense(1)), [(4, 5, 3)], "float"),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_keras_loads_engine_file(tmp_path, keras_python, name):
    build, shapes, kind = MODELS[name]
    set_seed(0)
    model = build()
    rng = np.random.default_rng(0)
    xs = [rng.integers(0, 12, s).astype("int32") if kind == "int" else rng.standard_normal(s).astype("float32")
          for s in shapes]
    y = model.predict(xs[0] if len(xs) == 1 else xs, verbose=0)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    path = tmp_path / f"{name}.h5"
    model.save(path)
    data = {"x": xs[0]} if len(xs) == 1 else {f"x{i}": x for i, x in enumerate(xs)}
    np.savez(tmp_path / f"{name}.npz", y_expected=np.asarray(y), **data)
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    proc = subprocess.run([keras_python, str(CHECKER), str(path), str(tmp_path / f"{name}.npz"), "--atol", "1e-5"],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "PASS" in proc.stdout
    print(name, [line for line in proc.stdout.splitlines() if line.startswith("max_abs_diff")])


_LOAD_WEIGHTS = """
import sys, numpy as np, keras
model = keras.models.load_model(sys.argv[1], compile=False)
model.load_weights(sys.argv[2])
data = np.load(sys.argv[3])
n = len(model.inputs)
x = data["x"] if n == 1 else [data[f"x{i}"] for i in range(n)]
err = float(np.max(np.abs(model.predict(x, verbose=0) - data["y_expected"])))
print("max_abs_diff", err)
sys.exit(0 if err <= 1e-5 else 1)
"""


@pytest.mark.parametrize("name", ["embedding_lstm", "sequence_wrappers", "functional_shared_merges", "conv_variants"])
def test_keras_loads_engine_weights_file(tmp_path, keras_python, name):
    """Engine ``save_weights("x.weights.h5")`` → Keras 3 ``model.load_weights`` (Keras 3's own layout)."""
    build, shapes, kind = MODELS[name]
    set_seed(0)
    model = build()
    model.save(tmp_path / "arch.h5")  # architecture (and the first weights)
    for w in model.weights:  # different weights in the weights file
        w.assign(np.asarray(w.numpy()) * 0.5 + 0.1)
    model.save_weights(tmp_path / "new.weights.h5")
    rng = np.random.default_rng(0)
    xs = [rng.integers(0, 12, s).astype("int32") if kind == "int" else rng.standard_normal(s).astype("float32")
          for s in shapes]
    y = model.predict(xs[0] if len(xs) == 1 else xs, verbose=0)
    data = {"x": xs[0]} if len(xs) == 1 else {f"x{i}": x for i, x in enumerate(xs)}
    np.savez(tmp_path / "d.npz", y_expected=np.asarray(y), **data)
    script = tmp_path / "load_weights.py"
    script.write_text(_LOAD_WEIGHTS)
    proc = subprocess.run([keras_python, str(script), str(tmp_path / "arch.h5"), str(tmp_path / "new.weights.h5"),
                           str(tmp_path / "d.npz")], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "KERAS_BACKEND": "torch"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    print(name, proc.stdout.strip().splitlines()[-1])


_FROM_JSON = """
import sys, keras
model = keras.models.model_from_json(open(sys.argv[1]).read())
print("params", model.count_params())
"""


@pytest.mark.parametrize("name", ["functional_shared_merges", "sequence_wrappers"])
def test_keras_reads_engine_json(tmp_path, keras_python, name):
    from engine.saving import model_to_json

    set_seed(0)
    model = MODELS[name][0]()
    (tmp_path / "m.json").write_text(model_to_json(model))
    (tmp_path / "from_json.py").write_text(_FROM_JSON)
    proc = subprocess.run([keras_python, str(tmp_path / "from_json.py"), str(tmp_path / "m.json")],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "KERAS_BACKEND": "torch"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert f"params {model.count_params()}" in proc.stdout


_KERAS_FILES = sorted([*(REPO.parent / "shared" / "keras-h5").glob("*/*.h5"),
                       *(p for p in (Path(__file__).parent / "keras3_files").glob("*.h5")
                         if not p.name.endswith(".weights.h5"))])


@pytest.mark.parametrize("source", _KERAS_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in _KERAS_FILES])
def test_keras_file_reexported_by_engine(tmp_path, keras_python, source):
    """Keras (3 or 2) file → engine load_model → engine save → real Keras 3 predicts the original numbers."""
    from engine.saving import load_model

    model = load_model(source)
    path = tmp_path / f"{source.stem}.h5"
    model.save(path)
    proc = subprocess.run([keras_python, str(CHECKER), str(path), str(source.with_suffix(".npz")), "--atol", "1e-5"],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "KERAS_BACKEND": "torch"})
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    print(source.stem, [line for line in proc.stdout.splitlines() if line.startswith("max_abs_diff")])
