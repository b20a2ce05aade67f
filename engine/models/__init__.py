"""Models (Keras API): ``Sequential``, ``Model`` (functional and subclassed), ``load_model``."""

from engine.layers.base import register
from engine.models.functional import Functional, KerasTensor
from engine.models.model import Model
from engine.models.sequential import Sequential

register(Functional, name="Functional", aliases=("Model",))


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):  # noqa: A002 - Keras' name
    """A model saved by ``model.save(path)`` (Keras .h5 layout)."""
    from engine import saving  # noqa: PLC0415 - saving imports models

    return saving.load_model(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def model_from_config(config, custom_objects=None):
    """{"class_name": "Sequential"|"Functional"|"Model", "config": {...}} → a model."""
    from engine.layers import deserialize  # noqa: PLC0415

    return deserialize(config, custom_objects)


def model_from_json(json_string, custom_objects=None):
    """A freshly initialised model from ``model.to_json()`` or Keras' JSON (safe: no code is run)."""
    from engine import saving  # noqa: PLC0415

    return saving.model_from_json(json_string, custom_objects=custom_objects)


def clone_model(model, custom_objects=None):
    """A model of the same architecture with fresh weights."""
    from engine.layers import deserialize, serialize  # noqa: PLC0415

    return deserialize(serialize(model), custom_objects)


__all__ = ["Functional", "KerasTensor", "Model", "Sequential", "clone_model", "load_model", "model_from_config",
           "model_from_json"]
