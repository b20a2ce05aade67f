"""engine.graph ignores the editor's `search` marks on nodes (docs/contracts.md): same validation, same model."""

from __future__ import annotations

import copy

from engine.graph import build_model, validate

from .graphs import mlp


def marked():
    graph = mlp()
    graph["nodes"][1]["search"] = {
        "units": {"type": "choice", "values": [4, 8]},
        "activation": {"type": "choice", "values": ["relu", "tanh"]},
    }
    graph["nodes"][2]["search"] = {"use_bias": {"type": "bool"}}
    return graph


def test_validate_answers_the_same_with_and_without_marks():
    graph = marked()
    before = copy.deepcopy(graph)
    assert validate(graph) == validate(mlp())
    assert validate(graph)["ok"]
    assert graph == before  # validate leaves the marks in place


def test_build_model_ignores_marks_and_uses_the_params():
    model = build_model(marked())
    # d1 keeps units=8 from params: 4*8+8 + 8*3+3 weights, not a value from the mark.
    assert model.count_params() == 4 * 8 + 8 + 8 * 3 + 3
    assert model.get_layer("d1").get_config()["activation"] == "relu"
