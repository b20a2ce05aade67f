"""engine.catalog.entries: catalog() as JSON, one entry per registered layer, palette order, new layers."""

from __future__ import annotations

import json

import engine
from engine.catalog import GROUPS, catalog, is_model_class
from engine.layers.base import LAYERS

from .cases import TYPES, by_name


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


def test_groups_are_in_palette_order():
    order = [GROUPS.index(entry["group"]) for entry in catalog()]
    assert order == sorted(order)


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
