// Starting points for a new design. Layer names are Keras class names; where Keras has aliases the
// catalog decides which one the engine registers.
import type { Graph, GraphNode } from "../api/types";

export interface Template {
  id: string;
  name: string;
  description: string;
  graph: Graph;
}

const n = (id: string, layer: string, params: GraphNode["params"] = {}): GraphNode => ({ id, layer, params });
const chain = (...ids: string[]) => ids.slice(1).map((id, i) => ({ source: ids[i], target: id }));

export const TEMPLATES: Template[] = [
  {
    id: "mlp",
    name: "MLP classifier",
    description: "Tabular features → two hidden layers → softmax over classes.",
    graph: {
      nodes: [
        n("input", "Input", { shape: [4] }),
        n("dense", "Dense", { units: 64, activation: "relu" }),
        n("dropout", "Dropout", { rate: 0.2 }),
        n("dense_1", "Dense", { units: 32, activation: "relu" }),
        n("output", "Dense", { units: 3, activation: "softmax" }),
      ],
      edges: chain("input", "dense", "dropout", "dense_1", "output"),
    },
  },
  {
    id: "cnn",
    name: "CNN for images",
    description: "28×28 grayscale images → two conv blocks → dense classifier.",
    graph: {
      nodes: [
        n("input", "Input", { shape: [28, 28, 1] }),
        n("conv2d", "Conv2D", { filters: 32, kernel_size: 3, activation: "relu" }),
        n("max_pooling2d", "MaxPooling2D", { pool_size: 2 }),
        n("conv2d_1", "Conv2D", { filters: 64, kernel_size: 3, activation: "relu" }),
        n("max_pooling2d_1", "MaxPooling2D", { pool_size: 2 }),
        n("flatten", "Flatten"),
        n("dense", "Dense", { units: 128, activation: "relu" }),
        n("output", "Dense", { units: 10, activation: "softmax" }),
      ],
      edges: chain("input", "conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "flatten", "dense", "output"),
    },
  },
  {
    id: "lstm",
    name: "LSTM for sequences",
    description: "Sequences of 50 steps × 8 features → LSTM → regression output.",
    graph: {
      nodes: [
        n("input", "Input", { shape: [50, 8] }),
        n("lstm", "LSTM", { units: 64 }),
        n("dense", "Dense", { units: 32, activation: "relu" }),
        n("output", "Dense", { units: 1 }),
      ],
      edges: chain("input", "lstm", "dense", "output"),
    },
  },
  {
    id: "two-branch",
    name: "Two-branch functional model",
    description: "One input, two parallel branches, concatenated into one head.",
    graph: {
      nodes: [
        n("input", "Input", { shape: [16] }),
        n("branch_a", "Dense", { units: 32, activation: "relu" }),
        n("branch_b", "Dense", { units: 32, activation: "tanh" }),
        n("concatenate", "Concatenate"),
        n("output", "Dense", { units: 1, activation: "sigmoid" }),
      ],
      edges: [
        { source: "input", target: "branch_a" },
        { source: "input", target: "branch_b" },
        { source: "branch_a", target: "concatenate", target_index: 0 },
        { source: "branch_b", target: "concatenate", target_index: 1 },
        { source: "concatenate", target: "output" },
      ],
    },
  },
];

const ALIASES: Record<string, string[]> = {
  MaxPooling2D: ["MaxPool2D"],
  MaxPool2D: ["MaxPooling2D"],
  AveragePooling2D: ["AvgPool2D"],
  MaxPooling1D: ["MaxPool1D"],
  GlobalAveragePooling2D: ["GlobalAvgPool2D"],
};

/** Renames template layers to the names the engine's catalog uses. */
export function resolveTemplate(graph: Graph, available: Set<string>): Graph {
  const resolve = (layer: string) => (available.has(layer) ? layer : (ALIASES[layer] ?? []).find((a) => available.has(a)) ?? layer);
  return { ...graph, nodes: graph.nodes.map((node) => ({ ...node, layer: resolve(node.layer) })) };
}
