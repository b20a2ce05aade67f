"""Step 1: the graph JSON → nodes (layer class, arity) and edges in input order; malformed parts are errors."""

from __future__ import annotations

import difflib
import math

from engine.catalog import input_arity, is_model_class, layer_name
from engine.graph.state import _Analysis, _Node
from engine.graph.text import _kind, _label, _short
from engine.graph.values import _as_id
from engine.layers.base import LAYERS

INPUT_NAMES = ("Input", "InputLayer")


def _parse(a: _Analysis, graph) -> bool:
    if not isinstance(graph, dict):
        a.error(None, f"The graph must be an object with 'nodes' and 'edges' lists; received {_kind(graph)}.")
        return False
    nodes, edges = graph.get("nodes"), graph.get("edges", [] if "nodes" in graph else None)
    if not isinstance(nodes, list) or not isinstance(edges, list):
        missing = [k for k, v in (("nodes", nodes), ("edges", edges)) if not isinstance(v, list)]
        a.error(None, f"The graph must have {' and '.join(repr(m) for m in missing)} as "
                      f"{'lists' if len(missing) > 1 else 'a list'}.")
        return False
    if not nodes:
        a.error(None, "The graph is empty: add an Input node and some layers.")
        return False
    for i, raw in enumerate(nodes):
        _parse_node(a, i, raw)
    for nid in a.nodes:
        a.incoming[nid], a.outgoing[nid] = [], []
    indexed: dict[str, list[tuple[float, int, str]]] = {nid: [] for nid in a.nodes}
    for j, raw in enumerate(edges):
        _parse_edge(a, j, raw, indexed)
    for nid, entries in indexed.items():
        positions = [p for p, _, _ in entries if p != math.inf]
        if len(positions) != len(set(positions)):
            a.error(nid, f"{_label(a, nid)} has two inputs with the same target_index; each input needs its own.")
        a.incoming[nid] = [src for _, _, src in sorted(entries)]
    return True


def _parse_node(a: _Analysis, i: int, raw) -> None:
    if not isinstance(raw, dict):
        a.error(None, f"Node #{i} must be an object with 'id', 'layer' and 'params'; received {_kind(raw)}.")
        return
    nid = _as_id(raw.get("id"))
    if nid is None:
        a.error(None, f"Node #{i} has no valid 'id' (a non-empty string); received {_short(raw.get('id'))}.")
        return
    if nid in a.nodes:
        a.errors.append({"node": nid, "message": f"Duplicate node id {nid!r} (node #{i}): every node needs its own "
                                                 "id; the later one is ignored."})
        return
    layer = raw.get("layer")
    params = raw.get("params", {})
    node = _Node(id=nid, index=i, layer=layer if isinstance(layer, str) else "?", params={})
    a.nodes[nid] = node
    if params is None:
        params = {}
    if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
        a.error(nid, f"Node {nid!r}: 'params' must be an object of parameter names to values; received "
                     f"{_kind(params)}.")
    else:
        node.params = dict(params)
    shared = raw.get("shared_with")
    if shared is not None:
        node.shared_with = _as_id(shared)
        if node.shared_with is None:
            a.error(nid, f"Node {nid!r}: 'shared_with' must be the id of another node; received {_short(shared)}.")
    if not isinstance(layer, str) or not layer:
        a.error(nid, f"Node {nid!r} has no 'layer' (a layer class name such as \"Dense\").")
        return
    if layer in INPUT_NAMES:
        node.is_input, node.arity, node.layer = True, 0, "Input"
        return
    try:
        node.cls = LAYERS.lookup(layer)
    except Exception:  # noqa: BLE001 - unknown name
        close = difflib.get_close_matches(layer, [*LAYERS.names(), "Input"], n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]}?" if close else ""
        a.error(nid, f"Unknown layer {layer!r} in node {nid!r}.{hint}")
        return
    node.layer = layer_name(node.cls)
    if is_model_class(node.cls):
        a.error(nid, f"{node.layer} (node {nid!r}) is a model, not a layer; build it from layers in the graph.")
        node.cls = None
        return
    if node.layer in INPUT_NAMES:
        node.is_input, node.arity, node.layer = True, 0, "Input"
        return
    node.arity = input_arity(node.cls)


def _parse_edge(a: _Analysis, j: int, raw, indexed) -> None:
    if not isinstance(raw, dict):
        a.error(None, f"Edge #{j} must be an object with 'source' and 'target'; received {_kind(raw)}.",
                {"action": "remove_edge", "edge": j})
        return
    src, dst = _as_id(raw.get("source")), _as_id(raw.get("target"))
    fix = {"action": "remove_edge", "edge": j, "source": src, "target": dst}
    if src not in a.nodes and dst not in a.nodes:
        a.error(None, f"Edge #{j} connects unknown nodes {_short(raw.get('source'))} → {_short(raw.get('target'))}.",
                fix)
        return
    if src not in a.nodes:
        a.error(dst, f"{_label(a, dst)} has an input edge from {_short(raw.get('source'))}, which is not a node. "
                     "Remove the edge.", fix)
        return
    if dst not in a.nodes:
        a.error(src, f"{_label(a, src)} has an output edge to {_short(raw.get('target'))}, which is not a node. "
                     "Remove the edge.", fix)
        return
    position = raw.get("target_index")
    if position is None:
        position = math.inf
    elif isinstance(position, bool) or not isinstance(position, int) or position < 0:
        a.error(dst, f"{_label(a, dst)}: the edge from {src!r} has target_index {_short(position)}; expected a "
                     "non-negative integer.")
        position = math.inf
    indexed[dst].append((position, j, src))
    a.outgoing[src].append(dst)
