"""engine.graph: validate (shapes, params, errors per node, fixes, never raises) and build_model / from_graph."""

from __future__ import annotations

import copy
import json
import math
import random

import numpy as np
import pytest

from engine.catalog import load_layers
from engine.graph import GraphError, build_model, validate
from engine.layers.base import Layer
from engine.variables import Variable

load_layers()


# ---------------------------------------------------------------------------------------------- helpers
def n(nid, layer_name, /, **params):
    return {"id": nid, "layer": layer_name, "params": params}


def e(source, target, **kw):
    return {"source": source, "target": target, **kw}


def chain(*nodes, extra_edges=()):
    edges = [e(a["id"], b["id"]) for a, b in zip(nodes, nodes[1:])]
    return {"nodes": list(nodes), "edges": edges + list(extra_edges)}


def errors_on(result, node):
    return [err for err in result["errors"] if err["node"] == node]


def mlp():
    return chain(n("in", "Input", shape=[4]), n("d1", "Dense", units=8, activation="relu"),
                 n("out", "Dense", units=3, activation="softmax"))


def cnn():
    return chain(n("img", "Input", shape=[8, 8, 1]), n("c1", "Conv2D", filters=4, kernel_size=3, activation="relu"),
                 n("bn", "BatchNormalization"), n("p1", "MaxPooling2D", pool_size=2), n("f", "Flatten"),
                 n("drop", "Dropout", rate=0.2), n("out", "Dense", units=10, activation="softmax"))


def lstm():
    return chain(n("tokens", "Input", shape=[6], dtype="int32"), n("emb", "Embedding", input_dim=20, output_dim=5),
                 n("rnn", "LSTM", units=7), n("out", "Dense", units=1, activation="sigmoid"))


def two_branch():
    return {"nodes": [n("a", "Input", shape=[3]), n("b", "Input", shape=[5]),
                      n("da", "Dense", units=4, activation="relu"), n("db", "Dense", units=6, activation="tanh"),
                      n("cat", "Concatenate"), n("out", "Dense", units=2)],
            "edges": [e("a", "da"), e("b", "db"), e("da", "cat"), e("db", "cat"), e("cat", "out")]}


def shared():
    return {"nodes": [n("a", "Input", shape=[6]), n("b", "Input", shape=[6]),
                      n("s1", "Dense", units=8, activation="relu"),
                      {"id": "s2", "layer": "Dense", "params": {"units": 8, "activation": "relu"}, "shared_with": "s1"},
                      n("sum", "Add"), n("out", "Dense", units=1)],
            "edges": [e("a", "s1"), e("b", "s2"), e("s1", "sum"), e("s2", "sum"), e("sum", "out")]}


VALID = {"mlp": mlp, "cnn": cnn, "lstm": lstm, "two_branch": two_branch, "shared": shared}


# ---------------------------------------------------------------------------------------------- valid graphs
def test_mlp_shapes_params_and_memory():
    r = validate(mlp())
    assert r["ok"], r["errors"]
    assert r["shapes"] == {"in": [None, 4], "d1": [None, 8], "out": [None, 3]}
    assert r["params"] == {"d1": 4 * 8 + 8, "out": 8 * 3 + 3}
    assert r["total_params"] == 40 + 27
    activations = 32 * (4 + 8 + 3)
    assert r["memory_bytes"] == 4 * (67 + 2 * 67 + activations)
    assert r["inputs"] == ["in"] and r["outputs"] == ["out"]
    json.dumps(r)


def test_cnn_shapes():
    r = validate(cnn())
    assert r["ok"], r["errors"]
    assert r["shapes"]["c1"] == [None, 6, 6, 4]
    assert r["shapes"]["p1"] == [None, 3, 3, 4]
    assert r["shapes"]["f"] == [None, 36]
    assert r["params"]["c1"] == 3 * 3 * 1 * 4 + 4
    assert r["params"]["bn"] == 4 * 4
    assert r["trainable_params"] == r["total_params"] - 8  # moving mean and variance


def test_lstm_shapes():
    r = validate(lstm())
    assert r["ok"], r["errors"]
    assert r["shapes"]["emb"] == [None, 6, 5]
    assert r["shapes"]["rnn"] == [None, 7]
    assert r["params"]["rnn"] == 4 * (5 * 7 + 7 * 7 + 7)


def test_lstm_return_sequences_then_dense_is_fine():
    g = chain(n("in", "Input", shape=[6, 3]), n("rnn", "LSTM", units=4, return_sequences=True),
              n("out", "Dense", units=2))
    r = validate(g)
    assert r["ok"] and not r["warnings"], r
    assert r["shapes"]["out"] == [None, 6, 2]


def test_shared_layer_counts_weights_once():
    r = validate(shared())
    assert r["ok"], r["errors"]
    assert r["params"]["s1"] == 6 * 8 + 8 and r["params"]["s2"] == 0
    assert r["shapes"]["s2"] == [None, 8]
    assert r["total_params"] == 56 + 9


@pytest.mark.parametrize("name", sorted(VALID))
def test_param_counts_equal_the_built_model(name):
    graph = VALID[name]()
    r = validate(graph)
    model = build_model(graph)
    assert r["total_params"] == model.count_params()
    for nid, count in r["params"].items():
        if count:
            assert model.get_layer(nid).count_params() == count, nid
    outputs = model.outputs if isinstance(model.outputs, list) else [model.outputs]
    assert [list(t.shape) for t in outputs] == [r["shapes"][nid] for nid in r["outputs"]]


def _refuse(self, *args, **kwargs):
    raise AssertionError("validate allocated a weight")


def test_validate_allocates_no_weights(monkeypatch):
    monkeypatch.setattr(Layer, "add_weight", _refuse)
    monkeypatch.setattr(Variable, "__init__", _refuse)
    for make in VALID.values():
        r = validate(make())
        assert r["ok"], r["errors"]
        assert r["total_params"] > 0


def test_nodes_in_any_order_build_topologically():
    g = cnn()
    g["nodes"].reverse()
    r = validate(g)
    assert r["ok"], r["errors"]
    assert r["outputs"] == ["out"]
    model = build_model(g)
    assert model.count_params() == r["total_params"]


def test_target_index_orders_merge_inputs():
    def graph(first, second):
        return {"nodes": [n("a", "Input", shape=[2]), n("b", "Input", shape=[2]), n("sub", "Subtract")],
                "edges": [e("b", "sub", target_index=second), e("a", "sub", target_index=first)]}

    xa, xb = np.array([[5.0, 7.0]], "float32"), np.array([[1.0, 2.0]], "float32")
    out = build_model(graph(0, 1)).predict([xa, xb], verbose=0)
    np.testing.assert_allclose(out, xa - xb)
    out = build_model(graph(1, 0)).predict([xa, xb], verbose=0)
    np.testing.assert_allclose(out, xb - xa)


def test_shared_nodes_share_one_layer_object():
    model = build_model(shared())
    dense = model.get_layer("s1")
    assert len([w for w in model.weights if w is dense.weights[0]]) == 1
    a = np.ones((2, 6), "float32")
    out1 = model.predict([a, a], verbose=0)
    dense.set_weights([w * 0 for w in dense.get_weights()])
    out2 = model.predict([a, a], verbose=0)
    assert not np.allclose(out1, out2)


def test_from_graph_builds_a_model_that_trains():
    from engine.models import Model

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[(x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)]
    model = Model.from_graph(mlp())
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x[:2], verbose=0).shape == (2, 3)


def test_from_graph_raises_graph_error_naming_the_node():
    from engine.models import Model

    g = mlp()
    g["nodes"][1]["params"]["units"] = 0
    with pytest.raises(GraphError, match="d1") as info:
        Model.from_graph(g)
    assert info.value.errors[0]["node"] == "d1"


# ---------------------------------------------------------------------------------------------- malformed graphs
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


def test_bad_params_take_the_constructor_message():
    g = mlp()
    g["nodes"][2]["params"] = {"units": -3}
    r = validate(g)
    [err] = errors_on(r, "out")
    assert "units" in err["message"] and "-3" in err["message"]
    g["nodes"][2]["params"] = {"units": 3, "colour": "red"}
    [err] = errors_on(validate(g), "out")
    assert "colour" in err["message"]


def test_bad_input_shape():
    g = mlp()
    g["nodes"][0]["params"] = {"shape": [0]}
    [err] = errors_on(validate(g), "in")
    assert "shape" in err["message"]


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


def test_incompatible_shapes_name_the_node():
    g = {"nodes": [n("a", "Input", shape=[4]), n("b", "Input", shape=[5]), n("add", "Add"), n("out", "Dense", units=1)],
         "edges": [e("a", "add"), e("b", "add"), e("add", "out")]}
    r = validate(g)
    [err] = errors_on(r, "add")
    assert "'add'" in err["message"] and "(None, 4)" in err["message"] and "(None, 5)" in err["message"]
    assert r["shapes"]["out"] is None and not errors_on(r, "out")
    g = chain(n("in", "Input", shape=[4]), n("conv", "Conv2D", filters=2, kernel_size=3), n("out", "Dense", units=1))
    [err] = errors_on(validate(g), "conv")
    assert err["message"].startswith("Conv2D 'conv' expects a 4D input (batch, height, width, channels)")
    assert "(None, 4) from 'in'" in err["message"]
    g = chain(n("in", "Input", shape=[6, 6, 2]), n("rv", "RepeatVector", n=2))
    [err] = errors_on(validate(g), "rv")
    assert err["fix"] == {"action": "insert", "layer": "Flatten", "params": {}, "before": "rv"}


def test_input_too_small_for_the_kernel():
    g = chain(n("in", "Input", shape=[2, 2, 1]), n("conv", "Conv2D", filters=2, kernel_size=3), n("f", "Flatten"),
              n("out", "Dense", units=1))
    [err] = errors_on(validate(g), "conv")
    assert "conv" in err["message"]


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


def test_shared_with_problems():
    g = shared()
    g["nodes"][3]["shared_with"] = "ghost"
    assert "ghost" in errors_on(validate(g), "s2")[0]["message"]
    g = shared()
    g["nodes"][3]["layer"] = "Dropout"
    assert "same layer" in errors_on(validate(g), "s2")[0]["message"]
    g = shared()
    g["nodes"][1]["params"]["shape"] = [7]  # the shared Dense would need a (7, 8) kernel
    [err] = errors_on(validate(g), "s2")
    assert "shares one layer" in err["message"] and "(7, 8)" in err["message"]


def test_multi_output_layer_cannot_feed_an_edge():
    g = chain(n("in", "Input", shape=[5, 2]), n("rnn", "LSTM", units=3, return_state=True), n("out", "Dense", units=1))
    r = validate(g)
    [err] = errors_on(r, "out")
    assert "several outputs" in err["message"]
    assert len(r["shapes"]["rnn"]) == 3


# ---------------------------------------------------------------------------------------------- Dense after conv
def conv_dense(head_activation, *, flatten_after=False):
    nodes = [n("img", "Input", shape=[8, 8, 1]), n("conv", "Conv2D", filters=2, kernel_size=3),
             n("act", "Activation", activation="relu"), n("dense", "Dense", units=4, activation=head_activation)]
    if flatten_after:
        nodes += [n("f", "Flatten"), n("out", "Dense", units=3, activation="softmax")]
    return chain(*nodes)


def test_conv_then_classifier_dense_is_an_error_with_the_flatten_fix():
    r = validate(conv_dense("softmax"))
    assert not r["ok"]
    [err] = errors_on(r, "dense")
    assert err["fix"] == {"action": "insert", "layer": "Flatten", "params": {}, "before": "dense"}
    assert "(None, 6, 6, 2)" in err["message"]


def test_conv_then_plain_dense_is_a_warning():
    r = validate(conv_dense(None))
    assert r["ok"]
    [warning] = [w for w in r["warnings"] if w["node"] == "dense"]
    assert warning["fix"]["layer"] == "Flatten"
    assert r["shapes"]["dense"] == [None, 6, 6, 4]
    r = validate(conv_dense(None), target_shape=[3])
    assert not r["ok"] and errors_on(r, "dense")


def test_dense_on_feature_maps_flattened_later_is_fine():
    r = validate(conv_dense("relu", flatten_after=True))
    assert r["ok"] and not r["warnings"], r


def test_conv_dense_with_fix_applied_is_valid():
    g = conv_dense("softmax")
    g["nodes"].insert(3, n("flat", "Flatten"))
    g["edges"] = [e("img", "conv"), e("conv", "act"), e("act", "flat"), e("flat", "dense")]
    r = validate(g)
    assert r["ok"] and not r["warnings"]
    assert r["shapes"]["dense"] == [None, 4]


# ---------------------------------------------------------------------------------------------- never raises
_VALUES = [None, 0, -1, 1, 3, 2.5, "relu", "same", "", "x" * 100, True, [], [0], [3, 3], [None, 2], {}, {"a": 1},
           [[1]], float("nan"), 10 ** 12]
_LAYERS = ["Dense", "Conv2D", "Conv1D", "LSTM", "GRU", "SimpleRNN", "Flatten", "Reshape", "Add", "Concatenate",
           "MaxPooling2D", "GlobalAveragePooling2D", "BatchNormalization", "Embedding", "Dropout", "Input",
           "Nope", 7, None, "Subtract", "Dot", "Bidirectional", "TimeDistributed", "Permute", "RepeatVector"]


def _any(rnd, *extra):
    """A random JSON-ish value (a fresh copy: mutations must not change the pool)."""
    return copy.deepcopy(rnd.choice(_VALUES + list(extra)))


def _mutate(graph, rnd):
    g = copy.deepcopy(graph)
    for _ in range(rnd.randint(1, 4)):
        nodes, edges = g.get("nodes"), g.get("edges")
        if not isinstance(nodes, list) or not isinstance(edges, list):
            break
        op = rnd.randrange(11)
        if op == 0 and nodes:
            del nodes[rnd.randrange(len(nodes))]
        elif op == 1 and edges:
            del edges[rnd.randrange(len(edges))]
        elif op == 2 and nodes:
            a, b = rnd.choice(nodes), rnd.choice(nodes)
            edges.append({"source": a.get("id") if isinstance(a, dict) else a,
                          "target": b.get("id") if isinstance(b, dict) else b})
        elif op == 3 and nodes and isinstance(nodes[0], dict):
            node = rnd.choice(nodes)
            if isinstance(node, dict) and isinstance(node.get("params"), dict):
                key = rnd.choice(["units", "filters", "kernel_size", "shape", "strides", "padding", "activation",
                                  "rate", "axis", "target_shape", "input_dim", "output_dim", "pool_size", "bogus"])
                node["params"][key] = _any(rnd)
        elif op == 4 and nodes:
            node = rnd.choice(nodes)
            if isinstance(node, dict):
                node["layer"] = rnd.choice(_LAYERS)
        elif op == 5 and nodes:
            node = rnd.choice(nodes)
            if isinstance(node, dict):
                node[rnd.choice(["id", "params", "shared_with", "layer"])] = _any(rnd, "in", "out")
        elif op == 6 and edges:
            edge = rnd.choice(edges)
            if isinstance(edge, dict):
                edge[rnd.choice(["source", "target", "target_index"])] = _any(rnd, "in", "d1", "out")
        elif op == 7:
            nodes.append(_any(rnd))
        elif op == 8:
            edges.append(_any(rnd))
        elif op == 9 and nodes:
            nodes.append(copy.deepcopy(rnd.choice(nodes)))
        elif op == 10:
            g[rnd.choice(["nodes", "edges"])] = _any(rnd)
    return g


def _check_answer(r, graph):
    assert isinstance(r, dict) and set(r) >= {"ok", "shapes", "params", "total_params", "memory_bytes", "errors",
                                              "warnings"}
    json.dumps(r)
    ids = set()
    if isinstance(graph, dict) and isinstance(graph.get("nodes"), list):
        ids = {str(x.get("id")) for x in graph["nodes"] if isinstance(x, dict)}
    for err in r["errors"] + r["warnings"]:
        assert err["node"] is None or err["node"] in ids, err
        assert isinstance(err["message"], str) and err["message"]
        assert "Could not validate" not in err["message"], err  # no internal failure
    assert r["ok"] == (not r["errors"])


_PLAUSIBLE = {"units": [1, 2, 5], "filters": [1, 3], "kernel_size": [1, 2, 3, [2, 1]], "strides": [1, 2],
              "padding": ["same", "valid"], "activation": ["relu", "tanh", "softmax", None], "rate": [0.0, 0.3],
              "return_sequences": [True, False], "pool_size": [1, 2], "use_bias": [True, False],
              "output_dim": [2, 4], "momentum": [0.5, 0.9], "trainable": [False]}


def _mild_mutate(graph, rnd):
    """Changes an editor could make that usually keep the graph valid."""
    g = copy.deepcopy(graph)
    for _ in range(rnd.randint(1, 3)):
        op = rnd.randrange(3)
        if op == 0:
            node = rnd.choice(g["nodes"])
            if node["layer"] != "Input":
                key = rnd.choice(sorted(_PLAUSIBLE))
                node["params"][key] = rnd.choice(_PLAUSIBLE[key])
        elif op == 1:  # put a shape-keeping layer on an edge
            edge = rnd.choice(g["edges"])
            new = f"x{len(g['nodes'])}"
            layer, params = rnd.choice([("Dropout", {"rate": 0.1}), ("Activation", {"activation": "relu"}),
                                        ("BatchNormalization", {})])
            g["nodes"].append(n(new, layer, **params))
            g["edges"].append(e(new, edge["target"], **{k: v for k, v in edge.items() if k == "target_index"}))
            edge["target"] = new
            edge.pop("target_index", None)
        else:
            rnd.shuffle(g["nodes"])
    return g


def test_random_mutations_never_raise_and_valid_answers_build():
    rnd = random.Random(1234)
    for _ in range(500):
        graph = _mutate(rnd.choice(list(VALID.values()))(), rnd)
        _check_answer(validate(graph), graph)
    built = 0
    for _ in range(60):
        graph = _mild_mutate(rnd.choice(list(VALID.values()))(), rnd)
        r = validate(graph)
        _check_answer(r, graph)
        if r["ok"]:
            model = build_model(graph)  # a graph validate accepts must build, with the same parameter count
            assert model.count_params() == r["total_params"]
            built += 1
    assert built > 15


def test_huge_sizes_stay_cheap():
    g = chain(n("in", "Input", shape=[10 ** 6]), n("d", "Dense", units=10 ** 6))
    r = validate(g)
    assert r["ok"] and r["total_params"] == 10 ** 12 + 10 ** 6
    assert math.isfinite(r["memory_bytes"])


def test_deep_graph_does_not_recurse():
    nodes = [n("in", "Input", shape=[2])] + [n(f"d{i}", "Dropout", rate=0.1) for i in range(3000)]
    r = validate(chain(*nodes))
    assert r["ok"] and r["outputs"] == ["d2999"]
    cyc = chain(*nodes, extra_edges=[e("d2999", "d0")])
    assert any("cycle" in err["message"] for err in validate(cyc)["errors"])


# ---------------------------------------------------------------------------------------------- every layer
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
