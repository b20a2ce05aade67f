// Search marks saved on graph nodes (`node.search`, docs/contracts.md): which layer parameters a sweep
// varies and how. Each mark is the sweep API's ParamSpec JSON for that parameter, so the sweep's space is
// the marks renamed to `param@nodeId` (pure).
import type { Graph, LayerSpec } from "../api/types";
import { candidates, fromSpaceJson, type ParamKind, type Row } from "../sweeps/searchSpace";
import type { ParamSpecJson, SpaceJson } from "../sweeps/types";
import type { LayerFlowNode } from "./types";

export type SearchMarks = Record<string, ParamSpecJson>;

/** Marks read from a file or the server: kept only as an object of `{type: string, ...}` specs (a hand-edited
 * file may hold anything; the sweep API checks the rest and names the parameter). */
export function cleanMarks(raw: unknown): SearchMarks | undefined {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const ok = Object.entries(raw).filter(([, v]) => v && typeof v === "object" && typeof (v as { type?: unknown }).type === "string");
  return ok.length ? (Object.fromEntries(ok) as SearchMarks) : undefined;
}

/** The node a mark belongs to: a `shared_with` copy edits its owner (the API refuses marks on copies). */
export function markOwner(nodes: LayerFlowNode[], id: string): LayerFlowNode | undefined {
  const node = nodes.find((n) => n.id === id);
  return node?.data.sharedWith ? nodes.find((n) => n.id === node.data.sharedWith) : node;
}

/** Sets (spec) or clears (undefined) the mark of `param` on `id`'s owner; other nodes are kept as they are. */
export function setMark(nodes: LayerFlowNode[], id: string, param: string, spec: ParamSpecJson | undefined): LayerFlowNode[] {
  const owner = markOwner(nodes, id);
  if (!owner) return nodes;
  return nodes.map((n) => {
    if (n.id !== owner.id) return n;
    const search: SearchMarks = { ...(n.data.search ?? {}) };
    if (spec) search[param] = spec;
    else delete search[param];
    const { search: _old, ...rest } = n.data;
    return { ...n, data: Object.keys(search).length ? { ...rest, search } : rest };
  });
}

/** The graph's marks as the sweep API's search space (`param@nodeId` keys); copies and Inputs are skipped. */
export function marksToSpace(graph: Graph): SpaceJson {
  const space: SpaceJson = {};
  for (const node of graph.nodes) {
    if (node.layer === "Input" || node.shared_with) continue;
    for (const [param, spec] of Object.entries(node.search ?? {})) space[`${param}@${node.id}`] = spec;
  }
  return space;
}

/**
 * The sweep form's rows for a design's marks plus extra (training) specs, typed from the catalog so a
 * list of numbers stays an int or a float list. Marks of parameters the layer does not have are dropped.
 */
export function rowsFromMarks(graph: Graph, catalog: LayerSpec[], config: Record<string, unknown>, extra: SpaceJson = {}): Record<string, Row> {
  const types = new Map(candidates(graph, catalog, config).map((c) => [c.name, c.type]));
  const space = { ...marksToSpace(graph), ...extra };
  const known: SpaceJson = {};
  const kinds: Record<string, ParamKind> = {};
  for (const [name, spec] of Object.entries(space)) {
    const type = types.get(name);
    if (!type) continue;
    known[name] = spec;
    kinds[name] = type;
  }
  return Object.fromEntries(fromSpaceJson(known, kinds).map((r) => [r.name, r]));
}

const num = (v: number) => String(Number(v.toPrecision(6)));

/** A short text for a mark, for the canvas badge: "units ∈ {4, 8}", "rate 0.1…0.5 log". */
export function markSummary(param: string, spec: ParamSpecJson): string {
  switch (spec.type) {
    case "int":
    case "float":
      return `${param} ${num(spec.min)}…${num(spec.max)}${spec.step ? ` step ${num(spec.step)}` : ""}${spec.log ? " log" : ""}`;
    case "choice":
      return `${param} ∈ {${spec.values.map((v) => String(v)).join(", ")}}`;
    case "bool":
      return `${param} ∈ {false, true}`;
    case "fixed":
      return `${param} = ${String(spec.value)}`;
  }
}
