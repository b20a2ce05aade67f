import { describe, expect, it } from "vitest";
import type { LayerSpec } from "../api/types";
import { fromKerasConfig, graphFromFile, KerasImportError } from "./kerasImport";

const catalog = new Map<string, LayerSpec>(
  [
    { name: "Dense", group: "core", inputs: 1, params: [
      { name: "units", type: "int", default: null, required: true },
      { name: "activation", type: "choice", default: null, choices: ["linear", "relu", "softmax"] },
      { name: "kernel_initializer", type: "choice", default: "glorot_uniform", choices: ["glorot_uniform", "he_normal"] },
      { name: "use_bias", type: "bool", default: true },
    ] },
    { name: "Concatenate", group: "merge", inputs: "many", params: [{ name: "axis", type: "int", default: -1 }] },
  ].map((l) => [l.name, l as LayerSpec]),
);

describe("Keras import", () => {
  it("reads a Keras 3 Sequential model", () => {
    const json = {
      module: "keras", class_name: "Sequential",
      config: { name: "seq", layers: [
        { class_name: "InputLayer", config: { batch_shape: [null, 4], dtype: "float32", name: "input_layer" } },
        { class_name: "Dense", config: { name: "dense", units: 8, activation: "relu", use_bias: true,
          kernel_initializer: { module: "keras.initializers", class_name: "HeNormal", config: { seed: null } }, kernel_regularizer: null } },
        { class_name: "Dense", config: { name: "dense_1", units: 3, activation: "softmax" } },
      ] },
    };
    expect(fromKerasConfig(json, catalog)).toEqual({
      nodes: [
        { id: "input_layer", layer: "Input", params: { shape: [4] } },
        { id: "dense", layer: "Dense", params: { units: 8, activation: "relu", kernel_initializer: "he_normal" } },
        { id: "dense_1", layer: "Dense", params: { units: 3, activation: "softmax" } },
      ],
      edges: [
        { source: "input_layer", target: "dense" },
        { source: "dense", target: "dense_1" },
      ],
    });
  });

  it("reads a Keras 2 Sequential model with batch_input_shape on its first layer", () => {
    const g = fromKerasConfig({ model_config: JSON.stringify({ class_name: "Sequential", config: { layers: [
      { class_name: "Dense", config: { name: "d", units: 2, batch_input_shape: [null, 5] } },
    ] } }) }, catalog);
    expect(g.nodes.map((n) => [n.id, n.layer, n.params])).toEqual([["input", "Input", { shape: [5] }], ["d", "Dense", { units: 2 }]]);
  });

  it("reads a Keras 3 functional model with a merge and a shared layer", () => {
    const t = (name: string, node = 0) => ({ class_name: "__keras_tensor__", config: { shape: [null, 4], keras_history: [name, node, 0] } });
    const json = { class_name: "Functional", config: { name: "f", layers: [
      { class_name: "InputLayer", name: "x", config: { batch_shape: [null, 4], name: "x" }, inbound_nodes: [] },
      { class_name: "Dense", name: "shared", config: { name: "shared", units: 4 }, inbound_nodes: [{ args: [t("x")], kwargs: {} }, { args: [t("shared")], kwargs: {} }] },
      { class_name: "Concatenate", name: "cat", config: { name: "cat", axis: -1 }, inbound_nodes: [{ args: [[t("shared"), t("shared", 1)]], kwargs: {} }] },
    ] } };
    const g = fromKerasConfig(json, catalog);
    expect(g.nodes.find((n) => n.id === "shared_call1")).toEqual({ id: "shared_call1", layer: "Dense", params: { units: 4 }, shared_with: "shared" });
    expect(g.edges).toEqual([
      { source: "x", target: "shared" },
      { source: "shared", target: "shared_call1" },
      { source: "shared", target: "cat", target_index: 0 },
      { source: "shared_call1", target: "cat", target_index: 1 },
    ]);
  });

  it("reads Keras 2 functional inbound nodes", () => {
    const g = fromKerasConfig({ class_name: "Model", config: { layers: [
      { class_name: "InputLayer", name: "in", config: { batch_input_shape: [null, 3], name: "in" }, inbound_nodes: [] },
      { class_name: "Dense", name: "d", config: { name: "d", units: 1 }, inbound_nodes: [[["in", 0, 0, {}]]] },
    ] } }, catalog);
    expect(g.edges).toEqual([{ source: "in", target: "d" }]);
  });

  it("passes our own graph through and refuses other things", () => {
    const own = { nodes: [], edges: [] };
    expect(graphFromFile({ graph: own }, catalog)).toBe(own);
    expect(() => graphFromFile({ hello: 1 }, catalog)).toThrow(KerasImportError);
    expect(() => fromKerasConfig({ class_name: "MyModel", config: {} }, catalog)).toThrow(/Sequential and Functional/);
  });
});
