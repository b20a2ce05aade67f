"""engine.graph.topology: cycles, arity, disconnected nodes, missing Input or output, deep graphs."""

from __future__ import annotations

from engine.graph import validate

from .graphs import chain, e, errors_on, mlp, n


def test_cycle_is_reported_on_a_node_in_it():
    g = chain(n("in", "Input", shape=[4]), n("a", "Dense", units=4), n("b", "Dense", units=4),
              n("c", "Dense", units=4), extra_edges=[e("c", "a")])
    g["edges"].append(e("c", "out"))
    g["nodes"].append(n("out", "Dense", units=1))
    r = validate(g)
    cycle_errors = [err for err in r["errors"] if "cycle" in err["message"]]
    assert len(cycle_errors) == 1 and cycle_errors[0]["node"] in {"a", "b", "c"}
    assert "a → b → c → a" in cycle_errors[0]["message"]


def test_self_loop():
    g = mlp()
    g["edges"].append(e("d1", "d1"))
    r = validate(g)
    assert any(err["node"] == "d1" and "cycle" in err["message"] for err in r["errors"])


def test_node_without_input():
    g = mlp()
    g["nodes"].append(n("lonely", "Dense", units=2))
    r = validate(g)
    [err] = errors_on(r, "lonely")
    assert "no input" in err["message"]


def test_merge_arity():
    g = chain(n("in", "Input", shape=[4]), n("add", "Add"), n("out", "Dense", units=1))
    [err] = errors_on(validate(g), "add")
    assert "at least 2" in err["message"]


def test_single_input_layer_with_two_inputs():
    g = {"nodes": [n("a", "Input", shape=[4]), n("b", "Input", shape=[4]), n("d", "Dense", units=2)],
         "edges": [e("a", "d"), e("b", "d")]}
    [err] = errors_on(validate(g), "d")
    assert "one input" in err["message"] and "Concatenate" in err["message"]
    assert err["fix"] == {"action": "insert", "layer": "Concatenate", "params": {}, "before": "d"}
    g["nodes"].append(n("cat", "Concatenate"))  # the fix, applied as the editor does
    g["edges"] = [e("a", "cat", target_index=0), e("b", "cat", target_index=1), e("cat", "d")]
    r = validate(g)
    assert r["ok"] and r["shapes"]["d"] == [None, 2]


def test_disconnected_nodes():
    g = mlp()
    g["nodes"] += [n("x", "Dense", units=2), n("y", "Dense", units=2)]
    g["edges"].append(e("x", "y"))
    r = validate(g)
    assert "no input" in errors_on(r, "x")[0]["message"]
    assert "not connected to any Input" in errors_on(r, "y")[0]["message"]
    g = mlp()
    g["nodes"].append(n("in2", "Input", shape=[3]))
    assert "not connected" in errors_on(validate(g), "in2")[0]["message"]


def test_no_input_offers_to_add_one():
    g = chain(n("c", "Conv2D", filters=2, kernel_size=3), n("f", "Flatten"), n("out", "Dense", units=1))
    r = validate(g)
    graph_errors = errors_on(r, None)
    assert any("no Input" in err["message"] for err in graph_errors)
    [err] = errors_on(r, "c")
    assert err["fix"] == {"action": "insert", "layer": "Input", "params": {"shape": [28, 28, 1]}, "before": "c"}


def test_no_output_when_everything_is_a_cycle():
    g = chain(n("a", "Dense", units=2), n("b", "Dense", units=2), extra_edges=[e("b", "a")])
    r = validate(g)
    messages = " ".join(err["message"] for err in r["errors"])
    assert "no output" in messages and "cycle" in messages and "no Input" in messages


def test_input_with_incoming_edge():
    g = mlp()
    g["nodes"].append(n("in2", "Input", shape=[8]))
    g["edges"].append(e("d1", "in2"))
    assert errors_on(validate(g), "in2")


def test_deep_graph_does_not_recurse():
    nodes = [n("in", "Input", shape=[2])] + [n(f"d{i}", "Dropout", rate=0.1) for i in range(3000)]
    r = validate(chain(*nodes))
    assert r["ok"] and r["outputs"] == ["d2999"]
    cyc = chain(*nodes, extra_edges=[e("d2999", "d0")])
    assert any("cycle" in err["message"] for err in validate(cyc)["errors"])
