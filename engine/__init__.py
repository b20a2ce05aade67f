"""engine — a Keras-compatible deep-learning library on NumPy (CPU) and CuPy (GPU).

Code written for Keras runs by changing the import: ``import engine as keras`` or
``from engine.layers import Dense``, ``from engine.models import Sequential``.
"""

from engine import (
    activations,
    callbacks,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    utils,
)
from engine.backend import device_name, set_device
from engine.catalog import catalog
from engine.layers import Input
from engine.models import Model, Sequential, load_model

__version__ = "0.1.0"

__all__ = ["Input", "Model", "Sequential", "activations", "callbacks", "catalog", "constraints", "device_name",
           "initializers", "layers", "load_model", "losses", "metrics", "models", "optimizers", "regularizers",
           "set_device", "utils", "__version__"]
