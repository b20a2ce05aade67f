"""Emitters for engine/layers/core.py (Dense, Activation, ReLU, LeakyReLU, ELU, Softmax, Flatten, Reshape) and
the identity used by every inference-time no-op (Dropout, noise layers, Identity)."""

from __future__ import annotations

import numpy as np

from engine.export.onnx.builder import _cfg, _weights


def _dense(b, layer, xs, shapes):
    cfg, w = _cfg(layer), _weights(layer)
    y = b.op("MatMul", [xs[0], b.const(f"{layer.name}_kernel", w[0])], layer.name)
    if cfg.get("use_bias", True):
        y = b.op("Add", [y, b.const(f"{layer.name}_bias", w[1])], layer.name)
    return b.activation(cfg.get("activation"), y, layer.name)


def _activation_layer(b, layer, xs, shapes):
    return b.activation(_cfg(layer).get("activation"), xs[0], layer.name)


def _relu_layer(b, layer, xs, shapes):
    cfg = _cfg(layer)
    if cfg.get("threshold", 0.0) or cfg.get("negative_slope", 0.0):
        if not cfg.get("threshold", 0.0) and cfg.get("max_value") is None:
            return b.op("LeakyRelu", [xs[0]], layer.name, alpha=float(cfg["negative_slope"]))
        raise NotImplementedError(f"ONNX export: ReLU {layer.name!r} with threshold/negative_slope and max_value.")
    y = b.op("Relu", [xs[0]], layer.name)
    if cfg.get("max_value") is not None:
        y = b.op("Clip", [y, b.const("zero", 0.0), b.const("max", float(cfg["max_value"]))], layer.name)
    return y


def _leaky(b, layer, xs, shapes):
    cfg = _cfg(layer)
    return b.op("LeakyRelu", [xs[0]], layer.name, alpha=float(cfg.get("negative_slope", cfg.get("alpha", 0.3))))


def _elu(b, layer, xs, shapes):
    return b.op("Elu", [xs[0]], layer.name, alpha=float(_cfg(layer).get("alpha", 1.0)))


def _softmax(b, layer, xs, shapes):
    axis = _cfg(layer).get("axis", -1)
    return b.op("Softmax", [xs[0]], layer.name, axis=int(axis[0] if isinstance(axis, list) else axis))


def _identity(b, layer, xs, shapes):
    return b.op("Identity", [xs[0]], layer.name)


def _flatten(b, layer, xs, shapes):
    if _cfg(layer).get("data_format") == "channels_first" and len(shapes[0]) > 2:
        x = b.to_channels_first(xs[0], len(shapes[0]), layer.name)
        return b.op("Flatten", [x], layer.name, axis=1)
    return b.op("Flatten", [xs[0]], layer.name, axis=1)


def _reshape(b, layer, xs, shapes):
    target = [int(s) for s in _cfg(layer)["target_shape"]]
    return b.op("Reshape", [xs[0], b.const("shape", [0, *target], np.int64)], layer.name)
