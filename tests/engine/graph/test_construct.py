"""engine.graph.construct: layer constructors' messages and Input params."""

from __future__ import annotations

from engine.graph import validate

from .graphs import errors_on, mlp


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
