"""``validate``: the steps of one analysis in order, and the answer that never raises."""

from __future__ import annotations

from engine.catalog import load_layers
from engine.graph.construct import _construct_layers
from engine.graph.dense_on_spatial import _check_dense_on_spatial
from engine.graph.parse import _parse
from engine.graph.shapes import _infer_shapes
from engine.graph.sharing import _resolve_sharing
from engine.graph.state import _Analysis
from engine.graph.text import _clip
from engine.graph.topology import _check_arity, _topology


def validate(graph, *, target_shape=None) -> dict:
    """Shapes, parameter counts, memory estimate, errors and warnings per node. Never raises.

    ``target_shape`` (optional, without the batch axis) is the training target's shape when known; a flat
    target makes an N-D model output an error (see the package docstring, engine/graph/__init__.py).
    """
    try:
        return _analyse(graph, target_shape=target_shape).report()
    except Exception as exc:  # noqa: BLE001 - the editor must always get an answer
        return {"ok": False, "shapes": {}, "params": {}, "total_params": 0, "trainable_params": 0,
                "memory_bytes": 0, "inputs": [], "outputs": [], "warnings": [],
                "errors": [{"node": None, "message": _clip(f"Could not validate the graph: {exc!r}")}]}


def _analyse(graph, *, target_shape=None) -> _Analysis:
    load_layers(strict=False)
    a = _Analysis()
    if not _parse(a, graph):
        return a
    _resolve_sharing(a)
    _construct_layers(a)
    _topology(a)
    _check_arity(a)
    _infer_shapes(a)
    _check_dense_on_spatial(a, target_shape)
    return a
