import { describe, expect, it } from "vitest";
import { addSharedUse, applyFix, connect, copySelection, pasteClip, removeNodes } from "./edits";
import { fromGraph, toGraph } from "./graph";

const base = () =>
  fromGraph({
    nodes: [
      { id: "in", layer: "Input", params: { shape: [28, 28, 1] }, position: { x: 0, y: 0 } },
      { id: "c", layer: "Conv2D", params: { filters: 4, kernel_size: 3 }, position: { x: 0, y: 120 } },
      { id: "d", layer: "Dense", params: { units: 10 }, position: { x: 0, y: 240 } },
    ],
    edges: [
      { source: "in", target: "c" },
      { source: "c", target: "d" },
    ],
  });

describe("applyFix", () => {
  it("inserts a layer before the failing node", () => {
    const res = applyFix(base(), { action: "insert", layer: "Flatten", params: {}, before: "d" })!;
    expect(res.added).toBe("flatten");
    const g = toGraph(res.state);
    expect(g.edges).toEqual([
      { source: "in", target: "c" },
      { source: "c", target: "flatten" },
      { source: "flatten", target: "d" },
    ]);
    const y = Object.fromEntries(g.nodes.map((n) => [n.id, n.position!.y]));
    expect(y.c).toBeLessThan(y.flatten);
    expect(y.flatten).toBeLessThan(y.d);
  });
  it("ignores fixes it does not understand", () => {
    expect(applyFix(base(), { action: "rewrite" })).toBeNull();
    expect(applyFix(base(), { action: "insert", layer: "Flatten", before: "missing" })).toBeNull();
  });
});

describe("copy / paste / delete / connect", () => {
  it("pastes a copy with fresh ids and internal edges", () => {
    const s = base();
    const clip = copySelection(s, new Set(["c", "d"]));
    expect(clip.edges.length).toBe(1);
    const { state, ids } = pasteClip(s, clip);
    expect(ids).toEqual(["conv2d", "dense"]);
    expect(state.nodes.length).toBe(5);
    expect(toGraph(state).edges).toContainEqual({ source: "conv2d", target: "dense" });
  });
  it("removes nodes with their edges and un-shares dependants", () => {
    const shared = addSharedUse(base(), "d")!;
    expect(shared.state.nodes.find((n) => n.id === shared.added)!.data.sharedWith).toBe("d");
    const s = removeNodes(shared.state, new Set(["d"]));
    expect(s.edges).toHaveLength(1);
    expect(s.nodes.find((n) => n.id === shared.added)!.data.sharedWith).toBeUndefined();
  });
  it("replaces the single input of a layer and fills merge slots in order", () => {
    let s = connect(base(), "in", "d", "in-0", false);
    expect(toGraph(s).edges.filter((e) => e.target === "d")).toEqual([{ source: "in", target: "d" }]);
    s = fromGraph({
      nodes: [
        { id: "a", layer: "Input", params: {}, position: { x: 0, y: 0 } },
        { id: "b", layer: "Input", params: {}, position: { x: 0, y: 0 } },
        { id: "m", layer: "Add", params: {}, position: { x: 0, y: 0 } },
      ],
      edges: [],
    });
    s = connect(s, "a", "m", null, true);
    s = connect(s, "b", "m", null, true);
    expect(toGraph(s).edges).toEqual([
      { source: "a", target: "m", target_index: 0 },
      { source: "b", target: "m", target_index: 1 },
    ]);
  });
});
