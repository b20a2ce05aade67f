"""Graph JSON builders shared by the engine.graph tests: nodes, edges, chains and five valid designs."""

from __future__ import annotations

from engine.catalog import load_layers

load_layers()


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


def _refuse(self, *args, **kwargs):
    raise AssertionError("validate allocated a weight")
