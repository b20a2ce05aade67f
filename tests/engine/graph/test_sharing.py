"""engine.graph.sharing (and its parameter counting): shared_with counts weights once; bad references."""

from __future__ import annotations

from engine.graph import validate

from .graphs import errors_on, shared


def test_shared_layer_counts_weights_once():
    r = validate(shared())
    assert r["ok"], r["errors"]
    assert r["params"]["s1"] == 6 * 8 + 8 and r["params"]["s2"] == 0
    assert r["shapes"]["s2"] == [None, 8]
    assert r["total_params"] == 56 + 9


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
