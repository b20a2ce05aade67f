"""Keras-compatible saving: legacy HDF5 model files, weights files and JSON configs.

``save_model(model, "m.h5")`` writes what real Keras 3 ``keras.models.load_model`` opens;
``load_model("m.h5")`` reads files of real Keras 3, Keras 2 and the engine. Loading never runs code from a
file: unknown or Lambda layers, links and absurd sizes give a ``ModelFileError`` (a ``ValueError``).
"""

from engine.saving.errors import (
           ModelFileError,
           UnknownLayerError,
           UnsafeModelError,
           WeightMismatchError,
)
from engine.saving.json_config import model_from_json, model_to_json
from engine.saving.legacy_h5 import load_model, read_model_config, save_model
from engine.saving.weights import load_weights, save_weights

__all__ = ["ModelFileError", "UnknownLayerError", "UnsafeModelError", "WeightMismatchError", "load_model",
           "load_weights", "model_from_json", "model_to_json", "read_model_config", "save_model",
           "save_weights"]
