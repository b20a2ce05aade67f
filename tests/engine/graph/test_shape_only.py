"""engine.graph.shape_only: validate allocates no weights, and its count equals the real build for every layer."""

from __future__ import annotations

import numpy as np
import pytest

from engine.graph import build_model, validate
from engine.layers.base import Layer
from engine.variables import Variable

from .graphs import VALID, _refuse, e, n


def test_validate_allocates_no_weights(monkeypatch):
    monkeypatch.setattr(Layer, "add_weight", _refuse)
    monkeypatch.setattr(Variable, "__init__", _refuse)
    for make in VALID.values():
        r = validate(make())
        assert r["ok"], r["errors"]
        assert r["total_params"] > 0


SAMPLE = {"units": 3, "filters": 2, "kernel_size": 2, "rate": 0.5, "target_shape": [2, -1], "dims": [2, 1], "n": 2,
          "input_dim": 10, "output_dim": 3, "activation": "relu", "axes": 1, "stddev": 0.1, "pool_size": 2, "size": 2,
          "cropping": 1, "padding": 1, "l1": 0.0, "l2": 0.0, "mask_value": 0.0, "theta": 1.0, "axis": -1,
          "layer": {"class_name": "LSTM", "config": {"units": 3}}}


CANDIDATE_SHAPES = ([8], [6, 4], [8, 8, 3], [6, 6, 6, 2])


def _every_layer():
    from engine.catalog import catalog

    return [entry for entry in catalog() if entry["inputs"] != 0]


@pytest.mark.parametrize("entry", _every_layer(), ids=lambda entry: entry["name"])
def test_shape_only_param_count_equals_the_real_build(entry):
    """For every registered layer: validate's shapes and weight-free parameter count match a real model."""
    params = {p["name"]: SAMPLE[p["name"]] for p in entry["params"] if p["required"]}
    tried = []
    for shape in CANDIDATE_SHAPES:
        inputs = [n("a", "Input", shape=shape)] + ([n("b", "Input", shape=shape)] if entry["inputs"] == "many" else [])
        graph = {"nodes": [*inputs, n("x", entry["name"], **params)],
                 "edges": [e(i["id"], "x") for i in inputs]}
        with pytest.MonkeyPatch.context() as mp:  # validate must not create a single weight
            mp.setattr(Layer, "add_weight", _refuse)
            mp.setattr(Variable, "__init__", _refuse)
            r = validate(graph)
        tried.append((shape, r["errors"]))
        if not r["ok"]:
            continue
        model = build_model(graph)
        assert model.count_params() == r["total_params"] == r["params"]["x"]
        outputs = model.outputs if isinstance(model.outputs, list) else [model.outputs]
        expected = r["shapes"]["x"] if isinstance(r["shapes"]["x"][0], list) else [r["shapes"]["x"]]
        assert [list(t.shape) for t in outputs] == expected
        x = [np.random.default_rng(0).integers(0, 5, size=(2, *shape)).astype("float32") for _ in inputs]
        y = model.predict(x if len(x) > 1 else x[0], verbose=0)
        y = y if isinstance(y, list) else [y]
        assert [list(a.shape[1:]) for a in y] == [s[1:] for s in expected]
        return
    pytest.fail(f"{entry['name']}: no candidate input shape validated: {tried}")
