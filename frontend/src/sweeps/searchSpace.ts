// The sweep form's search space: which parameters can be searched, form rows ⇄ the API's JSON (pure).
import type { Graph, LayerSpec } from "../api/types";
import type { ParamSpecJson, SpaceJson } from "./types";

export type ParamKind = "int" | "float" | "choice" | "bool";

export interface Candidate {
  /** "units@d1" for a layer parameter, "learning_rate" for a training setting. */
  name: string;
  label: string;
  group: "layer" | "training";
  type: ParamKind;
  current: unknown;
  choices?: string[] | null;
  min?: number | null;
  /** a layer's key parameter (catalog `key_params`) or a training setting: shown first */
  key: boolean;
}

export interface Row {
  name: string;
  type: ParamKind;
  mode: "range" | "list";
  min: string;
  max: string;
  step: string;
  log: boolean;
  /** comma-separated, for lists */
  values: string;
}

const OPTIMIZERS = ["adam", "sgd", "rmsprop", "adamw", "nadam", "adagrad", "adamax", "adadelta"];
const SEARCHABLE = new Set(["int", "float", "choice", "bool"]);

/** Everything a sweep can search: each layer's int/float/choice/bool parameters, and training settings. */
export function candidates(graph: Graph, catalog: LayerSpec[], config: Record<string, unknown>): Candidate[] {
  const specs = new Map(catalog.map((l) => [l.name, l]));
  const out: Candidate[] = [];
  for (const node of graph.nodes) {
    if (node.layer === "Input" || node.shared_with) continue;
    for (const p of specs.get(node.layer)?.params ?? []) {
      if (!SEARCHABLE.has(p.type)) continue;
      out.push({
        name: `${p.name}@${node.id}`,
        label: `${node.id} · ${p.name}`,
        group: "layer",
        type: p.type as ParamKind,
        current: node.params[p.name] ?? p.default,
        choices: p.choices,
        min: p.min,
        key: (specs.get(node.layer)?.key_params ?? []).includes(p.name),
      });
    }
  }
  const training: [string, ParamKind, string[] | null, number | null][] = [
    ["learning_rate", "float", null, null],
    ["batch_size", "int", null, 1],
    ["epochs", "int", null, 1],
    ["optimizer", "choice", OPTIMIZERS, null],
    ["validation_split", "float", null, 0],
    ["standardize", "bool", null, null],
  ];
  for (const [name, type, choices, min] of training)
    out.push({ name, label: name, group: "training", type, current: config[name], choices, min, key: true });
  return out;
}

const fmt = (v: unknown) => (v === null || v === undefined ? "" : String(v));

/** A sensible first row for a candidate: a range around the current value, or a list of choices. */
export function defaultRow(c: Candidate): Row {
  const base: Row = { name: c.name, type: c.type, mode: "range", min: "", max: "", step: "", log: false, values: "" };
  if (c.type === "bool") return { ...base, mode: "list", values: "false, true" };
  if (c.type === "choice") {
    const values = [c.current, ...(c.choices ?? []).filter((x) => x !== c.current)].filter((x) => x !== null && x !== undefined).slice(0, 2);
    return { ...base, mode: "list", values: values.map(fmt).join(", ") };
  }
  const cur = typeof c.current === "number" && Number.isFinite(c.current) ? c.current : c.type === "int" ? 8 : 0.01;
  if (c.type === "int") {
    const lo = Math.max(c.min ?? 1, Math.floor(cur / 2));
    return { ...base, min: String(lo), max: String(Math.max(lo, cur * 2)), step: "" };
  }
  if (cur > 0 && c.name !== "validation_split") return { ...base, min: fmt(cur / 10), max: fmt(Math.min(cur * 10, 1)), log: true };
  return { ...base, min: "0.1", max: "0.3" };
}

function parseNumber(s: string, integer: boolean): number | null {
  if (s.trim() === "") return null;
  const n = Number(s);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) return null;
  return n;
}

export function parseListValue(s: string, type: ParamKind): string | number | boolean | null | undefined {
  const t = s.trim();
  if (type === "int" || type === "float") {
    const n = parseNumber(t, type === "int");
    return n === null ? undefined : n;
  }
  if (type === "bool") return t === "true" ? true : t === "false" ? false : undefined;
  return t === "" ? undefined : t;
}

/** One row → its JSON spec, or an error a person can act on. */
export function rowToSpec(row: Row): { spec?: ParamSpecJson; error?: string } {
  if (row.type === "bool" && row.mode === "list" && /^\s*false\s*,\s*true\s*$/.test(row.values)) return { spec: { type: "bool" } };
  if (row.mode === "list" || row.type === "choice" || row.type === "bool") {
    const parts = row.values.split(",").filter((p) => p.trim() !== "");
    const values = parts.map((p) => parseListValue(p, row.type));
    if (!values.length) return { error: "List at least one value." };
    const bad = parts.find((_, i) => values[i] === undefined);
    if (bad !== undefined) return { error: `“${bad.trim()}” is not ${row.type === "int" ? "an integer" : row.type === "float" ? "a number" : "true or false"}.` };
    if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length) return { error: "A value is listed twice." };
    return { spec: { type: "choice", values: values as (string | number | boolean)[] } };
  }
  const integer = row.type === "int";
  const min = parseNumber(row.min, integer);
  const max = parseNumber(row.max, integer);
  if (min === null || max === null) return { error: `Min and max must be ${integer ? "integers" : "numbers"}.` };
  if (max < min) return { error: "Min is above max." };
  if (row.log && min <= 0) return { error: "A log scale needs min > 0." };
  const spec: { type: "int" | "float"; min: number; max: number; step?: number; log?: boolean } = { type: row.type as "int" | "float", min, max };
  if (row.step.trim() !== "") {
    const step = parseNumber(row.step, integer);
    if (step === null || step <= 0) return { error: "Step must be a positive number." };
    spec.step = step;
  }
  if (row.log) spec.log = true;
  return { spec };
}

/** The rows → the API's search-space JSON, with errors by parameter name. */
export function toSpaceJson(rows: Row[]): { space: SpaceJson; errors: Record<string, string> } {
  const space: SpaceJson = {};
  const errors: Record<string, string> = {};
  for (const row of rows) {
    const { spec, error } = rowToSpec(row);
    if (spec) space[row.name] = spec;
    else errors[row.name] = error ?? "invalid";
  }
  return { space, errors };
}

/** The API's JSON → rows (e.g. to start a new sweep like an old one). `types` says what a choice holds. */
export function fromSpaceJson(space: SpaceJson, types: Record<string, ParamKind> = {}): Row[] {
  return Object.entries(space).map(([name, spec]) => {
    const base: Row = { name, type: types[name] ?? "choice", mode: "list", min: "", max: "", step: "", log: false, values: "" };
    switch (spec.type) {
      case "int":
      case "float":
        return { ...base, type: spec.type, mode: "range", min: String(spec.min), max: String(spec.max), step: spec.step === undefined ? "" : String(spec.step), log: !!spec.log };
      case "bool":
        return { ...base, type: "bool", values: "false, true" };
      case "choice": {
        const numeric = spec.values.every((v) => typeof v === "number");
        const type = types[name] ?? (numeric ? (spec.values.every((v) => Number.isInteger(v)) ? "int" : "float") : spec.values.every((v) => typeof v === "boolean") ? "bool" : "choice");
        return { ...base, type, values: spec.values.map(fmt).join(", ") };
      }
      case "fixed":
        return { ...base, values: fmt(spec.value) };
    }
  });
}

/** How many trials a full grid has (floats without a step count 5 points, as the engine does). */
export function gridSize(space: SpaceJson): number {
  let total = 1;
  for (const spec of Object.values(space)) {
    if (spec.type === "choice") total *= spec.values.length;
    else if (spec.type === "bool") total *= 2;
    else if (spec.type === "int") total *= Math.floor((spec.max - spec.min) / (spec.step ?? 1)) + 1;
    else if (spec.type === "float") total *= spec.step ? Math.round((spec.max - spec.min) / spec.step) + 1 : 5;
  }
  return total;
}

/** The rows the form shows: key parameters and chosen ones, or every one matching the filter. */
export function visibleCandidates(all: Candidate[], chosen: Set<string>, filter: string, showAll: boolean): Candidate[] {
  const f = filter.trim().toLowerCase();
  return all.filter((c) => chosen.has(c.name) || (f ? c.label.toLowerCase().includes(f) : showAll || c.key));
}
