"""engine.graph.shapes: inferred shapes and parameter counts, and shape errors that name the node."""

from __future__ import annotations

import math

from engine.graph import validate

from .graphs import chain, cnn, e, errors_on, lstm, n


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


def test_multi_output_layer_cannot_feed_an_edge():
    g = chain(n("in", "Input", shape=[5, 2]), n("rnn", "LSTM", units=3, return_state=True), n("out", "Dense", units=1))
    r = validate(g)
    [err] = errors_on(r, "out")
    assert "several outputs" in err["message"]
    assert len(r["shapes"]["rnn"]) == 3


def test_huge_sizes_stay_cheap():
    g = chain(n("in", "Input", shape=[10 ** 6]), n("d", "Dense", units=10 ** 6))
    r = validate(g)
    assert r["ok"] and r["total_params"] == 10 ** 12 + 10 ** 6
    assert math.isfinite(r["memory_bytes"])
