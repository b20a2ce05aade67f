"""engine.catalog.params: every default and every choice a form can send constructs the layer."""

from __future__ import annotations

import pytest

from engine.catalog import catalog

from .cases import by_name, construct


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
