"""Steps 4 and 5: topological order and cycles; then inputs, outputs and each node's number of inputs."""

from __future__ import annotations

import heapq

from engine.catalog import layer_group
from engine.graph.state import _Analysis, _Node
from engine.graph.text import _label


def _topology(a: _Analysis) -> None:
    """Topological order (Kahn, ties broken by node order); cycles reported on their first node."""
    indegree = {nid: len(srcs) for nid, srcs in a.incoming.items()}
    index = {nid: node.index for nid, node in a.nodes.items()}
    ready = [(index[nid], nid) for nid, d in indegree.items() if d == 0]
    heapq.heapify(ready)
    while ready:
        _, nid = heapq.heappop(ready)
        a.order.append(nid)
        for dst in a.outgoing[nid]:
            indegree[dst] -= 1
            if indegree[dst] == 0:
                heapq.heappush(ready, (index[dst], dst))
    done = set(a.order)
    left = [nid for nid in a.nodes if nid not in done]
    if not left:
        return
    for component in _strongly_connected(left, a.outgoing):
        if len(component) == 1 and component[0] not in a.outgoing[component[0]]:
            continue  # downstream of a cycle, not in one
        members = sorted(component, key=index.get)
        a.in_cycle.update(members)
        path = _cycle_path(members, a.outgoing)
        a.error(members[0], f"{_label(a, members[0])} is part of a cycle: {' → '.join(path)}. Remove one of these "
                            "connections; a model's data flows one way.")
    for nid in left:
        a.nodes[nid].broken = True


def _strongly_connected(nodes: list[str], outgoing: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (graphs may be deep)."""
    allowed = set(nodes)
    index, low, on_stack, stack, out, counter = {}, {}, set(), [], [], 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            succ = [w for w in outgoing[v] if w in allowed]
            recurse = False
            for k in range(i, len(succ)):
                w = succ[k]
                if w not in index:
                    work.append((v, k + 1))
                    work.append((w, 0))
                    recurse = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if recurse:
                continue
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return out


def _cycle_path(members: list[str], outgoing) -> list[str]:
    """A closed walk through the cycle starting at its first member (shortest way back, by BFS)."""
    inside, start = set(members), members[0]
    prev, frontier = {start: None}, [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in outgoing[v]:
                if w == start:
                    path = [v]
                    while prev[path[-1]] is not None:
                        path.append(prev[path[-1]])
                    return [*reversed(path), start]
                if w in inside and w not in prev:
                    prev[w] = v
                    nxt.append(w)
        frontier = nxt
    return [start, start]


def _check_arity(a: _Analysis) -> None:
    a.inputs = [nid for nid, node in a.nodes.items() if node.is_input]
    reached = a.reachable(a.inputs)
    for nid, node in a.nodes.items():
        n = len(a.incoming[nid])
        if node.is_input:
            if n:
                a.error(nid, f"Input {nid!r} cannot receive connections; it is where data enters the model.")
            elif not a.outgoing[nid] and len(a.nodes) > 1:
                a.error(nid, f"Input {nid!r} is not connected to any layer.")
            continue
        if node.cls is None:
            continue
        if n == 0:
            fix = None
            if not a.inputs:
                fix = {"action": "insert", "layer": "Input", "params": {"shape": _guess_input_shape(node)},
                       "before": nid}
            a.error(nid, f"{_label(a, nid)} has no input: connect an Input or another layer to it.", fix)
        elif node.arity == "many" and n < 2:
            a.error(nid, f"{_label(a, nid)} merges several inputs but has only {n}; connect at least 2.")
        elif node.arity == 1 and n > 1:
            sources = ", ".join(repr(s) for s in a.incoming[nid])
            a.error(nid, f"{_label(a, nid)} takes one input but has {n} (from {sources}); combine them first with a "
                         "merge layer such as Concatenate or Add.",
                    {"action": "insert", "layer": "Concatenate", "params": {}, "before": nid})
        elif nid not in reached and nid not in a.in_cycle:
            a.error(nid, f"{_label(a, nid)} is not connected to any Input.")
    if not a.inputs:
        a.error(None, "The graph has no Input node: add an Input and set the shape of one sample.")
    a.outputs = [nid for nid, node in a.nodes.items()
                 if not a.outgoing[nid] and not node.is_input and nid not in a.in_cycle]
    if not a.outputs and len(a.nodes) > 0:
        a.error(None, "The graph has no output: the last layer of the model is the one with no outgoing connection.")


def _guess_input_shape(node: _Node) -> list[int]:
    name, group = node.layer, layer_group(node.cls)
    if name.endswith("2D") or name.endswith("3D"):
        return [28, 28, 1] if name.endswith("2D") else [16, 16, 16, 1]
    if group == "recurrent" or name.endswith("1D"):
        return [10, 1]
    if name == "Embedding":
        return [10]
    return [4]
