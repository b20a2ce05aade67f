"""``model.save_weights(path)`` / ``model.load_weights(path)``: weights only, for every kind of model.

A name ending in ``.weights.h5`` gets Keras 3's layout (``layers/<class>/vars/<i>``, see keras3_weights),
which Keras 3's ``load_weights`` reads; any other name Keras' legacy layout (the ``model_weights`` group's
layout at the file's root: ``layer_names``, per layer ``weight_names`` + datasets), which Keras reads for
``.h5`` names. ``load_weights`` reads both, and full model files (their ``model_weights`` group). Weights
are matched by position; subclassed models use the order of ``model.layers`` (assignment order).
"""

from __future__ import annotations

import os

from engine.saving import h5_utils, keras3_weights
from engine.saving.errors import ModelFileError
from engine.saving.legacy_h5 import (
    BACKEND,
    KERAS_VERSION,
    _atomic_h5,
    load_weights_into,
    model_layers_for_file,
    write_weights,
)
from engine.saving.size_guard import DEFAULT_MAX_ELEMENTS


def _layers(model) -> list:
    layers = model_layers_for_file(model)
    if not layers and model.weights:
        return [model]  # a bare Layer / model whose weights are its own
    own = getattr(model, "_weights", None)
    if own:
        raise ValueError(f"Model {model.name!r} owns weights directly ({[w.name for w in own]}); "
                         f"put them in layers to save them.")
    return layers


def save_weights(model, filepath, overwrite: bool = True) -> None:
    filepath = os.fspath(filepath)
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath!r} exists and overwrite=False.")
    if not model.built or not model.weights:
        raise ValueError(f"Model {model.name!r} has no weights yet: build it (call it on data or "
                         f"model.build(input_shape)) before save_weights.")
    layers = _layers(model)
    keras3 = filepath.endswith(".weights.h5")

    def write(f):
        if keras3:
            keras3_weights.write(f, model)
            return
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["backend"] = BACKEND
        write_weights(f, layers)

    _atomic_h5(filepath, write)


def load_weights(model, filepath, skip_mismatch: bool = False, by_name: bool = False,
                 max_weight_elements: int = DEFAULT_MAX_ELEMENTS) -> None:
    """Read weights saved by ``save_weights`` or ``save`` (engine, Keras 2 or Keras 3 legacy .h5)."""
    if by_name:
        raise ValueError("load_weights(by_name=True) is not supported: weights are matched by position.")
    if not model.built or not model.weights:
        raise ValueError(f"Model {model.name!r} has no weights yet: build it before load_weights.")
    with h5_utils.reading(filepath):
        with h5_utils.open_h5(filepath) as f:
            if keras3_weights.is_keras3_weights_file(f):
                keras3_weights.load(f, model, max_elements=max_weight_elements, skip_mismatch=skip_mismatch)
                return
            if "layer_names" in f.attrs or "layer_names0" in f.attrs:
                group, where = f, ""
            elif "model_weights" in f:
                group, where = h5_utils.safe_get(f, "model_weights", kind="group"), " in model_weights"
            else:
                raise ModelFileError(f"{os.fspath(filepath)!r} holds no weights in a layout the engine reads "
                                     f"(no 'layer_names' attribute and no 'model_weights' group).")
            load_weights_into(_layers(model), group, where=where, max_elements=max_weight_elements,
                              skip_mismatch=skip_mismatch)
