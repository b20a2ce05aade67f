"""The state of one analysis: the parsed nodes and edges, and what each step found (shapes, params, errors).

Every step of ``analysis._analyse`` reads and fills one ``_Analysis``; ``report`` is ``validate``'s answer."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from engine.graph.text import _clip
from engine.graph.values import _safe_name, _shape_list
from engine.layers.base import Layer

ACTIVATION_BATCH = 32
BYTES = 4  # float32


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

    def reachable(self, starts) -> set:
        """The nodes reachable from ``starts`` along edges, ``starts`` included (iterative: graphs may be deep)."""
        seen, frontier = set(), list(starts)
        while frontier:
            nid = frontier.pop()
            if nid in seen:
                continue
            seen.add(nid)
            frontier += self.outgoing[nid]
        return seen

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
