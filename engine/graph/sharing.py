"""Step 2: weight sharing: each node's ``owner`` (the node whose layer object it uses), checked."""

from __future__ import annotations

from engine.graph.state import _Analysis
from engine.graph.text import _label


def _resolve_sharing(a: _Analysis) -> None:
    for nid, node in a.nodes.items():
        node.owner = nid
    for nid, node in a.nodes.items():
        if node.shared_with is None:
            continue
        seen, ref = {nid}, node.shared_with
        while ref in a.nodes and a.nodes[ref].shared_with is not None and ref not in seen:
            seen.add(ref)
            ref = a.nodes[ref].shared_with
        if ref not in a.nodes:
            a.error(nid, f"{_label(a, nid)} shares weights with {ref!r}, which is not a node.")
        elif ref in seen:
            a.error(nid, f"{_label(a, nid)}: 'shared_with' references form a loop; point it at the node that owns "
                         "the layer.")
        else:
            owner = a.nodes[ref]
            if owner.is_input or node.is_input:
                a.error(nid, f"{_label(a, nid)}: Input nodes cannot share a layer.")
            elif node.layer != owner.layer:
                a.error(nid, f"{_label(a, nid)} shares weights with {ref!r}, a {owner.layer}; a node sharing a layer "
                             f"must be the same layer ({owner.layer}).")
            elif node.params and node.params != owner.params:
                a.error(nid, f"{_label(a, nid)} shares weights with {ref!r} but its params differ; a shared layer "
                             "has one set of params (those of the node it shares).")
            else:
                node.owner, node.cls, node.arity, node.params = ref, owner.cls, owner.arity, owner.params
