"""``to_onnx``: walk the model's layer calls, emit each through ``EMITTERS``, check and save the ONNX model."""

from __future__ import annotations

import os

from engine.export.onnx.builder import _Builder, _onnx
from engine.export.onnx.emitters import EMITTERS

OPSET = 17

_ONNX_DTYPES = {"float32": 1, "float64": 11, "int32": 6, "int64": 7, "float16": 10, "uint8": 2, "int8": 3,
                "bool": 9}


def to_onnx(model, path, opset: int = OPSET) -> str:
    """Write ``model`` (Sequential or functional) as an ONNX file; returns the path.

    Inputs are named after the model's Input layers, outputs ``output_0``, ... with a dynamic batch size.
    """
    onnx, helper, _ = _onnx()
    from engine.saving.graph_walk import walk  # noqa: PLC0415

    b = _Builder()
    graph = walk(model)
    names: dict[int, str] = {}
    inputs = []
    for i, t in enumerate(graph.inputs):
        name = graph.input_names[i]
        names[id(t)] = name
        dtype = _ONNX_DTYPES.get(str(graph.input_dtypes[i]), 1)
        shape = ["batch", *[d if d is not None else f"{name}_d{j + 1}" for j, d in enumerate(graph.shape(t)[1:])]]
        inputs.append(helper.make_tensor_value_info(name, dtype, shape))
    for call in graph.calls:
        layer = call.layer
        kind = type(layer).__name__
        emitter = EMITTERS.get(kind)
        if emitter is None:
            raise NotImplementedError(f"ONNX export: layer {layer.name!r} ({kind}) has no ONNX mapping.")
        xs = [names[id(t)] for t in call.inputs]
        shapes = [tuple(graph.shape(t)) for t in call.inputs]
        out = emitter(b, layer, xs, shapes)
        outs = out if isinstance(out, list) else [out]
        for t, o in zip(call.outputs, outs, strict=True):
            names[id(t)] = o
    outputs = []
    for i, t in enumerate(graph.outputs):
        final = f"output_{i}"
        b.nodes.append(helper.make_node("Identity", [names[id(t)]], [final], name=f"out_{i}"))
        shape = ["batch", *[d if d is not None else f"out{i}_d{j + 1}" for j, d in enumerate(graph.shape(t)[1:])]]
        outputs.append(helper.make_tensor_value_info(final, 1, shape))
    g = helper.make_graph(b.nodes, getattr(model, "name", None) or "model", inputs, outputs, b.initializers)
    proto = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="modelbuilder-engine")
    proto.ir_version = min(proto.ir_version, 8)
    onnx.checker.check_model(proto)
    path = os.fspath(path)
    onnx.save(proto, path)
    return path
