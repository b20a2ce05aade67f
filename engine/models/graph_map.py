"""Keras' map_graph: from a Functional model's input and output tensors to the nodes to run (deepest first) and
the model's layers in Keras' order."""

from __future__ import annotations

from collections import defaultdict


def _build_map(inputs, outputs):
    """Keras' map_graph: nodes by depth and layers in model.layers order (deepest first, then DFS order)."""
    input_ids = {id(t) for t in inputs}
    finished, in_progress = set(), set()
    nodes_in_decreasing_depth, layer_indices = [], {}

    def visit(tensor):
        if tensor._keras_history is None:
            raise ValueError(f"Output tensors of a Functional model must be the output of a layer. Received: {tensor}")
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError(f"The graph has a cycle at layer '{layer.name}'.")
        layer_indices.setdefault(id(layer), (len(layer_indices), layer))
        in_progress.add(id(node))
        if not node.is_input and id(tensor) not in input_ids:
            for t in node.input_tensors:
                visit(t)
        finished.add(id(node))
        in_progress.discard(id(node))
        nodes_in_decreasing_depth.append(node)

    for out in outputs:
        visit(out)

    node_depth, layer_depth = {}, {}
    for node in reversed(nodes_in_decreasing_depth):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in inputs:  # inputs not connected to any output still count as layers
        layer = t._keras_history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            layer_indices[id(layer)] = (-1, layer)
    nodes = {id(n): n for n in nodes_in_decreasing_depth}
    by_depth = defaultdict(list)
    for key, depth in node_depth.items():
        if key in nodes:
            by_depth[depth].append(nodes[key])
    ordered_nodes = [n for d in sorted(by_depth, reverse=True) for n in by_depth[d]]
    layers_by_depth = defaultdict(list)
    for key, depth in layer_depth.items():
        layers_by_depth[depth].append(layer_indices[key])
    layers = [layer for d in sorted(layers_by_depth, reverse=True)
              for _, layer in sorted(layers_by_depth[d], key=lambda p: p[0])]
    return ordered_nodes, layers
