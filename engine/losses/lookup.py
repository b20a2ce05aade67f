"""Names → loss objects: ``get`` (what ``compile(loss=...)`` accepts), ``canonical_name`` (the function name
``training_config`` stores), ``serialize`` / ``deserialize`` (the Keras 3 nested-object form)."""

from __future__ import annotations

from engine.losses.base import LOSSES, Loss
from engine.losses.function_losses import LossFunctionWrapper


def get(identifier) -> Loss | None:
    """None → None; a name/alias ("mse", "categorical_crossentropy", "CategoricalCrossentropy"), a config
    dict or a Loss → a Loss object; another callable ``fn(y_true, y_pred)`` is wrapped."""
    if callable(identifier) and not isinstance(identifier, Loss) \
            and not (isinstance(identifier, type) and issubclass(identifier, Loss)):
        for _, cls in LOSSES.items():  # a built-in function gets its class ("mean_squared_error" → MSE)
            if getattr(cls, "fn", None) is identifier:
                return cls()
        return LossFunctionWrapper(identifier, name=getattr(identifier, "__name__", "loss"))
    return LOSSES.instance(identifier, Loss, allow_callables=False)


def canonical_name(identifier) -> str | None:
    """The full Keras function name of a loss ("mse" → "mean_squared_error"), as `training_config` needs."""
    loss = get(identifier)
    return getattr(type(loss), "function_name", None) if loss is not None else None


def serialize(loss) -> dict | None:
    """{"module": "keras.losses", "class_name", "config", "registered_name"}; None → None; a custom loss raises."""
    if loss is None:
        return None
    return LOSSES.serialize(get(loss), "keras.losses")


def deserialize(config):
    return get(config)
