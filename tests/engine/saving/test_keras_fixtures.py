"""Every .h5 made by real Keras 3 (shared public/, and keras3_files/ beside this test: functional graphs and
more layer families) and Keras 2 (shared keras2/) loads and predicts Keras' own output within 1e-5."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.saving import load_model

REPO = Path(__file__).resolve().parents[3]
KERAS_H5 = REPO.parent / "shared" / "keras-h5"  # CI clones main with shared/ beside it
SHARED = sorted(p for sub in ("public", "keras2") for p in (KERAS_H5 / sub).glob("*.h5")
                if p.with_suffix(".npz").exists())
LOCAL = sorted(p for p in (Path(__file__).parent / "keras3_files").glob("*.h5") if not p.name.endswith(".weights.h5"))
FILES = SHARED + LOCAL


def test_fixtures_are_present():
    assert len(LOCAL) >= 5
    if not KERAS_H5.is_dir():
        pytest.skip(f"shared Keras reference files not found at {KERAS_H5} (expected <repo>/../shared/keras-h5)")
    assert {p.stem for p in SHARED} >= {"a_mlp_iris", "b_cnn_bn", "c_embed_lstm", "k2_mlp", "k2_cnn_bn"}


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_keras_file_predicts_like_keras(path):
    data = np.load(path.with_suffix(".npz"), allow_pickle=False)
    model = load_model(path)
    n_inputs = sum(1 for k in data.files if k.startswith("x") and k[1:].isdigit())
    x = data["x"] if "x" in data.files else [data[f"x{i}"] for i in range(n_inputs)]
    y = model.predict(x, verbose=0)
    ys = y if isinstance(y, list) else [y]
    expected = [data["y_expected"]] if "y_expected" in data.files else \
        [data[f"y_expected{i}"] for i in range(len(ys))]
    assert len(ys) == len(expected)
    for got, want in zip(ys, expected, strict=True):
        assert np.asarray(got).shape == want.shape
        err = float(np.max(np.abs(np.asarray(got, dtype=np.float64) - want)))
        assert err <= 1e-5, f"{path.name}: max |engine - keras| = {err:.3e}"


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_keras_file_restores_training_state(path):
    """The training_config compiles the model and the optimizer's iteration count comes back."""
    import h5py

    model = load_model(path)
    assert getattr(model, "optimizer", None) is not None
    with h5py.File(path, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["optimizer_weights"].attrs["weight_names"]]
        it_name = next(n for n in names if n.split("/")[-1].startswith("iteration"))
        iterations = int(f["optimizer_weights"][it_name][()])
        slots = [f["optimizer_weights"][n][()] for n in names if f["optimizer_weights"][n].ndim > 0]
    assert iterations > 0
    assert int(np.asarray(model.optimizer.iterations)) == iterations
    state = [np.asarray(a) for a in model.optimizer.get_state()]
    assert len(slots) > 0
    for slot in slots:  # every moment array of the file is in the engine optimizer's state
        assert any(a.shape == slot.shape and np.array_equal(a, slot) for a in state)


def _predict_all(model, data):
    n_inputs = sum(1 for k in data.files if k.startswith("x") and k[1:].isdigit())
    x = data["x"] if "x" in data.files else [data[f"x{i}"] for i in range(n_inputs)]
    y = model.predict(x, verbose=0)
    return y if isinstance(y, list) else [y]


@pytest.mark.parametrize("path", LOCAL, ids=[p.stem for p in LOCAL])
def test_keras3_weights_file_loads(path):
    """Keras 3's own ``save_weights`` layout (.weights.h5) into a fresh engine model of the same architecture."""
    import h5py

    from engine.saving import model_from_json

    with h5py.File(path, "r") as f:
        config = f.attrs["model_config"]
    model = model_from_json(config)  # fresh random weights
    data = np.load(path.with_suffix(".npz"), allow_pickle=False)
    expected = [data["y_expected"]] if "y_expected" in data.files else \
        [data[f"y_expected{i}"] for i in range(len(_predict_all(model, data)))]
    model.load_weights(path.with_name(path.stem + ".weights.h5"))
    for got, want in zip(_predict_all(model, data), expected, strict=True):
        assert float(np.max(np.abs(np.asarray(got, dtype=np.float64) - want))) <= 1e-5
