"""Names and configs to optimizers: ``get``, ``serialize``, ``deserialize``."""

from __future__ import annotations

from engine.optimizers.base import OPTIMIZERS, Optimizer


def get(identifier) -> Optimizer:
    """A name ("adam", "SGD", "rmsprop"), a config dict ({"class_name": "Adam", "config": {...}}, also
    Keras 2's "Custom>Adam") or an Optimizer → an Optimizer."""
    if identifier is None:
        raise ValueError("Could not interpret optimizer identifier: None")
    if isinstance(identifier, str):
        identifier = identifier.removeprefix("Custom>")
    elif isinstance(identifier, dict) and "class_name" in identifier:
        identifier = {**identifier, "class_name": str(identifier["class_name"]).removeprefix("Custom>")}
    return OPTIMIZERS.instance(identifier, Optimizer, allow_callables=False)


def serialize(optimizer) -> dict:
    return OPTIMIZERS.serialize(get(optimizer), "keras.optimizers")


def deserialize(config) -> Optimizer:
    return get(config)
