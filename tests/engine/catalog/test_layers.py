"""engine.catalog.layers: input arity (0 for Input, "many" for merge layers) and groups."""

from __future__ import annotations

from .cases import by_name


def test_input_and_merge_arity():
    entries = by_name()
    assert entries["Input"]["inputs"] == 0 and entries["Input"]["group"] == "input"
    assert entries["Input"]["params"][0]["name"] == "shape" and entries["Input"]["params"][0]["type"] == "shape"
    for name in ("Add", "Concatenate", "Multiply", "Average", "Maximum", "Minimum", "Subtract", "Dot"):
        if name in entries:
            assert entries[name]["inputs"] == "many" and entries[name]["group"] == "merge", name
    assert entries["Conv2D"]["params"][1]["type"] == "int_or_tuple"
