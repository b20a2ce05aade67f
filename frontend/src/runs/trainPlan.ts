// Train-form defaults and a preflight check that mirrors the server's data plan (pure).
import type { ColumnInfo, Dataset, Graph, RunConfig, Shape, Validation } from "../api/types";
import type { ColumnChoice, Task } from "../datasets/columnChoice";

export const LOSSES = {
  classification: ["categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy"],
  regression: ["mean_squared_error", "mean_absolute_error", "huber"],
};
export const OPTIMIZERS = ["adam", "sgd", "rmsprop", "adamw", "nadam", "adagrad", "adamax", "adadelta"];
export const METRICS = ["accuracy", "mae", "mse"];

export function outputNode(graph: Graph) {
  const sources = new Set(graph.edges.map((e) => e.source));
  const outs = graph.nodes.filter((n) => !sources.has(n.id));
  return outs.length === 1 ? outs[0] : null;
}

export function outputWidth(graph: Graph, validation: Validation | null): number | null {
  const out = outputNode(graph);
  const shape = out && (validation?.shapes?.[out.id] as Shape | undefined);
  return Array.isArray(shape) && shape.length && typeof shape[shape.length - 1] === "number" ? (shape[shape.length - 1] as number) : null;
}

export function defaultConfig(task: Task, designOutputWidth: number | null): RunConfig {
  const base = { optimizer: "adam", learning_rate: 0.001, epochs: 10, batch_size: 32, validation_split: 0.2, seed: 42, standardize: false, device: "auto" as const };
  if (task === "regression") return { ...base, loss: "mean_squared_error", metrics: ["mae"] };
  const loss = task === "binary" && designOutputWidth === 1 ? "binary_crossentropy" : "categorical_crossentropy";
  return { ...base, loss, metrics: ["accuracy"] };
}

export interface Problem {
  message: string;
  fix?: { node: string; param: string; value: unknown; label: string };
}

const classCount = (c: ColumnInfo | undefined) => (c?.classes ? Object.keys(c.classes).length : 0);

/** What the server will demand of the design for this dataset/target/loss, compared with the design. */
export function preflight(graph: Graph, validation: Validation | null, dataset: Dataset | undefined, choice: ColumnChoice | null, loss: string): Problem[] {
  const problems: Problem[] = [];
  if (!dataset) return problems;
  const inputs = graph.nodes.filter((n) => n.layer === "Input");
  const out = outputNode(graph);
  if (inputs.length !== 1 || !out) {
    problems.push({ message: `Training needs one Input and one output; this design has ${inputs.length} Input(s) and ${out ? 1 : "several"} output(s).` });
    return problems;
  }
  if (dataset.format === "npz" || !choice) return problems;
  const columns = new Map((dataset.columns ?? []).map((c) => [c.name, c]));
  const target = columns.get(choice.target ?? "");
  if (!target) return [{ message: "Choose a target column on the dataset page." }];
  if (!choice.features.length) return [{ message: "Choose at least one feature column on the dataset page." }];

  const width = choice.features.reduce((s, f) => s + (columns.get(f)?.kind === "categorical" ? classCount(columns.get(f)) : 1), 0);
  const shape = inputs[0].params.shape;
  if (!Array.isArray(shape) || shape.length !== 1 || shape[0] !== width) {
    problems.push({
      message: `The dataset gives ${width} value${width === 1 ? "" : "s"} per sample, but the Input “${inputs[0].id}” has shape ${Array.isArray(shape) ? `(${shape.join(", ")}${shape.length === 1 ? "," : ""})` : "none"}.`,
      fix: { node: inputs[0].id, param: "shape", value: [width], label: `Set Input shape to (${width},)` },
    });
  }
  const classes = classCount(target);
  const isClassLoss = LOSSES.classification.includes(loss);
  if (isClassLoss && !classes) problems.push({ message: `${choice.target} has no classes; use a regression loss such as mean_squared_error.` });
  if (!isClassLoss && target.kind === "categorical") problems.push({ message: `${choice.target} holds text labels; use categorical_crossentropy.` });
  if (loss === "binary_crossentropy" && classes !== 2) problems.push({ message: `binary_crossentropy needs 2 classes; ${choice.target} has ${classes}.` });
  const need = loss === "binary_crossentropy" ? 1 : isClassLoss ? classes : 1;
  const have = outputWidth(graph, validation);
  if (need && have !== null && have !== need && !(isClassLoss && !classes)) {
    problems.push({
      message: `The output “${out.id}” gives ${have} value${have === 1 ? "" : "s"}; the target needs ${need}.`,
      fix: out.layer === "Dense" ? { node: out.id, param: "units", value: need, label: `Set ${out.id} units to ${need}` } : undefined,
    });
  }
  return problems;
}
