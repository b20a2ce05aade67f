"""Emitters for LSTM / GRU / SimpleRNN and Bidirectional: ONNX's recurrent ops, Keras' gate order converted."""

from __future__ import annotations

import numpy as np

from engine.export.onnx.builder import _activation_name, _cfg, _weights

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
