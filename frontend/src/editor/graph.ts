// Pure conversion between React Flow's nodes/edges and the graph JSON of shared/DESIGN.md.
import type { Graph, GraphEdge, GraphNode } from "../api/types";
import { handleIndex, inputHandleId, OUTPUT_HANDLE, type FlowEdge, type GraphState, type LayerFlowNode } from "./types";
import { layeredLayout } from "./layout";
import { cleanMarks } from "./searchMarks";

export function edgeId(source: string, target: string, k: number): string {
  return `e-${source}-${target}-${k}`;
}

export function makeEdge(source: string, target: string, k = 0): FlowEdge {
  return { id: edgeId(source, target, k), source, target, sourceHandle: OUTPUT_HANDLE, targetHandle: inputHandleId(k) };
}

export function makeNode(id: string, layer: string, params: GraphNode["params"], position = { x: 0, y: 0 }, sharedWith?: string, search?: GraphNode["search"]): LayerFlowNode {
  const data: LayerFlowNode["data"] = { layer, params };
  if (sharedWith) data.sharedWith = sharedWith;
  if (search && Object.keys(search).length) data.search = { ...search };
  return { id, type: "layer", position, data };
}

/** React Flow state → graph JSON. Merge inputs get `target_index` 0..n-1 in handle order. */
export function toGraph({ nodes, edges }: GraphState): Graph {
  const graphNodes: GraphNode[] = nodes.map((n) => {
    const out: GraphNode = {
      id: n.id,
      layer: n.data.layer,
      params: { ...n.data.params },
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    };
    if (n.data.sharedWith) out.shared_with = n.data.sharedWith;
    if (n.data.search && Object.keys(n.data.search).length) out.search = { ...n.data.search };
    return out;
  });
  const byTarget = new Map<string, FlowEdge[]>();
  for (const e of edges) byTarget.set(e.target, [...(byTarget.get(e.target) ?? []), e]);
  const rank = new Map<string, number>();
  for (const list of byTarget.values()) {
    if (list.length < 2) continue;
    [...list].sort((a, b) => handleIndex(a.targetHandle) - handleIndex(b.targetHandle)).forEach((e, i) => rank.set(e.id, i));
  }
  const graphEdges: GraphEdge[] = edges.map((e) => {
    const out: GraphEdge = { source: e.source, target: e.target };
    if (rank.has(e.id)) out.target_index = rank.get(e.id);
    return out;
  });
  return { nodes: graphNodes, edges: graphEdges };
}

/** Graph JSON → React Flow state. Nodes without a position are laid out. */
export function fromGraph(graph: Graph): GraphState {
  const nodes = (graph.nodes ?? []).map((n) =>
    makeNode(n.id, n.layer, { ...(n.params ?? {}) }, n.position ? { ...n.position } : { x: 0, y: 0 }, n.shared_with, cleanMarks(n.search)),
  );
  const seen = new Map<string, number>();
  const edges = (graph.edges ?? []).map((e) => {
    const next = seen.get(e.target) ?? 0;
    const k = typeof e.target_index === "number" ? e.target_index : next;
    seen.set(e.target, Math.max(next, k) + 1);
    return makeEdge(e.source, e.target, k);
  });
  const state = { nodes, edges };
  const missing = (graph.nodes ?? []).some((n) => !n.position);
  return missing ? layeredLayout(state) : state;
}

/** A fresh id like Keras' layer names: dense, dense_1, dense_2, ... */
export function nextNodeId(layer: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = layer
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_");
  if (!used.has(base)) return base;
  for (let i = 1; ; i++) if (!used.has(`${base}_${i}`)) return `${base}_${i}`;
}

/** Lowest free input slot of a node (merge layers grow a new handle as slots fill). */
export function freeInputIndex(edges: FlowEdge[], target: string): number {
  const used = new Set(edges.filter((e) => e.target === target).map((e) => handleIndex(e.targetHandle)));
  let k = 0;
  while (used.has(k)) k++;
  return k;
}

/** Number of input handles to draw: single-input layers 1, merge layers (connected + 1), at least 2. */
export function inputHandleCount(inputs: number | "many" | undefined, edges: FlowEdge[], nodeId: string): number {
  if (inputs === 0) return 0;
  if (inputs !== "many") return Math.max(1, inputs ?? 1);
  const indices = edges.filter((e) => e.target === nodeId).map((e) => handleIndex(e.targetHandle));
  return Math.max(2, (indices.length ? Math.max(...indices) + 1 : 0) + 1);
}

/** Would connecting source → target create a cycle (or a self-loop)? */
export function createsCycle(edges: FlowEdge[], source: string, target: string): boolean {
  if (source === target) return true;
  const stack = [target];
  const seen = new Set<string>();
  while (stack.length) {
    const cur = stack.pop()!;
    if (cur === source) return true;
    if (seen.has(cur)) continue;
    seen.add(cur);
    for (const e of edges) if (e.source === cur) stack.push(e.target);
  }
  return false;
}

/** Nodes in dependency order (sources first); nodes in cycles are appended at the end. */
export function topoOrder(graph: Graph): GraphNode[] {
  const indeg = new Map(graph.nodes.map((n) => [n.id, 0]));
  for (const e of graph.edges) if (indeg.has(e.target)) indeg.set(e.target, indeg.get(e.target)! + 1);
  const queue = graph.nodes.filter((n) => indeg.get(n.id) === 0);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const out: GraphNode[] = [];
  const done = new Set<string>();
  while (queue.length) {
    const n = queue.shift()!;
    out.push(n);
    done.add(n.id);
    for (const e of graph.edges) {
      if (e.source !== n.id || !indeg.has(e.target)) continue;
      indeg.set(e.target, indeg.get(e.target)! - 1);
      if (indeg.get(e.target) === 0) queue.push(byId.get(e.target)!);
    }
  }
  return [...out, ...graph.nodes.filter((n) => !done.has(n.id))];
}
