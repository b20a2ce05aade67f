// A small layered (Sugiyama-style) layout: rows by longest path from the inputs, order in a row by the
// mean position of the parents. Enough for the DAGs people draw here; no dependency needed.
import type { GraphState } from "./types";

export const ROW_GAP = 120;
export const COL_GAP = 230;

export function layeredLayout(state: GraphState, origin = { x: 0, y: 0 }): GraphState {
  const ids = state.nodes.map((n) => n.id);
  const parents = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of state.edges) if (parents.has(e.target) && parents.has(e.source)) parents.get(e.target)!.push(e.source);

  // Longest path depth; a visiting set guards against cycles.
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    if (depth.has(id)) return depth.get(id)!;
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const d = Math.max(-1, ...parents.get(id)!.map(depthOf)) + 1;
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  ids.forEach(depthOf);

  const rows: string[][] = [];
  for (const id of ids) (rows[depth.get(id)!] ??= []).push(id);
  const col = new Map<string, number>();
  rows.forEach((row, r) => {
    if (r > 0) {
      const score = (id: string) => {
        const ps = parents.get(id)!.filter((p) => col.has(p));
        return ps.length ? ps.reduce((s, p) => s + col.get(p)!, 0) / ps.length : Infinity;
      };
      row.sort((a, b) => score(a) - score(b));
    }
    row.forEach((id, i) => col.set(id, i - (row.length - 1) / 2));
  });

  return {
    edges: state.edges,
    nodes: state.nodes.map((n) => ({
      ...n,
      position: { x: origin.x + col.get(n.id)! * COL_GAP, y: origin.y + depth.get(n.id)! * ROW_GAP },
    })),
  };
}
