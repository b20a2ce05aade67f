"""Step 3: layer objects (their constructors check the params) and the Input nodes' params and shapes."""

from __future__ import annotations

from engine.graph.state import _Analysis, _Node
from engine.graph.text import _label, _message, _short
from engine.graph.values import _safe_name
from engine.layers.base import Layer


def _construct_layers(a: _Analysis) -> None:
    names = {}
    for nid, node in a.nodes.items():
        explicit = node.params.get("name")
        if isinstance(explicit, str) and node.owner == nid:
            if explicit in names:
                a.error(nid, f"{_label(a, nid)}: layer name {explicit!r} is already used by node {names[explicit]!r}; "
                             "layer names must be unique.")
            names[explicit] = nid
        if node.is_input:
            _check_input_params(a, node)
        elif node.cls is not None and node.owner == nid and not node.broken:
            try:
                node.instance = _construct(node.cls, node.params, _safe_name(nid))
            except Exception as exc:  # noqa: BLE001 - the constructor's message is the answer
                a.error(nid, f"{node.layer} {nid!r}: {_message(exc)}")


def _construct(cls, params: dict, name: str) -> Layer:
    kwargs = dict(params)
    kwargs.setdefault("name", name)
    return cls(**kwargs)


def _check_input_params(a: _Analysis, node: _Node) -> None:
    p = node.params
    unknown = set(p) - {"shape", "batch_shape", "batch_size", "dtype", "name", "sparse", "ragged", "optional"}
    if unknown:
        a.error(node.id, f"Input {node.id!r}: unknown parameters {sorted(unknown)}; an Input takes 'shape' (without "
                         "the batch axis) and optionally 'dtype'.")
        return
    shape = p.get("shape")
    if shape is None and isinstance(p.get("batch_shape"), list) and p["batch_shape"]:
        shape = p["batch_shape"][1:]
    if not isinstance(shape, (list, tuple)) or not shape or not all(
            d is None or (isinstance(d, int) and not isinstance(d, bool) and d > 0) for d in shape):
        a.error(node.id, f"Input {node.id!r}: 'shape' must list the sizes of one sample (positive integers or null, "
                         f"without the batch axis), e.g. [4] or [28, 28, 1]; received {_short(shape)}.")
        return
    dtype = p.get("dtype")
    if dtype is not None and dtype not in _DTYPES:
        a.error(node.id, f"Input {node.id!r}: unsupported dtype {_short(dtype)}; expected one of {sorted(_DTYPES)}.")
        return
    a.shapes[node.id] = [None, *shape]


_DTYPES = {"float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"}
