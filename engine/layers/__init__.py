"""Every layer (Keras names), plus ``serialize``/``deserialize`` for {"class_name", "config"} dicts."""

from engine.layers import (  # noqa: F401,E402 - register the families
    conv,
    embedding,
    merge,
    noise,
    normalization,
    pooling,
    preprocessing,
    rbm,
    recurrent,
    reshaping,
)
from engine.layers.base import LAYERS, InputSpec, Layer, register
from engine.layers.core import (
    ELU,
    Activation,
    Dense,
    Dropout,
    Flatten,
    Identity,
    Input,
    InputLayer,
    LeakyReLU,
    ReLU,
    Reshape,
    Softmax,
)
from engine.layers.rbm import DBN  # noqa: E402 - a helper that stacks RBMs, not a layer

# every registered layer class under its Keras name (engine.layers.Conv2D, engine.layers.LSTM, ...)
globals().update({name: cls for name, cls in LAYERS.items() if isinstance(cls, type) and name.isidentifier()})


# Keras' functional merge spellings: ``concatenate([a, b], axis=-1)`` = ``Concatenate(axis=-1)([a, b])``
def add(inputs, **kwargs):
    return merge.Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    return merge.Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    return merge.Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    return merge.Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    return merge.Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    return merge.Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    return merge.Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    return merge.Dot(axes=axes, normalize=normalize, **kwargs)(inputs)


def serialize(layer) -> dict:
    """A layer (or model) → {"class_name": its Keras class name, "config": layer.get_config()}."""
    name = LAYERS.canonical_name(layer) or type(layer).__name__
    return {"class_name": name, "config": layer.get_config()}


def deserialize(config: dict, custom_objects=None):
    """{"class_name", "config"} → a layer (or model): custom_objects first, then the registry."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Expected a layer config with 'class_name' and 'config'. Received: {config!r}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or LAYERS.lookup(name)
    inner = dict(config.get("config") or {})
    from_config = cls.from_config
    if custom_objects and "custom_objects" in from_config.__code__.co_varnames:
        return from_config(inner, custom_objects=custom_objects)
    return from_config(inner)


def get(identifier):
    """A layer class by Keras name ("Dense"), or a layer from a config dict."""
    if isinstance(identifier, dict):
        return deserialize(identifier)
    return LAYERS.lookup(identifier)


import engine.models as _models  # noqa: E402,F401 - registers Sequential/Functional for deserialize

__all__ = sorted({"ELU", "LAYERS", "Activation", "Dense", "Dropout", "Flatten", "Identity", "Input", "InputLayer",
                  "InputSpec", "Layer", "LeakyReLU", "ReLU", "Reshape", "Softmax", "deserialize", "get", "register",
                  "serialize", "DBN", "add", "subtract", "multiply", "average", "maximum", "minimum",
                  "concatenate", "dot", *(n for n, c in LAYERS.items() if isinstance(c, type) and n.isidentifier())})
