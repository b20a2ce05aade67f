"""The model a run saves: the trained graph, with the run's standardisation in front of it.

The worker trains on standardised arrays (execution._standardize). A user who loads the .h5 in Keras
feeds raw rows, so the saved model must standardise them itself (the DIGITS "preprocessing mismatch",
DIGITS #2020): a Keras `Normalization` layer holding the training split's mean and variance goes
between the Input and the layers that read it. Categorical one-hot encoding stays outside the model.
"""

import copy

import numpy as np

NORMALIZATION_NAME = "standardize"


def _rewire(value, old: str, new: str):
    """Every keras_history that points at layer `old` points at `new` (nested args/kwargs)."""
    if isinstance(value, dict):
        history = value.get("keras_history")
        if isinstance(history, list) and history and history[0] == old:
            value["keras_history"] = [new, *history[1:]]
        for item in value.values():
            _rewire(item, old, new)
    elif isinstance(value, list):
        for item in value:
            _rewire(item, old, new)


def _unique(names: set[str], base: str) -> str:
    name, i = base, 1
    while name in names:
        name, i = f"{base}_{i}", i + 1
    return name


def model_with_standardization(model, *, mean, std):
    """A new functional model Input → Normalization(mean, std²) → `model`'s layers, its weights copied.

    `model` must have one input (ModelBuilder's datasets give one x). Predicting raw x with the new
    model gives what `model` gives on (x - mean) / std (up to float rounding).
    """
    from engine.layers import deserialize
    from engine.layers.preprocessing import Normalization

    config = copy.deepcopy(model.get_config())
    layers = config["layers"]
    inputs = [entry for entry in layers if entry["class_name"] == "InputLayer"]
    if len(inputs) != 1:
        raise ValueError(f"Cannot put the standardisation in a model with {len(inputs)} inputs.")
    source = inputs[0]["name"]
    name = _unique({entry["name"] for entry in layers}, NORMALIZATION_NAME)
    for entry in layers:
        _rewire(entry["inbound_nodes"], source, name)
    _rewire(config.get("output_layers"), source, name)
    shape = inputs[0]["config"]["batch_shape"]
    # per feature of one sample: the stats are flat (execution._standardize); an image input keeps
    # every non-batch axis, a table its last one (the Keras default)
    sample = [int(d) for d in shape[1:]]
    axis = -1 if len(sample) == 1 else list(range(1, len(shape)))
    mean = np.asarray(mean, dtype=np.float64).reshape(sample)
    std = np.asarray(std, dtype=np.float64).reshape(sample)
    norm = Normalization(axis=axis, mean=mean.tolist(), variance=(std * std).tolist(), name=name)
    history = {"shape": shape, "dtype": inputs[0]["config"].get("dtype", "float32"),
               "keras_history": [source, 0, 0]}
    entry = {"class_name": "Normalization", "name": name, "config": norm.get_config(),
             "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": history}],
                                "kwargs": {}}]}
    layers.insert(layers.index(inputs[0]) + 1, entry)
    wrapped = deserialize({"class_name": "Functional", "config": config})
    for layer in wrapped.layers:
        if layer.weights:
            layer.set_weights(model.get_layer(layer.name).get_weights())
    return wrapped
