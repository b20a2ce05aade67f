"""Emitters for pooling layers (Max/Average, Global)."""

from __future__ import annotations

from engine.export.onnx.builder import _cfg
from engine.export.onnx.conv import _same_pads, _spatial


def _pool(op_type):
    def emit(b, layer, xs, shapes):
        cfg = _cfg(layer)
        rank = len(shapes[0])
        n = rank - 2
        pool = _spatial(cfg, "pool_size", n)
        strides = cfg.get("strides") or pool
        strides = [int(strides)] * n if isinstance(strides, int) else [int(s) for s in strides]
        attrs = {"kernel_shape": pool, "strides": strides}
        channels_first = cfg.get("data_format") == "channels_first"
        if cfg.get("padding", "valid") == "same":
            spatial = shapes[0][2:] if channels_first else shapes[0][1:-1]
            pads = _same_pads(spatial, pool, strides, [1] * n)
            if pads is None:
                attrs["auto_pad"] = "SAME_UPPER"
            else:
                attrs["pads"] = pads
        x = xs[0] if channels_first else b.to_channels_first(xs[0], rank, layer.name)
        y = b.op(op_type, [x], layer.name, **attrs)
        return y if channels_first else b.to_channels_last(y, rank, layer.name)

    return emit


def _global_pool(op_type):
    def emit(b, layer, xs, shapes):
        cfg = _cfg(layer)
        rank = len(shapes[0])
        axes = list(range(2, rank)) if cfg.get("data_format") == "channels_first" else list(range(1, rank - 1))
        return b.op(op_type, [xs[0]], layer.name, axes=axes, keepdims=int(bool(cfg.get("keepdims", False))))

    return emit
