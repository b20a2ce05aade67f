"""engine.graph.build: build_model / Model.from_graph match validate, order inputs, share layers, raise GraphError."""

from __future__ import annotations

import numpy as np
import pytest

from engine.graph import GraphError, build_model, validate

from .graphs import VALID, cnn, e, mlp, n, shared


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
