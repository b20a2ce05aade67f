// Pure edits of the editor graph: fixes from the validator, copy/paste, delete.
import type { Fix } from "../api/types";
import { freeInputIndex, makeEdge, makeNode, nextNodeId } from "./graph";
import type { FlowEdge, GraphState, LayerFlowNode } from "./types";

/**
 * Applies a validator fix. Supported: `{"action": "insert", "layer", "params", "before": id}` puts a new
 * layer between `before` and its inputs. Returns null for fixes the editor does not know.
 */
export function applyFix(state: GraphState, fix: Fix): { state: GraphState; added: string } | null {
  if (fix.action !== "insert" || !fix.layer || !fix.before) return null;
  const target = state.nodes.find((n) => n.id === fix.before);
  if (!target) return null;
  const id = nextNodeId(fix.layer, state.nodes.map((n) => n.id));
  const incoming = state.edges.filter((e) => e.target === target.id);
  const sources = incoming.map((e) => state.nodes.find((n) => n.id === e.source)).filter(Boolean) as LayerFlowNode[];
  const above = sources[0]?.position ?? { x: target.position.x, y: target.position.y - 120 };
  const position = { x: (above.x + target.position.x) / 2, y: (above.y + target.position.y) / 2 };
  // Push the target and everything below it down to make room.
  const shift = 60;
  const nodes = state.nodes.map((n) =>
    n.position.y >= target.position.y ? { ...n, position: { ...n.position, y: n.position.y + shift } } : n,
  );
  const inserted = makeNode(id, fix.layer, { ...(fix.params ?? {}) }, position);
  const edges: FlowEdge[] = [
    ...state.edges.filter((e) => e.target !== target.id),
    ...incoming.map((e, i) => makeEdge(e.source, id, i)),
    makeEdge(id, target.id, 0),
  ];
  return { state: { nodes: [...nodes, inserted], edges }, added: id };
}

export interface Clip {
  nodes: LayerFlowNode[];
  edges: FlowEdge[];
}

/** The selected nodes and the edges among them. */
export function copySelection(state: GraphState, selected: Set<string>): Clip {
  return {
    nodes: state.nodes.filter((n) => selected.has(n.id)).map((n) => ({ ...n, data: { ...n.data, params: { ...n.data.params } } })),
    edges: state.edges.filter((e) => selected.has(e.source) && selected.has(e.target)),
  };
}

/** Pastes with fresh ids, offset, and the pasted nodes selected. Shared references inside the clip are remapped. */
export function pasteClip(state: GraphState, clip: Clip, offset = { x: 40, y: 40 }): { state: GraphState; ids: string[] } {
  const taken = new Set(state.nodes.map((n) => n.id));
  const rename = new Map<string, string>();
  for (const n of clip.nodes) {
    const id = nextNodeId(n.data.layer, taken);
    taken.add(id);
    rename.set(n.id, id);
  }
  const pasted = clip.nodes.map((n) => {
    const shared = n.data.sharedWith ? (rename.get(n.data.sharedWith) ?? n.data.sharedWith) : undefined;
    const node = makeNode(rename.get(n.id)!, n.data.layer, { ...n.data.params }, { x: n.position.x + offset.x, y: n.position.y + offset.y }, shared, n.data.search);
    return { ...node, selected: true };
  });
  const edges = clip.edges.map((e) => ({ ...e, id: `${e.id}-p${Date.now()}`, source: rename.get(e.source)!, target: rename.get(e.target)! }));
  const nodes = state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
  return { state: { nodes: [...nodes, ...pasted], edges: [...state.edges, ...edges] }, ids: pasted.map((n) => n.id) };
}

/** Removes nodes (and their edges). Nodes that shared weights with a removed node take over its role. */
export function removeNodes(state: GraphState, ids: Set<string>): GraphState {
  const nodes = state.nodes
    .filter((n) => !ids.has(n.id))
    .map((n) => (n.data.sharedWith && ids.has(n.data.sharedWith) ? { ...n, data: { layer: n.data.layer, params: n.data.params } } : n));
  return { nodes, edges: state.edges.filter((e) => !ids.has(e.source) && !ids.has(e.target)) };
}

/** Connects source → target at the target's lowest free input (merge) or replaces its only input. */
export function connect(state: GraphState, source: string, target: string, handle: string | null | undefined, merge: boolean): GraphState {
  let edges = state.edges;
  let k: number;
  if (merge) {
    const wanted = handle ? Number(/^in-(\d+)$/.exec(handle)?.[1] ?? NaN) : NaN;
    k = Number.isNaN(wanted) ? freeInputIndex(edges, target) : wanted;
    edges = edges.filter((e) => !(e.target === target && e.targetHandle === `in-${k}`));
  } else {
    k = 0;
    edges = edges.filter((e) => e.target !== target);
  }
  if (edges.some((e) => e.source === source && e.target === target && e.targetHandle === `in-${k}`)) return state;
  return { nodes: state.nodes, edges: [...edges, makeEdge(source, target, k)] };
}

/** Adds a node that shares the layer (and weights) of `id`. */
export function addSharedUse(state: GraphState, id: string): { state: GraphState; added: string } | null {
  const src = state.nodes.find((n) => n.id === id);
  if (!src) return null;
  const root = src.data.sharedWith ?? src.id;
  const added = nextNodeId(src.data.layer, state.nodes.map((n) => n.id));
  const node = makeNode(added, src.data.layer, { ...src.data.params }, { x: src.position.x + 230, y: src.position.y }, root);
  return { state: { nodes: [...state.nodes, node], edges: state.edges }, added };
}
