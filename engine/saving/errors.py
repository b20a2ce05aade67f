"""Errors of model files. All are ``ValueError``s, so callers can catch one type for "bad file"."""


class ModelFileError(ValueError):
    """A model file that cannot be used: not HDF5, truncated, missing groups, bad config, wrong weights."""


class UnsafeModelError(ModelFileError):
    """The file asks for something the loader never does: run code (Lambda), follow links, read external data."""


class UnknownLayerError(ModelFileError):
    """The config names a layer class that the engine does not have (a custom or unsupported layer)."""


class WeightMismatchError(ModelFileError):
    """Weights in the file do not fit the model: layer count, weight count or a shape differ."""
