"""engine.graph.dense_on_spatial: Dense after a convolution → error or warning with the Flatten fix."""

from __future__ import annotations

from engine.graph import validate

from .graphs import chain, e, errors_on, n


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
