"""Emitters for engine/layers/reshaping.py: Permute, ZeroPadding, Cropping, UpSampling, RepeatVector."""

from __future__ import annotations

import numpy as np

from engine.export.onnx.builder import _cfg


def _permute(b, layer, xs, shapes):
    return b.op("Transpose", [xs[0]], layer.name, perm=[0, *[int(d) for d in _cfg(layer)["dims"]]])


def _spatial_axes(cfg, rank):
    return list(range(2, rank)) if cfg.get("data_format") == "channels_first" else list(range(1, rank - 1))


def _pairs(value, n):
    """ZeroPadding/Cropping arguments → [(before, after)] * n."""
    if isinstance(value, int):
        return [(value, value)] * n
    value = list(value)
    if n == 1 and len(value) == 2 and all(isinstance(v, int) for v in value):
        return [(value[0], value[1])]  # 1-D layers: (before, after)
    if len(value) != n:
        raise NotImplementedError(f"ONNX export: unreadable padding/cropping {value!r}.")
    return [(v, v) if isinstance(v, int) else (int(v[0]), int(v[1])) for v in value]


def _zero_padding(b, layer, xs, shapes):
    cfg, rank = _cfg(layer), len(shapes[0])
    axes = _spatial_axes(cfg, rank)
    pad = _pairs(cfg["padding"], len(axes))
    begin, end = [0] * rank, [0] * rank
    for axis, (p0, p1) in zip(axes, pad, strict=True):
        begin[axis], end[axis] = p0, p1
    return b.op("Pad", [xs[0], b.const("pads", begin + end, np.int64)], layer.name, mode="constant")


def _cropping(b, layer, xs, shapes):
    cfg, rank = _cfg(layer), len(shapes[0])
    axes = _spatial_axes(cfg, rank)
    crop = _pairs(cfg["cropping"], len(axes))
    starts, ends = [c0 for c0, _ in crop], [-c1 if c1 else np.iinfo(np.int64).max for _, c1 in crop]
    return b.op("Slice", [xs[0], b.const("starts", starts, np.int64), b.const("ends", ends, np.int64),
                          b.const("axes", axes, np.int64)], layer.name)


def _upsampling(b, layer, xs, shapes):
    cfg, rank = _cfg(layer), len(shapes[0])
    size = cfg.get("size", 2)
    size = [int(size)] * (rank - 2) if isinstance(size, int) else [int(v) for v in size]
    scales = [1.0] * rank
    for axis, k in zip(_spatial_axes(cfg, rank), size, strict=True):
        scales[axis] = float(k)
    if cfg.get("interpolation", "nearest") == "bilinear":
        # Keras' bilinear uses half-pixel centres; ONNX "linear" interpolates every spatial axis (scale 1 on N/C).
        return b.op("Resize", [xs[0], "", b.const("scales", scales)], layer.name, mode="linear",
                    coordinate_transformation_mode="half_pixel")
    return b.op("Resize", [xs[0], "", b.const("scales", scales)], layer.name, mode="nearest",
                coordinate_transformation_mode="asymmetric", nearest_mode="floor")


def _repeat_vector(b, layer, xs, shapes):
    n = int(_cfg(layer)["n"])
    y = b.op("Unsqueeze", [xs[0], b.const("axis1", [1], np.int64)], layer.name)
    return b.op("Tile", [y, b.const("repeats", [1, n, 1], np.int64)], layer.name)
