"""Emitter for Embedding (a Gather)."""

from __future__ import annotations

from engine.export.onnx.builder import _weights


def _embedding(b, layer, xs, shapes):
    w = _weights(layer)[0]
    idx = b.op("Cast", [xs[0]], layer.name, to=7)  # int64
    return b.op("Gather", [b.const(f"{layer.name}_embeddings", w), idx], layer.name, axis=0)
