"""Step 6: output shapes (``compute_output_shape``) and parameter counts (shape-only build) per node."""

from __future__ import annotations

import math
import re

from engine.graph.construct import _construct
from engine.graph.shape_only import param_shapes
from engine.graph.state import _Analysis, _Node
from engine.graph.text import _describe_inputs, _fmt, _fmt_weights, _label, _message
from engine.graph.values import _is_multi, _normalize_shape, _safe_name, _shape_list


def _infer_shapes(a: _Analysis) -> None:
    for nid in a.order:
        node = a.nodes[nid]
        if node.is_input or node.broken or node.cls is None:
            continue
        sources = a.incoming[nid]
        in_shapes = [a.shapes.get(s) for s in sources]
        if not sources or any(s is None for s in in_shapes):
            continue
        multi = [s for s, shape in zip(sources, in_shapes) if _is_multi(shape)]
        if multi:
            a.error(nid, f"{_label(a, nid)}: its input {multi[0]!r} has several outputs (e.g. return_state=True); "
                         "a graph edge carries one tensor. Turn off the extra outputs.")
            continue
        arg = [tuple(s) for s in in_shapes] if node.arity == "many" else tuple(in_shapes[0])
        owner = a.nodes[node.owner]
        layer = owner.instance
        if layer is None:
            continue
        described = _describe_inputs(sources, in_shapes)
        try:
            out = layer.compute_output_shape(arg)
        except Exception as exc:  # noqa: BLE001
            a.error(nid, *_shape_error(node, described, exc))
            continue
        out = _normalize_shape(out)
        if out is None:
            a.error(nid, f"{node.layer} {nid!r} returned no usable output shape for {described}.")
            continue
        bad = [s for s in _shape_list(out) if any(d is not None and d <= 0 for d in s)]
        if bad:
            a.error(nid, f"{node.layer} {nid!r}: {described} is too small; the output shape would be "
                         f"{_fmt(bad[0])}. Use a larger input, a smaller kernel/pool size or padding='same'.")
            continue
        first = node.owner not in a.first_use
        try:  # the first use builds the (throwaway) instance; later uses of a shared layer a fresh one
            layer = layer if first else _construct(owner.cls, owner.params, _safe_name(owner.id))
            shapes = param_shapes(layer, arg)
        except Exception as exc:  # noqa: BLE001 - build-time checks (e.g. an undefined last dimension)
            a.error(nid, f"{node.layer} {nid!r} cannot be built on {described}: {_message(exc)}")
            continue
        if nid != node.owner:
            a.params[nid] = 0
        if first:
            a.first_use[node.owner] = (nid, described, shapes)
            a.params[node.owner] = sum(math.prod(s) for s, _ in shapes)
            trainable = owner.params.get("trainable", True) is not False
            a.trainable[node.owner] = sum(math.prod(s) for s, t in shapes if t) if trainable else 0
        else:
            first_id, first_described, expected = a.first_use[node.owner]
            if [s for s, _ in expected] != [s for s, _ in shapes]:
                a.error(nid, f"{_label(a, nid)} shares one layer (and its weights) with {first_id!r}, where it was "
                             f"built for {first_described} with weights {_fmt_weights(expected)}; {described} "
                             f"would need weights {_fmt_weights(shapes)}.")
                continue
        a.shapes[nid] = out


_RANK_WORDS = {2: "(batch, features)", 3: "(batch, steps, features)", 4: "(batch, height, width, channels)",
               5: "(batch, depth, height, width, channels)"}


def _shape_error(node: _Node, described: str, exc: Exception) -> tuple[str, dict | None]:
    """The layer's shape error, reworded to name the node; rank mismatches say what the layer expects."""
    text = _message(exc)
    match = re.search(r"expected (min_)?ndim=(\d+), found ndim=(\d+)", text)
    if not match:
        return f"{node.layer} {node.id!r} cannot take {described}: {text}", None
    at_least, expected, found = bool(match.group(1)), int(match.group(2)), int(match.group(3))
    what = f"a {expected}D input {_RANK_WORDS.get(expected, '')}".rstrip()
    message = f"{node.layer} {node.id!r} expects {'at least ' if at_least else ''}{what}; it receives {described}."
    fix = None
    if expected == 2 and found > 2 and not at_least:
        fix = {"action": "insert", "layer": "Flatten", "params": {}, "before": node.id}
        message += " Insert a Flatten before it."
    elif found < expected:
        message += " Add a Reshape before it (or give the Input more dimensions)."
    elif found > expected:
        message += " Add a Reshape, Flatten or pooling layer before it to drop dimensions."
    return message, fix
