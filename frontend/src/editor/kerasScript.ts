// Export a design as a Keras functional-API Python script (pure; runs in the browser).
import type { Graph, GraphNode } from "../api/types";
import { topoOrder } from "./graph";

export function pyLiteral(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (v === true) return "True";
  if (v === false) return "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return v.length === 1 ? `(${pyLiteral(v[0])},)` : `(${v.map(pyLiteral).join(", ")})`;
  if (typeof v === "object")
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${pyLiteral(x)}`).join(", ")}}`;
  return "None";
}

export function pyName(id: string): string {
  let s = id.replace(/[^A-Za-z0-9_]/g, "_");
  if (/^\d/.test(s)) s = `n_${s}`;
  if (PY_KEYWORDS.has(s)) s = `${s}_`;
  return s;
}

const PY_KEYWORDS = new Set(["input", "lambda", "class", "def", "in", "is", "not", "and", "or", "for", "from", "import", "return", "keras", "layers", "model"]);

function kwargs(params: GraphNode["params"], extra: Record<string, unknown> = {}): string {
  return Object.entries({ ...params, ...extra })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${pyLiteral(v)}`)
    .join(", ");
}

export function toKerasScript(graph: Graph, modelName = "model"): string {
  const order = topoOrder(graph);
  const lines = ["import keras", "from keras import layers", ""];
  const inputsOf = (id: string) =>
    graph.edges
      .filter((e) => e.target === id)
      .map((e, i) => ({ e, k: e.target_index ?? i }))
      .sort((a, b) => a.k - b.k)
      .map(({ e }) => pyName(e.source));
  const hasOut = new Set(graph.edges.map((e) => e.source));
  const sharedRoots = new Set(graph.nodes.filter((n) => n.shared_with).map((n) => n.shared_with!));
  const inputs: string[] = [];
  for (const node of order) {
    const v = pyName(node.id);
    if (node.layer === "Input") {
      lines.push(`${v} = keras.Input(${kwargs(node.params, { name: node.id })})`);
      inputs.push(v);
      continue;
    }
    const args = inputsOf(node.id);
    const call = args.length > 1 ? `[${args.join(", ")}]` : (args[0] ?? "None");
    if (node.shared_with) {
      lines.push(`${v} = ${pyName(node.shared_with)}_layer(${call})  # shares weights with ${node.shared_with}`);
    } else if (sharedRoots.has(node.id)) {
      lines.push(`${v}_layer = layers.${node.layer}(${kwargs(node.params, { name: node.id })})`);
      lines.push(`${v} = ${v}_layer(${call})`);
    } else {
      lines.push(`${v} = layers.${node.layer}(${kwargs(node.params, { name: node.id })})(${call})`);
    }
  }
  const outputs = order.filter((n) => !hasOut.has(n.id)).map((n) => pyName(n.id));
  const list = (xs: string[]) => (xs.length === 1 ? xs[0] : `[${xs.join(", ")}]`);
  lines.push("", `model = keras.Model(inputs=${list(inputs)}, outputs=${list(outputs)}, name=${pyLiteral(pyName(modelName))})`, "model.summary()", "");
  return lines.join("\n");
}
