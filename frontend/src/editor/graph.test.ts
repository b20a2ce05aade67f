import { describe, expect, it } from "vitest";
import type { Graph } from "../api/types";
import { createsCycle, fromGraph, inputHandleCount, nextNodeId, toGraph, topoOrder } from "./graph";
import { TEMPLATES } from "./templates";

const twoBranch = TEMPLATES.find((t) => t.id === "two-branch")!.graph;

describe("graph ⇄ React Flow", () => {
  it("round-trips a graph with positions, merge inputs and shared layers", () => {
    const graph: Graph = {
      nodes: [
        { id: "in", layer: "Input", params: { shape: [4] }, position: { x: 0, y: 0 } },
        { id: "a", layer: "Dense", params: { units: 8 }, position: { x: 0, y: 100 } },
        { id: "b", layer: "Dense", params: { units: 8 }, position: { x: 200, y: 100 }, shared_with: "a" },
        { id: "add", layer: "Add", params: {}, position: { x: 100, y: 200 } },
      ],
      edges: [
        { source: "in", target: "a" },
        { source: "in", target: "b" },
        { source: "b", target: "add", target_index: 1 },
        { source: "a", target: "add", target_index: 0 },
      ],
    };
    const flow = fromGraph(graph);
    expect(flow.nodes[2].data.sharedWith).toBe("a");
    expect(flow.edges.find((e) => e.source === "b" && e.target === "add")!.targetHandle).toBe("in-1");
    const back = toGraph(flow);
    expect(back.nodes).toEqual(graph.nodes);
    expect(back.edges).toEqual(graph.edges);
  });

  it("numbers merge inputs 0..n-1 in handle order even with gaps", () => {
    const flow = fromGraph({
      nodes: [
        { id: "x", layer: "Input", params: { shape: [2] }, position: { x: 0, y: 0 } },
        { id: "y", layer: "Input", params: { shape: [2] }, position: { x: 0, y: 0 } },
        { id: "c", layer: "Concatenate", params: {}, position: { x: 0, y: 0 } },
      ],
      edges: [
        { source: "y", target: "c", target_index: 3 },
        { source: "x", target: "c", target_index: 1 },
      ],
    });
    const edges = toGraph(flow).edges;
    expect(edges).toEqual([
      { source: "y", target: "c", target_index: 1 },
      { source: "x", target: "c", target_index: 0 },
    ]);
  });

  it("omits target_index for single inputs and assigns edge order when absent", () => {
    const flow = fromGraph(twoBranch);
    const g = toGraph(flow);
    expect(g.edges.find((e) => e.target === "output")).toEqual({ source: "concatenate", target: "output" });
    expect(g.edges.filter((e) => e.target === "concatenate").map((e) => e.target_index)).toEqual([0, 1]);
    const noIdx = fromGraph({ ...twoBranch, edges: twoBranch.edges.map(({ source, target }) => ({ source, target })) });
    expect(noIdx.edges.filter((e) => e.target === "concatenate").map((e) => e.targetHandle)).toEqual(["in-0", "in-1"]);
  });

  it("lays out nodes that come without positions, top to bottom", () => {
    const flow = fromGraph(twoBranch);
    const y = Object.fromEntries(flow.nodes.map((n) => [n.id, n.position.y]));
    expect(y.input).toBeLessThan(y.branch_a);
    expect(y.branch_a).toBe(y.branch_b);
    expect(y.concatenate).toBeLessThan(y.output);
    const xa = flow.nodes.find((n) => n.id === "branch_a")!.position.x;
    const xb = flow.nodes.find((n) => n.id === "branch_b")!.position.x;
    expect(xa).not.toBe(xb);
  });
});

describe("helpers", () => {
  it("makes Keras-style ids", () => {
    expect(nextNodeId("Dense", [])).toBe("dense");
    expect(nextNodeId("Dense", ["dense", "dense_1"])).toBe("dense_2");
    expect(nextNodeId("MaxPooling2D", [])).toBe("max_pooling2d");
    expect(nextNodeId("LSTM", [])).toBe("lstm");
    expect(nextNodeId("GlobalAveragePooling2D", [])).toBe("global_average_pooling2d");
  });
  it("detects cycles", () => {
    const { edges } = fromGraph(twoBranch);
    expect(createsCycle(edges, "output", "input")).toBe(true);
    expect(createsCycle(edges, "input", "output")).toBe(false);
    expect(createsCycle(edges, "a", "a")).toBe(true);
  });
  it("counts input handles", () => {
    const { edges } = fromGraph(twoBranch);
    expect(inputHandleCount(0, edges, "input")).toBe(0);
    expect(inputHandleCount(1, edges, "output")).toBe(1);
    expect(inputHandleCount("many", edges, "concatenate")).toBe(3);
    expect(inputHandleCount("many", [], "x")).toBe(2);
  });
  it("orders topologically", () => {
    expect(topoOrder(twoBranch).map((n) => n.id)).toEqual(["input", "branch_a", "branch_b", "concatenate", "output"]);
  });
});
