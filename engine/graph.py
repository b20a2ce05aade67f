"""The editor's graph JSON → shapes, parameter counts and errors per node (``validate``), or a Model (``build_model``).

The graph (docs/contracts.md)::

    {"nodes": [{"id", "layer", "params", "position"?, "shared_with"?}],
     "edges": [{"source", "target", "target_index"?}]}

``validate(graph)`` never raises and allocates no weights: layers are constructed (their constructors check
the params), ``compute_output_shape`` infers shapes, and parameters are counted by a *shape-only build*
(``build`` runs with ``add_weight`` recording shapes instead of allocating arrays; see ``param_shapes``).

Answer::

    {"ok", "shapes": {id: [null, ...] | [[null, ...], ...] | null}, "params": {id: int},
     "total_params", "trainable_params", "memory_bytes", "inputs": [id], "outputs": [id],
     "errors": [{"node": id | null, "message", "fix"?}], "warnings": [same shape as errors]}

- ``node`` is null for graph-level problems (not a graph, empty, no Input, no output).
- A node sharing weights (``shared_with``) shows ``params`` 0: its weights are counted on the node it shares.
- ``memory_bytes`` estimates float32 training memory: weights + Adam's two slots per trainable weight +
  every node's output for a batch of 32 (unknown non-batch dimensions count as 1).

Fixes (``fix``), all in the editor's existing ``insert`` vocabulary where possible:

- ``{"action": "insert", "layer": "Flatten", "params": {}, "before": id}`` puts a Flatten between ``id`` and
  its inputs (Dense after a convolution/pooling output, see below; a layer that needs a 2D input fed N-D).
- ``{"action": "insert", "layer": "Input", "params": {"shape": [...]}, "before": id}`` adds an Input feeding
  ``id`` (the graph has no Input; the shape is a guess to edit).
- ``{"action": "insert", "layer": "Concatenate", "params": {}, "before": id}`` merges the several inputs of a
  single-input layer (the editor's insert moves all of ``id``'s incoming edges onto the new node).
- ``{"action": "remove_edge", "edge": k, "source": a, "target": b}`` removes the k-th edge (it names a
  missing node).

Dense fed an N-D tensor made by a convolution / pooling / padding layer (possibly through Activation, Dropout,
BatchNormalization, ...), or any 4D+ tensor (an image Input). Keras accepts it: Dense acts on the last axis, so
``Conv2D → Dense`` is a *valid* graph whose output stays 4D. (Sequences, e.g. ``LSTM(return_sequences) →
Dense``, are left alone.) Rules here:

- The model output downstream of such a Dense is N-D (rank >= 3) and that output is a classifier head (its
  activation is softmax/sigmoid), or ``target_shape`` is given and is flat → **error** on the Dense, with the
  Flatten fix: a classifier is trained against flat (batch, classes) targets, which that output can't match.
- The downstream output is N-D otherwise → **warning** on the Dense, with the same fix.
- Something flattens before the output (e.g. ``Conv2D → Dense → Flatten → Dense``) → nothing: intended.
"""

from __future__ import annotations

import difflib
import heapq
import math
import re
from dataclasses import dataclass, field

from engine.catalog import input_arity, is_model_class, layer_group, layer_name, load_layers
from engine.layers.base import LAYERS, Layer

INPUT_NAMES = ("Input", "InputLayer")
ACTIVATION_BATCH = 32
BYTES = 4  # float32
_MAX_MESSAGE = 400


class GraphError(ValueError):
    """An invalid graph. ``errors`` holds the validator's error entries; the message names the first node."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.errors = errors or []


# ---------------------------------------------------------------------------------------------- public API
def validate(graph, *, target_shape=None) -> dict:
    """Shapes, parameter counts, memory estimate, errors and warnings per node. Never raises.

    ``target_shape`` (optional, without the batch axis) is the training target's shape when known; a flat
    target makes an N-D model output an error (see the module docstring).
    """
    try:
        return _analyse(graph, target_shape=target_shape).report()
    except Exception as exc:  # noqa: BLE001 - the editor must always get an answer
        return {"ok": False, "shapes": {}, "params": {}, "total_params": 0, "trainable_params": 0,
                "memory_bytes": 0, "inputs": [], "outputs": [], "warnings": [],
                "errors": [{"node": None, "message": _clip(f"Could not validate the graph: {exc!r}")}]}


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


def param_shapes(layer: Layer, input_shape) -> list[tuple[tuple[int, ...], bool]]:
    """(shape, trainable) of each weight ``layer.build(input_shape)`` would create, allocating nothing.

    ``add_weight`` of the layer and its tracked sub-layers is replaced, on the instances only (thread-safe),
    by a recorder; ``layer`` is spent afterwards (built with placeholder weights). Weights created by
    sub-layers that appear only during ``build`` are real and are counted from ``layer.weights``.
    """
    recorded: list[tuple[tuple[int, ...], bool]] = []
    for sub in _walk(layer):
        object.__setattr__(sub, "add_weight", _recorder(sub, recorded))
    layer.build(input_shape)
    layer.built = True
    recorded += [(tuple(int(s) for s in w.shape), bool(w.trainable)) for w in layer.weights]
    return recorded


def param_count(layer: Layer, input_shape) -> int:
    """Number of weights ``layer`` would have once built on ``input_shape``, without allocating them."""
    return sum(math.prod(shape) for shape, _ in param_shapes(layer, input_shape))


# ---------------------------------------------------------------------------------------------- analysis
@dataclass
class _Node:
    id: str
    index: int
    layer: str
    params: dict
    cls: type | None = None
    is_input: bool = False
    arity: object = 1  # 0, 1 or "many"
    shared_with: str | None = None
    owner: str | None = None  # the node whose layer object this node uses (itself when not shared)
    broken: bool = False  # an error makes shapes below it unknowable
    instance: Layer | None = None


@dataclass
class _Analysis:
    nodes: dict[str, _Node] = field(default_factory=dict)
    incoming: dict[str, list[str]] = field(default_factory=dict)
    outgoing: dict[str, list[str]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    in_cycle: set = field(default_factory=set)
    shapes: dict[str, object] = field(default_factory=dict)
    params: dict[str, int] = field(default_factory=dict)
    trainable: dict[str, int] = field(default_factory=dict)
    first_use: dict[str, tuple] = field(default_factory=dict)  # owner id → (node id, inputs, weight shapes)
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    def error(self, node, message, fix=None):
        entry = {"node": node, "message": _clip(message)}
        if fix:
            entry["fix"] = fix
        self.errors.append(entry)
        if node in self.nodes:
            self.nodes[node].broken = True

    def warn(self, node, message, fix=None):
        entry = {"node": node, "message": _clip(message)}
        if fix:
            entry["fix"] = fix
        self.warnings.append(entry)

    def report(self) -> dict:
        total = sum(self.params.values())
        trainable = sum(self.trainable.values())
        activations = 0
        for shape in self.shapes.values():
            for s in _shape_list(shape):
                activations += ACTIVATION_BATCH * math.prod(d if d is not None else 1 for d in s[1:])
        return {"ok": not self.errors, "shapes": {nid: self.shapes.get(nid) for nid in self.nodes},
                "params": dict(self.params), "total_params": total, "trainable_params": trainable,
                "memory_bytes": BYTES * (total + 2 * trainable + activations),
                "inputs": list(self.inputs), "outputs": list(self.outputs),
                "errors": self.errors, "warnings": self.warnings}

    def layer_names(self) -> dict[str, str]:
        """Layer names for the built model: params' ``name`` or the node id, made safe and unique."""
        names, taken = {}, set()
        for nid, node in self.nodes.items():
            if node.owner not in (None, nid):
                continue
            base = _safe_name(node.params.get("name") if isinstance(node.params.get("name"), str) else nid)
            name, k = base, 1
            while name in taken:
                name, k = f"{base}_{k}", k + 1
            taken.add(name)
            names[nid] = name
        for nid, node in self.nodes.items():
            if node.owner not in (None, nid):
                names[nid] = names[node.owner]
        return names


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


# ---- parsing
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


# ---- weight sharing
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


# ---- layer objects (constructors check the params)
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


# ---- topology
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
    reached = set()
    frontier = list(a.inputs)
    while frontier:
        nid = frontier.pop()
        if nid in reached:
            continue
        reached.add(nid)
        frontier += a.outgoing[nid]
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


# ---- shapes and parameters
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
    seen, frontier = set(), [start]
    while frontier:
        nid = frontier.pop()
        if nid in seen:
            continue
        seen.add(nid)
        frontier += a.outgoing[nid]
    return [o for o in a.outputs if o in seen]


def _is_classifier_head(node: _Node) -> bool:
    act = node.params.get("activation")
    if node.layer == "Softmax":
        return True
    return isinstance(act, str) and act.lower() in ("softmax", "sigmoid")


# ---------------------------------------------------------------------------------------------- helpers
def _make_input(node: _Node, name: str):
    from engine.layers.core import Input as make  # noqa: PLC0415
    p = node.params
    shape = p.get("shape") if p.get("shape") is not None else p["batch_shape"][1:]
    kwargs = {"shape": tuple(shape), "name": name}
    if p.get("dtype") is not None:
        kwargs["dtype"] = p["dtype"]
    return make(**kwargs)


class _Placeholder:
    """A weight that was never allocated: it has a shape, and swallows whatever build does with it."""

    def __init__(self, name, shape, trainable, dtype):
        self.name, self.shape, self.trainable, self.dtype = name, shape, trainable, dtype
        self.regularizer = self.constraint = None

    def __getattr__(self, item):
        return _Sink()

    def __getitem__(self, item):
        return _Sink()

    def __setitem__(self, item, value):
        pass


class _Sink:
    def __getattr__(self, item):
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __getitem__(self, item):
        return self

    def __setitem__(self, item, value):
        pass


def _recorder(layer: Layer, recorded: list):
    def add_weight(name, shape, initializer="glorot_uniform", regularizer=None, constraint=None, trainable=True,
                   dtype=None, **_):
        shape = tuple(int(s) for s in shape)
        if any(s < 0 for s in shape):
            raise ValueError(f"weight {name!r} would have a negative dimension: {shape}")
        effective = bool(trainable and layer.trainable)
        recorded.append((shape, effective))
        return _Placeholder(name, shape, effective, dtype or layer.dtype)

    return add_weight


def _walk(layer: Layer):
    seen, stack = set(), [layer]
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        stack += list(item.__dict__.get("_layers", []))


def _normalize_shape(out):
    """A shape → [None, ...]; several shapes → [[...], ...]; anything else → None."""
    def one(s):
        if isinstance(s, (list, tuple)) and all(d is None or (isinstance(d, int) and not isinstance(d, bool))
                                                for d in s):
            return [None if d is None else int(d) for d in s]
        return None

    if hasattr(out, "shape") and not isinstance(out, (list, tuple)):
        out = tuple(out.shape)
    single = one(out)
    if single is not None:
        return single
    if isinstance(out, (list, tuple)) and out:
        many = [one(tuple(s.shape) if hasattr(s, "shape") else s) for s in out]
        if all(m is not None for m in many):
            return many
    return None


def _is_multi(shape) -> bool:
    return isinstance(shape, list) and bool(shape) and isinstance(shape[0], list)


def _shape_list(shape) -> list:
    if shape is None:
        return []
    return shape if _is_multi(shape) else [shape]


def _fmt(shape) -> str:
    dims = ["None" if d is None else str(d) for d in shape]
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"


def _fmt_weights(shapes) -> str:
    return ", ".join(_fmt(s) if s else "()" for s, _ in shapes) or "none"


def _describe_inputs(sources, shapes) -> str:
    if len(sources) == 1:
        return f"input shape {_fmt(shapes[0])} from {sources[0]!r}"
    return "input shapes " + ", ".join(f"{_fmt(s)} from {src!r}" for src, s in zip(sources, shapes))


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, KeyError):
        text = f"missing {text}"
    return _clip(text)


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def _label(a: _Analysis, nid) -> str:
    node = a.nodes.get(nid)
    if node is None:
        return f"Node {nid!r}"
    return f"{node.layer} {nid!r}" if node.layer != "?" else f"Node {nid!r}"


def _as_id(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value:
        return value
    return None


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "a string", type(None): "null", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _safe_name(name: str) -> str:
    """Layer and model names become HDF5 group names: no '/', nothing exotic."""
    cleaned = re.sub(r"[^A-Za-z0-9_.\-]", "_", str(name))[:80]
    return cleaned if cleaned and cleaned[0] not in ".-" else f"n{cleaned}"
