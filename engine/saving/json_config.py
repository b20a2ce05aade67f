"""``model.to_json()`` / ``model_from_json(text)``: the architecture as Keras' JSON (no weights)."""

from __future__ import annotations

import json

from engine.saving.errors import ModelFileError
from engine.saving.layer_config import to_jsonable
from engine.saving.model_config import model_from_config, model_to_config
from engine.saving.size_guard import DEFAULT_MAX_ELEMENTS, weight_budget

MAX_JSON_CHARS = 50_000_000


def model_to_json(model, **kwargs) -> str:
    """Keras 3's ``to_json`` content (``keras.models.model_from_json`` reads it): the top-level object carries
    ``module``/``registered_name`` as Keras 3 serializes it; the layer entries use the .h5 (legacy) form."""
    from engine.saving.legacy_h5 import BACKEND, KERAS_VERSION  # noqa: PLC0415

    config = model_to_config(model)
    functional = config["class_name"] == "Functional"
    return json.dumps(to_jsonable({
        "module": "keras.src.models.functional" if functional else "keras", "class_name": config["class_name"],
        "config": config["config"], "registered_name": "Functional" if functional else None,
        "keras_version": KERAS_VERSION, "backend": BACKEND}), **kwargs)


def model_from_json(json_string, custom_objects=None, max_weight_elements: int = DEFAULT_MAX_ELEMENTS):
    """A new (freshly initialised) model from Keras JSON. Lambda/unknown layers raise ``ModelFileError``."""
    if custom_objects:
        raise ValueError("custom_objects are not supported: the engine builds only built-in layers.")
    if isinstance(json_string, bytes):
        json_string = json_string.decode("utf-8")
    if not isinstance(json_string, str) or len(json_string) > MAX_JSON_CHARS:
        raise ModelFileError("model_from_json expects a JSON string (of reasonable size).")
    try:
        config = json.loads(json_string)
    except (json.JSONDecodeError, RecursionError) as e:
        raise ModelFileError(f"Not valid JSON: {e}") from e
    from engine.saving.h5_utils import reading  # noqa: PLC0415

    with reading("<json>"), weight_budget(max_weight_elements):
        return model_from_config(config)
