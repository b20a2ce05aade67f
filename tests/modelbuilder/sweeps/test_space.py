"""The search-space JSON: parsed into engine hyper-parameters, refused readably, applied to graphs."""

import pytest

from engine.tuning import Choice, Fixed, Float, Int
from modelbuilder.core.errors import ApplicationError
from modelbuilder.sweeps.space import config_apply, graph_apply, graph_params, space_parse


def test_every_type_parses_into_the_engine_space():
    space = space_parse(
        {
            "units@d1": {"type": "int", "min": 8, "max": 64, "step": 8},
            "learning_rate": {"type": "float", "min": 1e-4, "max": 1e-1, "log": True},
            "optimizer": {"type": "choice", "values": ["adam", "sgd"]},
            "standardize": {"type": "bool"},
            "epochs": {"type": "fixed", "value": 3},
        }
    )
    hp = space.params
    assert hp["units@d1"] == Int(8, 64, 8, False)
    assert hp["learning_rate"] == Float(1e-4, 1e-1, True, None)
    assert hp["optimizer"] == Choice(["adam", "sgd"]) and hp["epochs"] == Fixed(3)
    assert hp["standardize"].grid() == [False, True]
    assert hp["units@d1"].grid() == [8, 16, 24, 32, 40, 48, 56, 64]


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ({}, "at least one"),
        ([], "at least one"),
        ({"units@d1": {"type": "int", "min": 9, "max": 3}}, "above 'max'"),
        ({"units@d1": {"type": "int", "min": 1.5, "max": 3}}, "integer"),
        ({"learning_rate": {"type": "float", "min": 0, "max": 1, "log": True}}, "log scale"),
        ({"learning_rate": {"type": "float", "min": "a", "max": 1}}, "finite number"),
        ({"optimizer": {"type": "choice", "values": []}}, "list of 1 to"),
        ({"optimizer": {"type": "choice", "values": [{"a": 1}]}}, "strings, numbers"),
        ({"optimizer": {"type": "choice", "values": ["adam", "adam"]}}, "repeat"),
        ({"units@d1": {"type": "range"}}, "'type' one of"),
        ({"device": {"type": "choice", "values": ["cpu"]}}, "training setting"),
        ({"units@": {"type": "int", "min": 1, "max": 2}}, "param@nodeId"),
    ],
)
def test_bad_spaces_are_refused_naming_the_parameter(raw, fragment):
    with pytest.raises(ApplicationError) as info:
        space_parse(raw)
    assert info.value.code == "invalid_search_space" and info.value.status == 400
    assert fragment in info.value.message


def test_values_go_to_their_node_and_to_the_config(mb):
    graph = mb.mlp_graph()
    graph["nodes"].append({"id": "twin", "layer": "Dense", "params": {}, "shared_with": "d1"})
    params = {"units@d1": 24, "activation@out": "sigmoid", "learning_rate": 0.5}
    out = graph_apply(graph, params)
    nodes = {n["id"]: n["params"] for n in out["nodes"]}
    assert nodes["d1"]["units"] == 24 and nodes["twin"]["units"] == 24
    assert nodes["out"]["activation"] == "sigmoid"
    assert (
        mb.mlp_graph()["nodes"][1]["params"]["units"] == 8 == graph["nodes"][1]["params"]["units"]
    )
    assert config_apply({"learning_rate": 0.1, "epochs": 2}, params) == {
        "learning_rate": 0.5,
        "epochs": 2,
    }
    assert graph_params(params) == {"units@d1": 24, "activation@out": "sigmoid"}
