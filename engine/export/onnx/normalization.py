"""Emitters for BatchNormalization (folded into one Mul and one Add) and LayerNormalization."""

from __future__ import annotations

import numpy as np

from engine.export.onnx.builder import _cfg, _weights


def _batchnorm(b, layer, xs, shapes):
    cfg, w = _cfg(layer), list(_weights(layer))
    gamma = w.pop(0) if cfg.get("scale", True) else None
    beta = w.pop(0) if cfg.get("center", True) else None
    mean, var = w[0].astype(np.float64), w[1].astype(np.float64)
    scale = 1.0 / np.sqrt(var + float(cfg.get("epsilon", 1e-3)))
    if gamma is not None:
        scale = scale * gamma
    shift = -mean * scale + (beta if beta is not None else 0.0)
    rank, axis = len(shapes[0]), cfg.get("axis", -1)
    axis = axis[0] if isinstance(axis, list | tuple) else int(axis)
    axis = axis % rank
    shape = [1] * rank
    shape[axis] = scale.shape[0]
    shape = shape[1:]  # broadcast against (batch, ...)
    y = b.op("Mul", [xs[0], b.const(f"{layer.name}_scale", scale.reshape(shape))], layer.name)
    return b.op("Add", [y, b.const(f"{layer.name}_shift", shift.reshape(shape))], layer.name)


def _layernorm(b, layer, xs, shapes):
    cfg, w = _cfg(layer), list(_weights(layer))
    axis = cfg.get("axis", -1)
    if isinstance(axis, list | tuple):
        if len(axis) != 1:
            raise NotImplementedError(f"ONNX export: LayerNormalization {layer.name!r} over several axes.")
        axis = axis[0]
    if axis % len(shapes[0]) != len(shapes[0]) - 1:
        raise NotImplementedError(f"ONNX export: LayerNormalization {layer.name!r} only on the last axis.")
    dim = None
    gamma = w.pop(0) if cfg.get("scale", True) else None
    beta = w.pop(0) if cfg.get("center", True) else None
    dim = (gamma if gamma is not None else beta).shape[0] if (gamma is not None or beta is not None) else None
    if dim is None:
        raise NotImplementedError(f"ONNX export: LayerNormalization {layer.name!r} without scale and center.")
    inputs = [xs[0], b.const(f"{layer.name}_gamma", gamma if gamma is not None else np.ones(dim))]
    inputs.append(b.const(f"{layer.name}_beta", beta if beta is not None else np.zeros(dim)))
    return b.op("LayerNormalization", inputs, layer.name, axis=-1, epsilon=float(cfg.get("epsilon", 1e-3)))
