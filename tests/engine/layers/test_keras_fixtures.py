"""The conv / batch-norm / pooling / embedding / LSTM layers reproduce real Keras predictions.

Layers are made from the configs that Keras wrote into the fixture files, weights are set by position from
the files' weight groups (FORMAT.md §8), and the eager forward pass must give Keras' own ``model.predict``
within 1e-5. (The full .h5 loader is tested with engine.saving; this checks the layer maths alone.)
"""

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from engine.layers import deserialize, recurrent  # noqa: F401 - registers LSTM

FIXTURES = Path("/work/shared/keras-h5")
CASES = ["public/b_cnn_bn", "public/c_embed_lstm", "keras2/k2_cnn_bn"]


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def load_layers(path):
    with h5py.File(path, "r") as f:
        config = json.loads(_text(f.attrs["model_config"]))
        group = f["model_weights"]
        weights = {}
        for name in group.attrs["layer_names"]:
            name = _text(name)
            weights[name] = [np.asarray(group[name][_text(w)]) for w in group[name].attrs["weight_names"]]
    layers = []
    for spec in config["config"]["layers"]:
        if spec["class_name"] == "InputLayer":
            continue
        layers.append((deserialize({"class_name": spec["class_name"], "config": spec["config"]}),
                       weights[spec["config"]["name"]]))
    return layers


@pytest.mark.keras
@pytest.mark.parametrize("case", CASES)
def test_layers_reproduce_keras_predictions(case):
    h5, npz = FIXTURES / f"{case}.h5", FIXTURES / f"{case}.npz"
    if not h5.exists():
        pytest.skip(f"fixture {h5} not available")
    data = np.load(npz)
    y = data["x"]
    for layer, weights in load_layers(h5):
        if weights:  # build on the real input, then put the file's weights in by position
            layer(y, training=False)
            layer.set_weights(weights)
        y = layer(y, training=False)
    np.testing.assert_allclose(y.numpy(), data["y_expected"], atol=1e-5)
