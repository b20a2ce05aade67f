"""engine.graph.parse: malformed graph JSON, unknown layers, duplicate ids, dangling edges."""

from __future__ import annotations

from engine.graph import validate

from .graphs import e, errors_on, mlp, n


def test_not_a_graph():
    only_input = {"nodes": [n("in", "Input", shape=[2])]}
    for bad in (None, [], "x", 3, {"nodes": {}}, {"nodes": []}, {"edges": []}, only_input):
        r = validate(bad)
        assert not r["ok"]
        assert r["errors"] and all(err["node"] is None for err in r["errors"]), bad


def test_unknown_layer():
    g = mlp()
    g["nodes"][1]["layer"] = "Dens"
    r = validate(g)
    [err] = errors_on(r, "d1")
    assert "Unknown layer 'Dens'" in err["message"] and "Dense" in err["message"]
    assert r["shapes"]["d1"] is None and r["shapes"]["in"] == [None, 4]


def test_models_are_not_layers():
    g = mlp()
    g["nodes"][1]["layer"] = "Sequential"
    [err] = errors_on(validate(g), "d1")
    assert "is a model" in err["message"]


def test_duplicate_ids():
    g = mlp()
    g["nodes"].append(n("d1", "Dense", units=2))
    r = validate(g)
    [err] = errors_on(r, "d1")
    assert "Duplicate" in err["message"]


def test_dangling_edge_errors_on_the_existing_end_with_a_fix():
    g = mlp()
    g["edges"].append(e("d1", "ghost"))
    r = validate(g)
    [err] = errors_on(r, "d1")
    assert "ghost" in err["message"]
    assert err["fix"] == {"action": "remove_edge", "edge": 2, "source": "d1", "target": "ghost"}
    g = mlp()
    g["edges"].append(e("nowhere", "out"))
    [err] = errors_on(validate(g), "out")
    assert "nowhere" in err["message"]
