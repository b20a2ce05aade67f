"""Emitters for merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, 2-D Dot)."""

from __future__ import annotations

import numpy as np

from engine.export.onnx.builder import _cfg


def _merge(op_type, mean=False):
    def emit(b, layer, xs, shapes):
        if op_type == "Sub":
            return b.op("Sub", xs, layer.name)
        y = b.op(op_type, xs, layer.name) if len(xs) > 1 else b.op("Identity", xs, layer.name)
        if mean:
            y = b.op("Mul", [y, b.const("inv_n", 1.0 / len(xs))], layer.name)
        return y

    return emit


def _concat(b, layer, xs, shapes):
    return b.op("Concat", xs, layer.name, axis=int(_cfg(layer).get("axis", -1)))


def _dot(b, layer, xs, shapes):
    cfg = _cfg(layer)
    axes = cfg.get("axes")
    axes = [axes, axes] if isinstance(axes, int) else list(axes)
    if cfg.get("normalize") or any(len(s) != 2 for s in shapes) or any(a % 2 != 1 for a in axes):
        raise NotImplementedError(f"ONNX export: Dot {layer.name!r} only for 2-D inputs without normalize.")
    y = b.op("Mul", xs, layer.name)
    return b.op("ReduceSum", [y, b.const("axis", [-1], np.int64)], layer.name, keepdims=1)
