"""Shared helpers of the catalog tests: every layer module loaded, values for required parameters, and a layer
constructed from its catalog entry."""

from __future__ import annotations

from engine.catalog import catalog, load_layers
from engine.layers.base import LAYERS

load_layers()

TYPES = {"int", "float", "bool", "string", "choice", "shape", "int_or_tuple", "layer"}
# Values for required parameters, to construct every layer from its catalog entry.
REQUIRED = {"units": 3, "filters": 2, "kernel_size": 2, "rate": 0.5, "target_shape": [2, 4], "dims": [2, 1], "n": 2,
            "input_dim": 10, "output_dim": 3, "activation": "relu", "axes": 1, "stddev": 0.1, "shape": [4],
            "layer": {"class_name": "LSTM", "config": {"units": 3}}, "pool_size": 2, "size": 2, "cropping": 1,
            "padding": 1, "l1": 0.0, "l2": 0.0, "mask_value": 0.0, "theta": 1.0, "axis": -1}


def by_name():
    return {entry["name"]: entry for entry in catalog()}


def construct(entry, **overrides):
    cls = LAYERS.lookup(entry["name"] if entry["name"] != "Input" else "InputLayer")
    kwargs = {p["name"]: REQUIRED[p["name"]] for p in entry["params"] if p["required"]}
    kwargs.update(overrides)
    return cls(**kwargs)
