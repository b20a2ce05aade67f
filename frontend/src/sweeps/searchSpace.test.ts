import { describe, expect, it } from "vitest";
import type { Graph, LayerSpec } from "../api/types";
import {
  boundsError,
  candidates,
  checkRow,
  defaultRow,
  fromSpaceJson,
  gridSize,
  layerCandidate,
  objectivesFor,
  rowFromSpec,
  rowToSpec,
  toSpaceJson,
  trainingCandidates,
  visibleCandidates,
  type ParamKind,
  type Row,
} from "./searchSpace";
import type { ParamSpecJson, SpaceJson } from "./types";

const graph: Graph = {
  nodes: [
    { id: "in", layer: "Input", params: { shape: [4] } },
    { id: "d1", layer: "Dense", params: { units: 32, activation: "relu" } },
    { id: "twin", layer: "Dense", params: {}, shared_with: "d1" },
    { id: "drop", layer: "Dropout", params: { rate: 0.2 } },
  ],
  edges: [],
};
const catalog: LayerSpec[] = [
  { name: "Input", group: "input", inputs: 0, params: [{ name: "shape", type: "shape", default: null }] },
  {
    name: "Dense",
    group: "core",
    inputs: 1,
    key_params: ["units", "activation"],
    params: [
      { name: "units", type: "int", default: null, min: 1 },
      { name: "activation", type: "choice", default: "linear", choices: ["linear", "relu", "tanh"] },
      { name: "kernel_size", type: "int_or_tuple", default: 3 },
    ],
  },
  { name: "Dropout", group: "regularization", inputs: 1, params: [{ name: "rate", type: "float", default: 0.5, min: 0, max: 1 }] },
];
const row = (over: Partial<Row>): Row => ({ name: "x", type: "int", mode: "range", min: "", max: "", step: "", log: false, values: "", ...over });

describe("candidates", () => {
  it("lists searchable layer params (not Input, not shared nodes, not tuples) and training settings", () => {
    const all = candidates(graph, catalog, { learning_rate: 0.01, epochs: 5 });
    const names = all.map((c) => c.name);
    expect(names.filter((n) => n.includes("@"))).toEqual(["units@d1", "activation@d1", "rate@drop"]);
    expect(names).toContain("learning_rate");
    expect(all.find((c) => c.name === "units@d1")?.current).toBe(32);
    expect(all.find((c) => c.name === "activation@d1")?.choices).toEqual(["linear", "relu", "tanh"]);
  });

  it("shows key parameters, chosen ones and filter matches", () => {
    const all = candidates(graph, catalog, {});
    const names = (cs: { name: string }[]) => cs.map((c) => c.name);
    const shown = names(visibleCandidates(all, new Set(), "", false));
    expect(shown).toContain("units@d1");
    expect(shown).not.toContain("rate@drop");
    expect(names(visibleCandidates(all, new Set(["rate@drop"]), "", false))).toContain("rate@drop");
    expect(names(visibleCandidates(all, new Set(), "DROP", false))).toEqual(["rate@drop"]);
    expect(visibleCandidates(all, new Set(), "", true)).toHaveLength(all.length);
  });

  it("gives a range around the current value or a list of choices", () => {
    const all = candidates(graph, catalog, { learning_rate: 0.01 });
    const by = (n: string) => defaultRow(all.find((c) => c.name === n)!);
    expect(by("units@d1")).toMatchObject({ mode: "range", min: "16", max: "64" });
    expect(by("learning_rate")).toMatchObject({ mode: "range", log: true, min: "0.001", max: "0.1" });
    expect(by("activation@d1")).toMatchObject({ mode: "list", values: "relu, linear" });
    for (const c of all) expect(rowToSpec(defaultRow(c)).error).toBeUndefined();
  });
});

describe("rows ⇄ JSON", () => {
  it("turns ranges and lists into the API's spec", () => {
    const { space, errors } = toSpaceJson([
      row({ name: "units@d1", min: "8", max: "64", step: "8" }),
      row({ name: "learning_rate", type: "float", min: "0.0001", max: "0.1", log: true }),
      row({ name: "optimizer", type: "choice", mode: "list", values: "adam, sgd" }),
      row({ name: "batch_size", mode: "list", values: "16,32 , 64" }),
      row({ name: "standardize", type: "bool", mode: "list", values: "false, true" }),
    ]);
    expect(errors).toEqual({});
    expect(space).toEqual({
      "units@d1": { type: "int", min: 8, max: 64, step: 8 },
      learning_rate: { type: "float", min: 0.0001, max: 0.1, log: true },
      optimizer: { type: "choice", values: ["adam", "sgd"] },
      batch_size: { type: "choice", values: [16, 32, 64] },
      standardize: { type: "bool" },
    });
    expect(gridSize(space)).toBe(8 * 5 * 2 * 3 * 2);
  });

  it("says what is wrong with a row", () => {
    expect(rowToSpec(row({ min: "8", max: "4" })).error).toMatch(/above max/);
    expect(rowToSpec(row({ min: "1.5", max: "4" })).error).toMatch(/integers/);
    expect(rowToSpec(row({ type: "float", min: "0", max: "1", log: true })).error).toMatch(/log/);
    expect(rowToSpec(row({ min: "1", max: "4", step: "-1" })).error).toMatch(/Step/);
    expect(rowToSpec(row({ mode: "list", values: "8, x" })).error).toMatch(/“x” is not an integer/);
    expect(rowToSpec(row({ mode: "list", values: " , " })).error).toMatch(/at least one/);
    expect(rowToSpec(row({ mode: "list", values: "8, 8" })).error).toMatch(/twice/);
    const { space, errors } = toSpaceJson([row({ name: "a", min: "1", max: "2" }), row({ name: "b", min: "" })]);
    expect(Object.keys(space)).toEqual(["a"]);
    expect(Object.keys(errors)).toEqual(["b"]);
  });

  it("round-trips JSON → rows → JSON", () => {
    const space: SpaceJson = {
      "units@d1": { type: "int", min: 8, max: 64, step: 8 },
      learning_rate: { type: "float", min: 0.0001, max: 0.1, log: true },
      "rate@drop": { type: "float", min: 0, max: 0.5 },
      optimizer: { type: "choice", values: ["adam", "sgd"] },
      batch_size: { type: "choice", values: [16, 32] },
      "use_bias@d1": { type: "bool" },
    };
    const rows = fromSpaceJson(space);
    expect(rows.find((r) => r.name === "batch_size")).toMatchObject({ type: "int", mode: "list", values: "16, 32" });
    expect(toSpaceJson(rows)).toEqual({ space, errors: {} });
  });
});

describe("marks checked against the parameter", () => {
  const units = layerCandidate("d1", { name: "units", type: "int", default: null, min: 1 }, 32)!;
  const act = layerCandidate("d1", { name: "activation", type: "choice", default: "linear", choices: ["linear", "relu"] }, undefined)!;
  const training = (n: string) => trainingCandidates({ learning_rate: 0.01, batch_size: 32 }).find((c) => c.name === n)!;

  it("makes candidates only of searchable layer params", () => {
    expect(units).toMatchObject({ name: "units@d1", type: "int", current: 32, min: 1 });
    expect(act.current).toBe("linear");
    expect(layerCandidate("d1", { name: "kernel_size", type: "int_or_tuple", default: 3 }, 3)).toBeNull();
  });

  it("refuses values outside the parameter's bounds or choices", () => {
    expect(checkRow(row({ name: "units@d1", min: "0", max: "8" }), units).error).toBe("Values must be ≥ 1.");
    expect(checkRow(row({ name: "units@d1", mode: "list", values: "4, 8" }), units)).toEqual({ spec: { type: "choice", values: [4, 8] } });
    expect(checkRow(row({ type: "choice", mode: "list", values: "relu, gelu" }), act).error).toMatch(/“gelu” is not one of linear, relu/);
    expect(checkRow(row({ type: "float", min: "0", max: "0.1" }), training("learning_rate")).error).toBe("Values must be > 0.");
    expect(checkRow(row({ type: "float", min: "0.1", max: "0.95" }), training("validation_split")).error).toBe("Values must be ≤ 0.9.");
    expect(checkRow(row({ min: "8", max: "4" }), training("batch_size")).error).toMatch(/above max/);
    expect(boundsError({ type: "bool" }, training("standardize"))).toBeUndefined();
  });

  it("edits a stored spec with the row it came from", () => {
    for (const [spec, type] of [
      [{ type: "int", min: 8, max: 64, step: 8 }, "int"],
      [{ type: "float", min: 0.001, max: 0.1, log: true }, "float"],
      [{ type: "choice", values: [4, 8] }, "int"],
      [{ type: "choice", values: ["relu", "tanh"] }, "choice"],
      [{ type: "bool" }, "bool"],
    ] as [ParamSpecJson, ParamKind][])
      expect(rowToSpec(rowFromSpec("p", spec, type)).spec).toEqual(spec);
    expect(rowFromSpec("p", { type: "choice", values: [0.1, 1] }, "float")).toMatchObject({ type: "float", values: "0.1, 1" });
  });

  it("keeps a default int range inside the parameter's max", () => {
    const capped = layerCandidate("n", { name: "heads", type: "int", default: 4, min: 1, max: 6 }, 4)!;
    expect(defaultRow(capped)).toMatchObject({ min: "2", max: "6" });
  });

  it("offers objectives of the config's metrics", () => {
    expect(objectivesFor(["accuracy"])).toEqual(["val_loss", "loss", "val_accuracy", "accuracy"]);
  });
});
