"""``build_model``: a valid graph → the functional ``Model`` (what ``Model.from_graph`` returns)."""

from __future__ import annotations

from engine.graph.analysis import _analyse
from engine.graph.construct import _construct
from engine.graph.errors import GraphError
from engine.graph.state import _Node
from engine.graph.text import _message
from engine.graph.values import _safe_name
from engine.layers.base import Layer


def build_model(graph, *, name: str | None = None):
    """The functional ``Model`` of a graph (what ``Model.from_graph`` returns). Raises ``GraphError``."""
    from engine.models import Model  # noqa: PLC0415 - models import layers, which import this lazily

    analysis = _analyse(graph)
    if analysis.errors:
        first = analysis.errors[0]
        where = f"node {first['node']!r}: " if first["node"] is not None else ""
        more = f" (and {len(analysis.errors) - 1} more errors)" if len(analysis.errors) > 1 else ""
        raise GraphError(f"Invalid graph: {where}{first['message']}{more}", analysis.errors)
    names = analysis.layer_names()
    layers: dict[str, Layer] = {}
    tensors: dict[str, object] = {}
    for nid in analysis.order:
        node = analysis.nodes[nid]
        try:
            if node.is_input:
                tensors[nid] = _make_input(node, names[nid])
                continue
            owner = node.owner
            if owner not in layers:
                layers[owner] = _construct(analysis.nodes[owner].cls, analysis.nodes[owner].params, names[owner])
            args = [tensors[src] for src in analysis.incoming[nid]]
            tensors[nid] = layers[owner](args if node.arity == "many" else args[0])
        except Exception as exc:  # validate's checks passed but building did not: still name the node
            message = f"{node.layer} {nid!r} could not be built: {_message(exc)}"
            raise GraphError(f"Invalid graph: node {nid!r}: {message}", [{"node": nid, "message": message}]) from exc
    inputs = [tensors[i] for i in analysis.inputs]
    outputs = [tensors[o] for o in analysis.outputs]
    model_name = name or (graph.get("name") if isinstance(graph.get("name"), str) else None)
    kwargs = {"name": _safe_name(model_name)} if model_name else {}
    return Model(inputs=inputs[0] if len(inputs) == 1 else inputs,
                 outputs=outputs[0] if len(outputs) == 1 else outputs, **kwargs)


model_from_graph = build_model  # the name engine.models.Model.from_graph calls


def _make_input(node: _Node, name: str):
    from engine.layers.core import Input as make  # noqa: PLC0415
    p = node.params
    shape = p.get("shape") if p.get("shape") is not None else p["batch_shape"][1:]
    kwargs = {"shape": tuple(shape), "name": name}
    if p.get("dtype") is not None:
        kwargs["dtype"] = p["dtype"]
    return make(**kwargs)
