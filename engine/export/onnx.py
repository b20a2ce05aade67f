"""Export an engine model to ONNX (``to_onnx(model, path)``), built with the ``onnx`` helper API.

Layouts follow the engine (Keras, channels_last): convolutions and pooling are wrapped in Transposes to
ONNX's NCHW; Dense is MatMul(+Add); BatchNormalization (inference) folds into one Mul and one Add; Embedding
is Gather; LSTM/GRU/SimpleRNN (and Bidirectional) map to ONNX's recurrent ops with Keras' gate order
converted (Keras LSTM i,f,c,o → ONNX i,o,f,c; GRU z,r,h is the same, ``reset_after=True`` is
``linear_before_reset=1``). Also: Depthwise/Separable/Transposed convolutions, ZeroPadding, Cropping,
UpSampling, RepeatVector, Permute, TimeDistributed(Dense...), Dot (2-D). "same" padding is TensorFlow's
(extra cell at the end), written as explicit pads. Layers without a mapping raise ``NotImplementedError``
naming them.
"""

from __future__ import annotations

import os

import numpy as np

from engine.backend import to_cpu

OPSET = 17


def _onnx():
    try:
        import onnx  # noqa: PLC0415 - optional (dev extra)
        from onnx import helper, numpy_helper  # noqa: PLC0415
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("ONNX export needs the `onnx` package (pip install onnx).") from e
    return onnx, helper, numpy_helper


def _cfg(layer) -> dict:
    return layer.get_config()


def _weights(layer) -> list[np.ndarray]:
    from engine.saving.legacy_h5 import legacy_weights  # noqa: PLC0415

    return [np.asarray(to_cpu(w.data)) for w in legacy_weights(layer)]


def _activation_name(value) -> str:
    if value is None:
        return "linear"
    if isinstance(value, dict):
        value = value.get("config") if value.get("class_name") == "function" else value.get("class_name")
    if callable(value):
        from engine import activations  # noqa: PLC0415

        value = activations.serialize(value)
    return str(value).lower()


class _Builder:
    def __init__(self):
        _, self.helper, self.numpy_helper = _onnx()
        self.nodes, self.initializers, self._n = [], [], 0
        self.shapes: dict[str, int] = {}

    def fresh(self, hint: str) -> str:
        self._n += 1
        return f"{hint}_{self._n}"

    def const(self, hint: str, value, dtype=np.float32) -> str:
        name = self.fresh(hint)
        self.initializers.append(self.numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type: str, inputs, hint: str, n_out: int = 1, **attrs) -> str | list[str]:
        outs = [self.fresh(f"{hint}_{op_type}") for _ in range(n_out)]
        self.nodes.append(self.helper.make_node(op_type, list(inputs), outs, name=self.fresh(hint), **attrs))
        return outs[0] if n_out == 1 else outs

    # ---- activations
    def activation(self, name, x: str, hint: str) -> str:
        a = _activation_name(name)
        simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softplus": "Softplus",
                  "softsign": "Softsign", "selu": "Selu", "elu": "Elu", "exponential": "Exp"}
        if a in ("linear", "identity"):
            return x
        if a in simple:
            return self.op(simple[a], [x], hint)
        if a == "softmax":
            return self.op("Softmax", [x], hint, axis=-1)
        if a == "log_softmax":
            return self.op("LogSoftmax", [x], hint, axis=-1)
        if a in ("swish", "silu"):
            return self.op("Mul", [x, self.op("Sigmoid", [x], hint)], hint)
        if a == "relu6":
            return self.op("Clip", [x, self.const("zero", 0.0), self.const("six", 6.0)], hint)
        if a == "hard_sigmoid":
            return self.op("HardSigmoid", [x], hint, alpha=1.0 / 6.0, beta=0.5)
        if a == "leaky_relu":
            return self.op("LeakyRelu", [x], hint, alpha=0.2)
        if a == "gelu":  # exact: 0.5 x (1 + erf(x / sqrt 2))
            erf = self.op("Erf", [self.op("Mul", [x, self.const("rsqrt2", 1 / np.sqrt(2))], hint)], hint)
            half = self.op("Mul", [x, self.const("half", 0.5)], hint)
            return self.op("Mul", [half, self.op("Add", [erf, self.const("one", 1.0)], hint)], hint)
        raise NotImplementedError(f"ONNX export: activation {a!r} is not supported.")

    def to_channels_first(self, x: str, rank: int, hint: str) -> str:
        return self.op("Transpose", [x], hint, perm=[0, rank - 1, *range(1, rank - 1)])

    def to_channels_last(self, x: str, rank: int, hint: str) -> str:
        return self.op("Transpose", [x], hint, perm=[0, *range(2, rank), 1])


# ---- layer emitters: (builder, layer, inputs: list[str], shapes: list[tuple]) -> output name(s) ----------
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

def _dense(b, layer, xs, shapes):
    cfg, w = _cfg(layer), _weights(layer)
    y = b.op("MatMul", [xs[0], b.const(f"{layer.name}_kernel", w[0])], layer.name)
    if cfg.get("use_bias", True):
        y = b.op("Add", [y, b.const(f"{layer.name}_bias", w[1])], layer.name)
    return b.activation(cfg.get("activation"), y, layer.name)


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
    x = xs[0] if channels_first else b.to_channels_first(xs[0], rank, layer.name)
    inputs = [x, b.const(f"{layer.name}_kernel", kernel)]
    if cfg.get("use_bias", True):
        inputs.append(b.const(f"{layer.name}_bias", w[1]))
    y = b.op("Conv", inputs, layer.name, **attrs)
    if not channels_first:
        y = b.to_channels_last(y, rank, layer.name)
    return b.activation(cfg.get("activation"), y, layer.name)


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


def _permute(b, layer, xs, shapes):
    return b.op("Transpose", [xs[0]], layer.name, perm=[0, *[int(d) for d in _cfg(layer)["dims"]]])


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


def _embedding(b, layer, xs, shapes):
    w = _weights(layer)[0]
    idx = b.op("Cast", [xs[0]], layer.name, to=7)  # int64
    return b.op("Gather", [b.const(f"{layer.name}_embeddings", w), idx], layer.name, axis=0)


_RNN_ACTS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "linear": "Affine"}


def _rnn_acts(layer, keys):
    cfg = _cfg(layer)
    out = []
    for key in keys:
        name = _activation_name(cfg.get(key))
        if name not in _RNN_ACTS or name == "linear":
            raise NotImplementedError(f"ONNX export: {type(layer).__name__} {layer.name!r} with {key}={name!r}.")
        out.append(_RNN_ACTS[name])
    return out


def _rnn_params(layer):
    """(ONNX op, W, R, B, attrs) of one LSTM/GRU/SimpleRNN layer, Keras gate order converted."""
    kind = type(layer).__name__
    cfg, w = _cfg(layer), _weights(layer)
    if cfg.get("return_state") or cfg.get("stateful"):
        raise NotImplementedError(f"ONNX export: {kind} {layer.name!r} with return_state/stateful.")
    units = int(cfg["units"])
    kernel, recurrent = w[0], w[1]
    bias = w[2] if cfg.get("use_bias", True) else None
    if kind == "LSTM":
        def reorder(m):  # Keras i,f,c,o → ONNX i,o,f,c along the last axis
            i, f, c, o = np.split(m, 4, axis=-1)
            return np.concatenate([i, o, f, c], axis=-1)

        W, R = reorder(kernel).T, reorder(recurrent).T
        B = np.zeros(8 * units, np.float32)
        if bias is not None:
            B[:4 * units] = reorder(bias)
        acts = _rnn_acts(layer, ("recurrent_activation", "activation")) + _rnn_acts(layer, ("activation",))
        return "LSTM", W, R, B, {"activations": acts}, units
    if kind == "GRU":
        B = np.zeros(6 * units, np.float32)
        reset_after = cfg.get("reset_after", True)
        if bias is not None:
            if reset_after:
                B[:3 * units], B[3 * units:] = bias[0], bias[1]
            else:
                B[:3 * units] = bias
        return "GRU", kernel.T, recurrent.T, B, {
            "activations": _rnn_acts(layer, ("recurrent_activation", "activation")),
            "linear_before_reset": int(bool(reset_after))}, units
    if kind == "SimpleRNN":
        B = np.zeros(2 * units, np.float32)
        if bias is not None:
            B[:units] = bias
        return "RNN", kernel.T, recurrent.T, B, {"activations": _rnn_acts(layer, ("activation",))}, units
    raise NotImplementedError(f"ONNX export: recurrent layer {layer.name!r} ({kind}).")


def _run_rnn(b, name, x, params, direction):
    op, W, R, B, attrs, units = params
    inputs = [x, b.const(f"{name}_W", W), b.const(f"{name}_R", R), b.const(f"{name}_B", B)]
    return b.op(op, inputs, name, n_out=2, hidden_size=units, direction=direction, **attrs)


def _recurrent(kind):
    def emit(b, layer, xs, shapes):
        cfg = _cfg(layer)
        if cfg.get("go_backwards"):
            raise NotImplementedError(f"ONNX export: {kind} {layer.name!r} with go_backwards.")
        p = _rnn_params(layer)
        x = b.op("Transpose", [xs[0]], layer.name, perm=[1, 0, 2])  # (time, batch, features)
        y, y_h = _run_rnn(b, layer.name, x, (p[0], p[1][None], p[2][None], p[3][None], p[4], p[5]), "forward")
        if cfg.get("return_sequences"):
            y = b.op("Squeeze", [y, b.const("axis1", [1], np.int64)], layer.name)  # (time, batch, units)
            return b.op("Transpose", [y], layer.name, perm=[1, 0, 2])
        return b.op("Squeeze", [y_h, b.const("axis0", [0], np.int64)], layer.name)

    return emit


def _bidirectional(b, layer, xs, shapes):
    cfg = _cfg(layer)
    fwd, bwd = _rnn_params(layer.forward_layer), _rnn_params(layer.backward_layer)
    if fwd[0] != bwd[0] or fwd[4] != bwd[4]:
        raise NotImplementedError(f"ONNX export: Bidirectional {layer.name!r} with different directions.")
    units = fwd[5]
    attrs = {**fwd[4], "activations": fwd[4]["activations"] * 2}  # one list per direction
    stacked = (fwd[0], np.stack([fwd[1], bwd[1]]), np.stack([fwd[2], bwd[2]]), np.stack([fwd[3], bwd[3]]),
               attrs, units)
    x = b.op("Transpose", [xs[0]], layer.name, perm=[1, 0, 2])
    y, y_h = _run_rnn(b, layer.name, x, stacked, "bidirectional")
    sequences = bool(_cfg(layer.forward_layer).get("return_sequences"))
    if sequences:  # (time, 2, batch, units) → (batch, time, 2, units)
        y = b.op("Transpose", [y], layer.name, perm=[2, 0, 1, 3])
        parts_axis = 2
    else:  # (2, batch, units) → (batch, 2, units)
        y = b.op("Transpose", [y_h], layer.name, perm=[1, 0, 2])
        parts_axis = 1
    mode = cfg.get("merge_mode", "concat")
    if mode == "concat":
        shape = [0, 0, 2 * units] if sequences else [0, 2 * units]
        return b.op("Reshape", [y, b.const("shape", shape, np.int64)], layer.name)
    f, r = b.op("Split", [y, b.const("split", [1, 1], np.int64)], layer.name, n_out=2, axis=parts_axis)
    f = b.op("Squeeze", [f, b.const("axis", [parts_axis], np.int64)], layer.name)
    r = b.op("Squeeze", [r, b.const("axis", [parts_axis], np.int64)], layer.name)
    if mode == "sum":
        return b.op("Add", [f, r], layer.name)
    if mode == "mul":
        return b.op("Mul", [f, r], layer.name)
    if mode == "ave":
        return b.op("Mul", [b.op("Add", [f, r], layer.name), b.const("half", 0.5)], layer.name)
    raise NotImplementedError(f"ONNX export: Bidirectional {layer.name!r} with merge_mode={mode!r}.")


# ---- more layer families ------------------------------------------------------------------------------
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
    return b.op("Resize", [xs[0], "", b.const("scales", scales)], layer.name, mode="nearest",
                coordinate_transformation_mode="asymmetric", nearest_mode="floor")


def _repeat_vector(b, layer, xs, shapes):
    n = int(_cfg(layer)["n"])
    y = b.op("Unsqueeze", [xs[0], b.const("axis1", [1], np.int64)], layer.name)
    return b.op("Tile", [y, b.const("repeats", [1, n, 1], np.int64)], layer.name)


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
    x = xs[0] if channels_first else b.to_channels_first(xs[0], rank, layer.name)
    inputs = [x, b.const(f"{layer.name}_kernel", kernel)]
    if bias is not None:
        inputs.append(b.const(f"{layer.name}_bias", bias))
    y = b.op("Conv", inputs, layer.name, **attrs)
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
    channels_first = cfg.get("data_format") == "channels_first"
    x = xs[0] if channels_first else b.to_channels_first(xs[0], rank, layer.name)
    inputs = [x, b.const(f"{layer.name}_kernel", kernel)]
    if cfg.get("use_bias", True):
        inputs.append(b.const(f"{layer.name}_bias", w[1]))
    y = b.op("ConvTranspose", inputs, layer.name, **attrs)
    if not channels_first:
        y = b.to_channels_last(y, rank, layer.name)
    return b.activation(cfg.get("activation"), y, layer.name)


def _time_distributed(b, layer, xs, shapes):
    inner = layer.layer
    if type(inner).__name__ in ("Dense", "Activation", "Dropout", "ReLU", "LeakyReLU", "ELU", "Softmax",
                                "Identity", "BatchNormalization", "LayerNormalization"):
        return EMITTERS[type(inner).__name__](b, inner, xs, shapes)
    raise NotImplementedError(f"ONNX export: TimeDistributed {layer.name!r} around {type(inner).__name__}.")


def _dot(b, layer, xs, shapes):
    cfg = _cfg(layer)
    axes = cfg.get("axes")
    axes = [axes, axes] if isinstance(axes, int) else list(axes)
    if cfg.get("normalize") or any(len(s) != 2 for s in shapes) or any(a % 2 != 1 for a in axes):
        raise NotImplementedError(f"ONNX export: Dot {layer.name!r} only for 2-D inputs without normalize.")
    y = b.op("Mul", xs, layer.name)
    return b.op("ReduceSum", [y, b.const("axis", [-1], np.int64)], layer.name, keepdims=1)


EMITTERS = {
    "Dense": _dense, "Conv1D": _conv, "Conv2D": _conv, "Conv3D": _conv,
    "MaxPooling1D": _pool("MaxPool"), "MaxPooling2D": _pool("MaxPool"), "MaxPooling3D": _pool("MaxPool"),
    "AveragePooling1D": _pool("AveragePool"), "AveragePooling2D": _pool("AveragePool"),
    "AveragePooling3D": _pool("AveragePool"),
    "GlobalAveragePooling1D": _global_pool("ReduceMean"), "GlobalAveragePooling2D": _global_pool("ReduceMean"),
    "GlobalMaxPooling1D": _global_pool("ReduceMax"), "GlobalMaxPooling2D": _global_pool("ReduceMax"),
    "BatchNormalization": _batchnorm, "LayerNormalization": _layernorm,
    "Activation": _activation_layer, "ReLU": _relu_layer, "LeakyReLU": _leaky, "ELU": _elu, "Softmax": _softmax,
    "Dropout": _identity, "SpatialDropout1D": _identity, "SpatialDropout2D": _identity,
    "GaussianNoise": _identity, "GaussianDropout": _identity, "AlphaDropout": _identity, "Identity": _identity,
    "ActivityRegularization": _identity,
    "Flatten": _flatten, "Reshape": _reshape, "Permute": _permute,
    "Add": _merge("Sum"), "Subtract": _merge("Sub"), "Multiply": _merge("Mul"), "Average": _merge("Sum", True),
    "Maximum": _merge("Max"), "Minimum": _merge("Min"), "Concatenate": _concat,
    "Embedding": _embedding, "LSTM": _recurrent("LSTM"), "GRU": _recurrent("GRU"),
    "SimpleRNN": _recurrent("SimpleRNN"),
    "ZeroPadding1D": _zero_padding, "ZeroPadding2D": _zero_padding, "ZeroPadding3D": _zero_padding,
    "Cropping1D": _cropping, "Cropping2D": _cropping, "Cropping3D": _cropping,
    "UpSampling1D": _upsampling, "UpSampling2D": _upsampling, "UpSampling3D": _upsampling,
    "RepeatVector": _repeat_vector, "DepthwiseConv2D": _depthwise, "DepthwiseConv1D": _depthwise,
    "SeparableConv2D": _separable, "SeparableConv1D": _separable,
    "Conv2DTranspose": _conv_transpose, "Conv1DTranspose": _conv_transpose, "Conv3DTranspose": _conv_transpose,
    "TimeDistributed": _time_distributed, "Dot": _dot, "Bidirectional": _bidirectional,
}

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
