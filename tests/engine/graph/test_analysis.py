"""engine.graph.analysis: validate's answer (shapes, params, memory) and that it never raises."""

from __future__ import annotations

import copy
import json
import random

from engine.graph import build_model, validate

from .graphs import VALID, e, mlp, n


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
