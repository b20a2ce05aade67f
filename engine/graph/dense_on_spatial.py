"""Step 7: Dense fed an N-D feature map whose model output stays N-D → warning or error with the Flatten fix
(the rules are in the package docstring, engine/graph/__init__.py)."""

from __future__ import annotations

from engine.catalog import layer_group
from engine.graph.state import _Analysis, _Node
from engine.graph.text import _fmt
from engine.graph.values import _is_multi


def _check_dense_on_spatial(a: _Analysis, target_shape) -> None:
    flat_target = target_shape is not None and len(tuple(target_shape)) <= 1
    for nid in a.order:
        node = a.nodes[nid]
        if node.layer != "Dense" or nid not in a.shapes or len(a.incoming[nid]) != 1:
            continue
        src = a.incoming[nid][0]
        shape = a.shapes.get(src)
        if shape is None or _is_multi(shape) or len(shape) < 3:
            continue
        # walk up through shape-keeping layers to the layer that made the N-D tensor
        origin = src
        while (a.nodes[origin].layer in _SHAPE_KEEPING and len(a.incoming[origin]) == 1):
            origin = a.incoming[origin][0]
        origin_group = layer_group(a.nodes[origin].cls) if a.nodes[origin].cls else "input"
        if origin_group not in ("convolution", "pooling", "reshaping") and len(shape) < 4:
            continue
        nd_outputs = [o for o in _downstream_outputs(a, nid) if not _is_multi(a.shapes.get(o))
                      and a.shapes.get(o) is not None and len(a.shapes[o]) >= 3]
        if not nd_outputs:
            continue
        out = nd_outputs[0]
        fix = {"action": "insert", "layer": "Flatten", "params": {}, "before": nid}
        message = (f"Dense {nid!r} receives shape {_fmt(shape)} from {src!r}; Dense acts on the last axis only, so "
                   f"the model output {out!r} would be {_fmt(a.shapes[out])} instead of (None, units). Insert a "
                   f"Flatten (or a global pooling layer) before {nid!r}.")
        if flat_target or _is_classifier_head(a.nodes[out]):
            a.error(nid, message, fix)
        else:
            a.warn(nid, message, fix)


_SHAPE_KEEPING = {"Activation", "Dropout", "BatchNormalization", "LayerNormalization", "ReLU", "LeakyReLU", "PReLU",
                  "ELU", "Softmax", "GaussianNoise", "GaussianDropout", "AlphaDropout", "SpatialDropout1D",
                  "SpatialDropout2D", "ActivityRegularization"}


def _downstream_outputs(a: _Analysis, start: str) -> list[str]:
    seen = a.reachable([start])
    return [o for o in a.outputs if o in seen]


def _is_classifier_head(node: _Node) -> bool:
    act = node.params.get("activation")
    if node.layer == "Softmax":
        return True
    return isinstance(act, str) and act.lower() in ("softmax", "sigmoid")
