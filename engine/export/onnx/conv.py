"""Emitters for convolutions (Conv, Depthwise, Separable, Transpose): NHWC wrapped in Transposes to NCHW, and
TensorFlow's "same" padding as explicit pads."""

from __future__ import annotations

from engine.export.onnx.builder import _cfg, _weights


def _same_pads(spatial, kernel, strides, dilations):
    """TensorFlow's "same" padding (extra cell at the end) as explicit ONNX pads, or None if a size is unknown."""
    if any(n is None for n in spatial):
        return None
    before, after = [], []
    for n, k, s, d in zip(spatial, kernel, strides, dilations, strict=True):
        out = -(-n // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
        before.append(total // 2)
        after.append(total - total // 2)
    return before + after


def _spatial(cfg, key, n):
    v = cfg.get(key, 1)
    return [int(v)] * n if isinstance(v, int) else [int(i) for i in v]


def _conv(b, layer, xs, shapes):
    cfg, w = _cfg(layer), _weights(layer)
    rank = len(shapes[0])
    n = rank - 2
    channels_first = cfg.get("data_format") == "channels_first"
    spatial = shapes[0][2:] if channels_first else shapes[0][1:-1]
    kernel = w[0]  # (*k, in/groups, out) → (out, in/groups, *k)
    kernel = kernel.transpose(n + 1, n, *range(n))
    attrs = {"strides": _spatial(cfg, "strides", n), "dilations": _spatial(cfg, "dilation_rate", n),
             "group": int(cfg.get("groups", 1)), "kernel_shape": list(kernel.shape[2:])}
    padding = cfg.get("padding", "valid")
    if padding == "same":
        pads = _same_pads(spatial, attrs["kernel_shape"], attrs["strides"], attrs["dilations"])
        if pads is None:
            attrs["auto_pad"] = "SAME_UPPER"
        else:
            attrs["pads"] = pads
    elif padding == "causal":
        k, d = attrs["kernel_shape"][0], attrs["dilations"][0]
        attrs["pads"] = [(k - 1) * d, 0]
    return _kernel_op(b, layer, xs, shapes, "Conv", kernel, w[1] if cfg.get("use_bias", True) else None, attrs,
                      cfg.get("activation"))


def _depthwise(b, layer, xs, shapes):
    cfg, w = _cfg(layer), _weights(layer)
    rank = len(shapes[0])
    n = rank - 2
    kernel = w[0]  # (*k, in, multiplier) → (in * multiplier, 1, *k)
    k_shape = kernel.shape[:n]
    channels = kernel.shape[n] * kernel.shape[n + 1]
    kernel = kernel.reshape(*k_shape, 1, channels).transpose(n + 1, n, *range(n))
    return _conv_like(b, layer, xs, shapes, kernel, w[1] if cfg.get("use_bias", True) else None,
                      group=int(w[0].shape[n]), activation=cfg.get("activation"))


def _separable(b, layer, xs, shapes):
    cfg, w = _cfg(layer), _weights(layer)
    rank = len(shapes[0])
    n = rank - 2
    depth, point = w[0], w[1]
    k_shape = depth.shape[:n]
    channels = depth.shape[n] * depth.shape[n + 1]
    depth = depth.reshape(*k_shape, 1, channels).transpose(n + 1, n, *range(n))
    y = _conv_like(b, layer, xs, shapes, depth, None, group=int(w[0].shape[n]), activation=None, channels_last=False)
    point = point.transpose(n + 1, n, *range(n))  # (1.., in*mult, filters) → (filters, in*mult, 1..)
    inputs = [y, b.const(f"{layer.name}_pointwise", point)]
    if cfg.get("use_bias", True):
        inputs.append(b.const(f"{layer.name}_bias", w[2]))
    y = b.op("Conv", inputs, layer.name, kernel_shape=[1] * n)
    if cfg.get("data_format") != "channels_first":
        y = b.to_channels_last(y, rank, layer.name)
    return b.activation(cfg.get("activation"), y, layer.name)


def _conv_like(b, layer, xs, shapes, kernel, bias, group, activation, channels_last=True):
    """A Conv node with the layer's strides/dilation/padding; returns channels-last unless told otherwise."""
    cfg, rank = _cfg(layer), len(shapes[0])
    n = rank - 2
    channels_first = cfg.get("data_format") == "channels_first"
    spatial = shapes[0][2:] if channels_first else shapes[0][1:-1]
    attrs = {"strides": _spatial(cfg, "strides", n), "dilations": _spatial(cfg, "dilation_rate", n),
             "group": group, "kernel_shape": list(kernel.shape[2:])}
    if cfg.get("padding", "valid") == "same":
        pads = _same_pads(spatial, attrs["kernel_shape"], attrs["strides"], attrs["dilations"])
        if pads is None:
            attrs["auto_pad"] = "SAME_UPPER"
        else:
            attrs["pads"] = pads
    return _kernel_op(b, layer, xs, shapes, "Conv", kernel, bias, attrs, activation, channels_last)


def _kernel_op(b, layer, xs, shapes, op_type, kernel, bias, attrs, activation, channels_last=True):
    """``op_type`` (Conv / ConvTranspose) on the NCHW view of the input with ``kernel`` (+ ``bias``), back to
    channels-last (unless ``channels_last`` is False: the raw NCHW output) and through ``activation``."""
    rank = len(shapes[0])
    channels_first = _cfg(layer).get("data_format") == "channels_first"
    x = xs[0] if channels_first else b.to_channels_first(xs[0], rank, layer.name)
    inputs = [x, b.const(f"{layer.name}_kernel", kernel)]
    if bias is not None:
        inputs.append(b.const(f"{layer.name}_bias", bias))
    y = b.op(op_type, inputs, layer.name, **attrs)
    if not channels_last:
        return y
    if not channels_first:
        y = b.to_channels_last(y, rank, layer.name)
    return b.activation(activation, y, layer.name)


def _conv_transpose(b, layer, xs, shapes):
    cfg, w = _cfg(layer), _weights(layer)
    rank = len(shapes[0])
    n = rank - 2
    kernel = w[0].transpose(n + 1, n, *range(n))  # (*k, out, in) → (in, out, *k)
    strides, dilations = _spatial(cfg, "strides", n), _spatial(cfg, "dilation_rate", n)
    ks = list(kernel.shape[2:])
    attrs = {"strides": strides, "dilations": dilations, "kernel_shape": ks}
    if cfg.get("output_padding") is not None:
        raise NotImplementedError(f"ONNX export: {type(layer).__name__} {layer.name!r} with output_padding.")
    if cfg.get("padding", "valid") == "same":
        begin, end, extra = [], [], []
        for k, s, d in zip(ks, strides, dilations, strict=True):
            total = (k - 1) * d + 1 - s
            if total >= 0:
                begin.append(total // 2)
                end.append(total - total // 2)
                extra.append(0)
            else:
                begin.append(0)
                end.append(0)
                extra.append(-total)
        attrs["pads"] = begin + end
        if any(extra):
            attrs["output_padding"] = extra
    else:
        extra = [max(s - ((k - 1) * d + 1), 0) for k, s, d in zip(ks, strides, dilations, strict=True)]
        if any(extra):
            attrs["output_padding"] = extra
    return _kernel_op(b, layer, xs, shapes, "ConvTranspose", kernel, w[1] if cfg.get("use_bias", True) else None,
                      attrs, cfg.get("activation"))
