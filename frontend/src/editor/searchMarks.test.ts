import { beforeEach, describe, expect, it } from "vitest";
import type { Graph, LayerSpec } from "../api/types";
import { toSpaceJson } from "../sweeps/searchSpace";
import { fromGraph, toGraph } from "./graph";
import { toKerasScript } from "./kerasScript";
import { markSummary, marksToSpace, rowsFromMarks, setMark } from "./searchMarks";
import { graphOf, useEditor } from "./store";

const catalog: LayerSpec[] = [
  { name: "Input", group: "input", inputs: 0, params: [{ name: "shape", type: "shape", default: null, required: true }] },
  {
    name: "Dense",
    group: "core",
    inputs: 1,
    key_params: ["units"],
    params: [
      { name: "units", type: "int", default: null, required: true, min: 1 },
      { name: "activation", type: "choice", default: "linear", choices: ["linear", "relu", "tanh"] },
    ],
  },
  { name: "Dropout", group: "regularization", inputs: 1, params: [{ name: "rate", type: "float", default: 0.5, min: 0, max: 1 }] },
];

const graph: Graph = {
  nodes: [
    { id: "in", layer: "Input", params: { shape: [4] }, position: { x: 0, y: 0 } },
    { id: "d1", layer: "Dense", params: { units: 8 }, position: { x: 0, y: 100 }, search: { units: { type: "choice", values: [4, 8] }, activation: { type: "choice", values: ["relu", "tanh"] } } },
    { id: "twin", layer: "Dense", params: { units: 8 }, position: { x: 200, y: 100 }, shared_with: "d1" },
    { id: "drop", layer: "Dropout", params: { rate: 0.2 }, position: { x: 0, y: 200 }, search: { rate: { type: "float", min: 0.1, max: 0.5 } } },
  ],
  edges: [
    { source: "in", target: "d1" },
    { source: "d1", target: "drop" },
  ],
};

describe("search marks in the graph JSON", () => {
  it("round-trips `search` through the editor state unchanged (save/load)", () => {
    const flow = fromGraph(graph);
    expect(flow.nodes[1].data.search).toEqual(graph.nodes[1].search);
    expect(flow.nodes[2].data.search).toBeUndefined();
    expect(toGraph(flow)).toEqual(graph);
  });

  it("drops malformed marks from a hand-edited file; the Keras export ignores marks", () => {
    const odd = { ...graph, nodes: [{ ...graph.nodes[1], search: "units" }, { ...graph.nodes[3], search: { rate: 3, units: { type: "bool" } } }] } as unknown as Graph;
    const flow = fromGraph(odd);
    expect(flow.nodes[0].data.search).toBeUndefined();
    expect(flow.nodes[1].data.search).toEqual({ units: { type: "bool" } });
    const plain: Graph = { ...graph, nodes: graph.nodes.map(({ search: _, ...n }) => n) };
    expect(toKerasScript(graph)).toEqual(toKerasScript(plain));
  });

  it("turns marks into the sweep API's space, skipping shared copies and Inputs", () => {
    const withStray: Graph = { ...graph, nodes: [...graph.nodes, { id: "x", layer: "Input", params: {}, search: { shape: { type: "bool" } } }] };
    expect(marksToSpace(withStray)).toEqual({
      "units@d1": { type: "choice", values: [4, 8] },
      "activation@d1": { type: "choice", values: ["relu", "tanh"] },
      "rate@drop": { type: "float", min: 0.1, max: 0.5 },
    });
  });

  it("sets a mark on the owner of a shared copy and drops the key when the last mark goes", () => {
    const { nodes } = fromGraph(graph);
    const marked = setMark(nodes, "twin", "units", { type: "int", min: 2, max: 6, step: 2 });
    expect(marked.find((n) => n.id === "d1")!.data.search!.units).toEqual({ type: "int", min: 2, max: 6, step: 2 });
    expect(marked.find((n) => n.id === "twin")!.data.search).toBeUndefined();
    const cleared = setMark(setMark(marked, "drop", "rate", undefined), "d1", "units", undefined);
    expect("search" in cleared.find((n) => n.id === "drop")!.data).toBe(false);
    expect(Object.keys(cleared.find((n) => n.id === "d1")!.data.search!)).toEqual(["activation"]);
    expect(setMark(nodes, "nope", "units", { type: "bool" })).toBe(nodes);
  });

  it("gives the sweep form typed rows that convert back to the same space", () => {
    const rows = rowsFromMarks(graph, catalog, { learning_rate: 0.01 }, { learning_rate: { type: "float", min: 0.001, max: 0.1, log: true } });
    expect(rows["units@d1"]).toMatchObject({ type: "int", mode: "list", values: "4, 8" });
    expect(rows["rate@drop"]).toMatchObject({ type: "float", mode: "range", min: "0.1", max: "0.5" });
    expect(toSpaceJson(Object.values(rows)).space).toEqual({ ...marksToSpace(graph), learning_rate: { type: "float", min: 0.001, max: 0.1, log: true } });
    // A mark of a parameter the layer does not have (an old catalog) is dropped, not sent.
    const stale: Graph = { ...graph, nodes: [{ ...graph.nodes[3], search: { gone: { type: "bool" } } }] };
    expect(rowsFromMarks(stale, catalog, {})).toEqual({});
  });

  it("summarises a mark for the canvas badge", () => {
    expect(markSummary("units", { type: "choice", values: [4, 8] })).toBe("units ∈ {4, 8}");
    expect(markSummary("rate", { type: "float", min: 0.1, max: 0.30000000000000004, log: true })).toBe("rate 0.1…0.3 log");
    expect(markSummary("units", { type: "int", min: 8, max: 64, step: 8 })).toBe("units 8…64 step 8");
    expect(markSummary("use_bias", { type: "bool" })).toBe("use_bias ∈ {false, true}");
  });
});

describe("search marks in the editor store", () => {
  const ed = () => useEditor.getState();
  beforeEach(() => {
    ed().setCatalog(catalog);
    ed().load(graph, "t", "1");
  });

  it("marks, undoes and redoes like any edit, without re-validating", () => {
    const rev = ed().graphRev;
    ed().setSearch("drop", "rate", { type: "choice", values: [0.1, 0.3] });
    expect(graphOf(ed()).nodes[3].search).toEqual({ rate: { type: "choice", values: [0.1, 0.3] } });
    expect(ed().dirty).toBe(true);
    expect(ed().graphRev).toBe(rev);
    ed().setSearch("drop", "rate", undefined);
    expect(graphOf(ed()).nodes[3].search).toBeUndefined();
    ed().undo();
    expect(graphOf(ed()).nodes[3].search).toEqual({ rate: { type: "choice", values: [0.1, 0.3] } });
    ed().undo();
    expect(graphOf(ed()).nodes[3].search).toEqual(graph.nodes[3].search);
    ed().redo();
    expect(graphOf(ed()).nodes[3].search).toEqual({ rate: { type: "choice", values: [0.1, 0.3] } });
  });

  it("copies marks with pasted nodes (under the new id)", () => {
    ed().select(["d1"]);
    ed().copy();
    ed().paste();
    const pasted = graphOf(ed()).nodes.find((n) => n.id === "dense")!;
    expect(pasted.search).toEqual(graph.nodes[1].search);
    expect(marksToSpace(graphOf(ed()))["units@dense"]).toEqual({ type: "choice", values: [4, 8] });
  });
});
