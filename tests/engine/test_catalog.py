"""engine.catalog(): every registered layer, with parameter specs generated from signatures + the metadata table."""

from __future__ import annotations

import json

import pytest

import engine
from engine.catalog import GROUPS, catalog, is_model_class, load_layers
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


def test_exposed_as_engine_catalog_and_json():
    assert engine.catalog is catalog or engine.catalog() == catalog()
    json.dumps({"layers": catalog()})


def test_every_registered_layer_appears_with_group_and_help():
    entries = by_name()
    for name in LAYERS.names():
        if is_model_class(LAYERS.lookup(name)):
            continue
        key = "Input" if name == "InputLayer" else name
        assert key in entries, name
        entry = entries[key]
        assert entry["group"] in GROUPS, (name, entry["group"])
        assert entry["help"] and entry["help"] != f"{name} layer.", name
        assert entry["inputs"] in (0, 1, "many")
        assert set(entry["key_params"]) <= {p["name"] for p in entry["params"]}, name
        for p in entry["params"]:
            assert set(p) == {"name", "type", "default", "required", "min", "max", "choices", "help"}, (name, p)
            assert p["type"] in TYPES, (name, p)
            assert p["help"], (name, p["name"])
            if p["type"] == "choice":
                assert p["choices"], (name, p)


def test_dense_entry():
    dense = by_name()["Dense"]
    assert dense["group"] == "core" and dense["inputs"] == 1 and dense["key_params"] == ["units", "activation"]
    params = {p["name"]: p for p in dense["params"]}
    assert params["units"]["required"] and params["units"]["type"] == "int" and params["units"]["min"] == 1
    assert params["activation"]["type"] == "choice" and params["activation"]["default"] is None
    assert {"relu", "softmax", "linear", "tanh"} <= set(params["activation"]["choices"])
    assert "glorot_uniform" in params["kernel_initializer"]["choices"]
    assert params["kernel_initializer"]["default"] == "glorot_uniform"
    assert params["use_bias"] == {**params["use_bias"], "type": "bool", "default": True, "required": False}
    assert not {"name", "dtype", "trainable"} & set(params)


def test_input_and_merge_arity():
    entries = by_name()
    assert entries["Input"]["inputs"] == 0 and entries["Input"]["group"] == "input"
    assert entries["Input"]["params"][0]["name"] == "shape" and entries["Input"]["params"][0]["type"] == "shape"
    for name in ("Add", "Concatenate", "Multiply", "Average", "Maximum", "Minimum", "Subtract", "Dot"):
        if name in entries:
            assert entries[name]["inputs"] == "many" and entries[name]["group"] == "merge", name
    assert entries["Conv2D"]["params"][1]["type"] == "int_or_tuple"


def test_groups_are_in_palette_order():
    order = [GROUPS.index(entry["group"]) for entry in catalog()]
    assert order == sorted(order)


def test_defaults_match_signatures_and_are_accepted():
    """Constructing each layer with every catalog default passed explicitly works (defaults are real values)."""
    for entry in catalog():
        if entry["name"] == "Input":
            continue
        explicit = {p["name"]: p["default"] for p in entry["params"] if not p["required"]}
        construct(entry, **explicit)


@pytest.mark.parametrize("param", ["activation", "kernel_initializer", "bias_initializer", "kernel_regularizer",
                                   "kernel_constraint"])
def test_every_choice_is_accepted(param):
    dense = by_name()["Dense"]
    spec = next(p for p in dense["params"] if p["name"] == param)
    for choice in spec["choices"]:
        construct(dense, **{param: choice})


def test_padding_choices_are_accepted():
    for entry in catalog():
        for p in entry["params"]:
            if p["type"] == "choice" and p["name"] in ("padding", "interpolation", "merge_mode", "data_format"):
                for choice in p["choices"]:
                    construct(entry, **{p["name"]: choice})


def test_a_newly_registered_layer_appears(monkeypatch):
    from engine.layers.base import Layer

    class Twice(Layer):
        """Doubles its input."""

        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

    monkeypatch.setattr(LAYERS, "_items", dict(LAYERS._items))
    monkeypatch.setattr(LAYERS, "_canonical", dict(LAYERS._canonical))
    LAYERS.register(Twice)
    entry = by_name()["Twice"]
    assert entry["help"] == "Doubles its input." and entry["params"][0]["type"] == "float"
    assert entry["group"] == "advanced"  # defined outside engine/layers: no family module
