"""engine — a Keras-compatible deep-learning library on NumPy (CPU) and CuPy (GPU)."""

from engine.backend import device_name, set_device
from engine.catalog import catalog

__version__ = "0.1.0"

__all__ = ["catalog", "device_name", "set_device", "__version__"]
