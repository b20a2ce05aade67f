"""``model.summary()``: Keras 3's table (Layer (type), Output Shape, Param #, and Connected to for
functional models), then the parameter totals."""

from __future__ import annotations

import math


def _shape_text(shape) -> str:
    if shape is None:
        return "?"
    if isinstance(shape, list):
        return "[" + ", ".join(_shape_text(s) for s in shape) + "]"
    inner = ", ".join("None" if s is None else str(s) for s in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def _size_text(n_params: int, bytes_per: int = 4) -> str:
    size = n_params * bytes_per
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


def _output_shape(model, layer):
    finder = getattr(model, "_layer_output_shape", None)
    if finder is not None:
        return finder(layer)
    node_set = getattr(model, "_node_set", None)
    for node in layer._inbound_nodes:
        if node_set is None or id(node) in node_set:
            out = node.outputs
            if isinstance(out, (list, tuple)):
                return [t.shape for t in out]
            return out.shape
    if layer.built and layer._build_input_shape is not None:  # subclassed models: shapes from build()
        try:
            return layer.compute_output_shape(layer._build_input_shape)
        except Exception:  # noqa: BLE001 - a summary never fails on one layer's shape
            return None
    return None


def _connections(model, layer) -> list[str]:
    node_set = getattr(model, "_node_set", None)
    if node_set is None:
        return []
    mapping = model._node_index_map()
    out = []
    for node in layer._inbound_nodes:
        if id(node) not in node_set or node.is_input:
            continue
        for t in node.input_tensors:
            parent, node_index, tensor_index = t._keras_history
            out.append(f"{parent.name}[{mapping.get((id(parent), node_index), node_index)}][{tensor_index}]")
    return out


def print_summary(model, line_length=None, positions=None, print_fn=None, show_trainable=False):
    print_fn = print_fn or print
    functional = hasattr(model, "_node_set")
    headers = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if functional else [])
    rows = []
    for layer in model.layers:
        params = layer.count_params() if layer.built else 0
        param_text = f"{params:,}" if layer.built else "0 (unbuilt)"
        rows.append([f"{layer.name} ({type(layer).__name__})", _shape_text(_output_shape(model, layer)),
                     param_text] + (["\n".join(_connections(model, layer)) or "-"] if functional else []))
    widths = [max([len(h)] + [max(len(line) for line in r[i].split("\n")) for r in rows]) + 2
              for i, h in enumerate(headers)]
    if line_length:
        scale = line_length / max(sum(widths) + len(widths) + 1, 1)
        widths = [max(int(w * scale), len(h) + 2) for w, h in zip(widths, headers, strict=False)]
    right = {2}

    def line(left, fill, sep, end):
        return left + sep.join(fill * w for w in widths) + end

    def cells(values, border="│"):
        lines_per = [v.split("\n") for v in values]
        height = max(len(v) for v in lines_per)
        out = []
        for k in range(height):
            parts = []
            for i, v in enumerate(lines_per):
                text = v[k] if k < len(v) else ""
                parts.append(" " + (text.rjust(widths[i] - 2) if i in right else text.ljust(widths[i] - 2)) + " ")
            out.append(border + border.join(parts) + border)
        return out

    print_fn(f'Model: "{model.name}"')
    print_fn(line("┏", "━", "┳", "┓"))
    for text in cells(headers, "┃"):
        print_fn(text)
    print_fn(line("┡", "━", "╇", "┩"))
    for i, row in enumerate(rows):
        for text in cells(row):
            print_fn(text)
        if i < len(rows) - 1:
            print_fn(line("├", "─", "┼", "┤"))
    print_fn(line("└", "─", "┴", "┘"))
    total = model.count_params() if model.built else sum(layer.count_params() for layer in model.layers)
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    non_trainable = total - trainable
    print_fn(f" Total params: {total:,} ({_size_text(total)})")
    print_fn(f" Trainable params: {trainable:,} ({_size_text(trainable)})")
    print_fn(f" Non-trainable params: {non_trainable:,} ({_size_text(non_trainable)})")
