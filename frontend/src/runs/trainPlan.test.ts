import { describe, expect, it } from "vitest";
import type { Dataset, Graph, Validation } from "../api/types";
import { defaultConfig, preflight } from "./trainPlan";

const graph: Graph = {
  nodes: [
    { id: "in", layer: "Input", params: { shape: [4] } },
    { id: "out", layer: "Dense", params: { units: 3, activation: "softmax" } },
  ],
  edges: [{ source: "in", target: "out" }],
};
const validation: Validation = { ok: true, shapes: { in: [null, 4], out: [null, 3] }, errors: [] };
const iris: Dataset = {
  id: 1,
  name: "iris",
  format: "csv",
  columns: [
    { name: "a", kind: "numeric" },
    { name: "b", kind: "numeric" },
    { name: "c", kind: "numeric" },
    { name: "d", kind: "numeric" },
    { name: "species", kind: "categorical", classes: { x: 1, y: 1, z: 1 } },
  ],
};
const choice = { target: "species", features: ["a", "b", "c", "d"] };

describe("defaults", () => {
  it("classification vs regression", () => {
    expect(defaultConfig("classification", 3)).toMatchObject({ loss: "categorical_crossentropy", metrics: ["accuracy"], optimizer: "adam" });
    expect(defaultConfig("binary", 1).loss).toBe("binary_crossentropy");
    expect(defaultConfig("binary", 2).loss).toBe("categorical_crossentropy");
    expect(defaultConfig("regression", 1)).toMatchObject({ loss: "mean_squared_error", metrics: ["mae"] });
  });
});

describe("preflight", () => {
  it("passes a matching design", () => {
    expect(preflight(graph, validation, iris, choice, "categorical_crossentropy")).toEqual([]);
  });
  it("offers to fix the input width and the output units", () => {
    const problems = preflight(graph, validation, iris, { target: "species", features: ["a", "b"] }, "categorical_crossentropy");
    expect(problems[0].fix).toEqual({ node: "in", param: "shape", value: [2], label: "Set Input shape to (2,)" });
    const out = preflight(graph, { ...validation, shapes: { ...validation.shapes, out: [null, 5] } }, iris, choice, "categorical_crossentropy");
    expect(out[0].fix).toMatchObject({ node: "out", param: "units", value: 3 });
  });
  it("flags a loss that does not fit the target", () => {
    expect(preflight(graph, validation, iris, choice, "mean_squared_error")[0].message).toMatch(/text labels/);
    expect(preflight(graph, validation, iris, choice, "binary_crossentropy").some((p) => /2 classes/.test(p.message))).toBe(true);
  });
});
