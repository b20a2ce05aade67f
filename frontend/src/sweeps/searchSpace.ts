// The sweep form's search space: which parameters can be searched, form rows ⇄ the API's JSON (pure).
import type { Graph, LayerSpec, ParamSpec } from "../api/types";
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
  max?: number | null;
  /** `min` itself is not allowed (a learning rate must be > 0). */
  minExclusive?: boolean;
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

/** A layer parameter as a search candidate, or null when it cannot be searched (tuples, text). */
export function layerCandidate(nodeId: string, p: ParamSpec, current: unknown, keyParams: string[] = []): Candidate | null {
  if (!SEARCHABLE.has(p.type)) return null;
  return {
    name: `${p.name}@${nodeId}`,
    label: `${nodeId} · ${p.name}`,
    group: "layer",
    type: p.type as ParamKind,
    current: current ?? p.default,
    choices: p.choices,
    min: p.min,
    max: p.max,
    key: keyParams.includes(p.name),
  };
}

// The run config's rules (modelbuilder/training/schemas.py RunConfig), so a mark is checked as it is typed.
const TRAINING: [string, ParamKind, string[] | null, number | null, number | null, boolean][] = [
  ["learning_rate", "float", null, 0, 100, true],
  ["batch_size", "int", null, 1, 1_000_000, false],
  ["epochs", "int", null, 1, 10_000, false],
  ["optimizer", "choice", OPTIMIZERS, null, null, false],
  ["validation_split", "float", null, 0, 0.9, false],
  ["standardize", "bool", null, null, null, false],
];
export const TRAINING_KEYS = TRAINING.map(([name]) => name);

/** The training settings a sweep can search, with the form's current values. */
export function trainingCandidates(config: Record<string, unknown>): Candidate[] {
  return TRAINING.map(([name, type, choices, min, max, minExclusive]) => ({ name, label: name, group: "training", type, current: config[name], choices, min, max, minExclusive, key: true }));
}

/** Everything a sweep can search: each layer's int/float/choice/bool parameters, and training settings. */
export function candidates(graph: Graph, catalog: LayerSpec[], config: Record<string, unknown>): Candidate[] {
  const specs = new Map(catalog.map((l) => [l.name, l]));
  const out: Candidate[] = [];
  for (const node of graph.nodes) {
    if (node.layer === "Input" || node.shared_with) continue;
    const spec = specs.get(node.layer);
    for (const p of spec?.params ?? []) {
      const c = layerCandidate(node.id, p, node.params[p.name], spec?.key_params ?? []);
      if (c) out.push(c);
    }
  }
  return [...out, ...trainingCandidates(config)];
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
    return { ...base, min: String(lo), max: String(Math.max(lo, Math.min(c.max ?? Infinity, cur * 2))), step: "" };
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

/** What a valid spec still breaks: the parameter's own bounds or choices (as the server will check them). */
export function boundsError(spec: ParamSpecJson, c: Pick<Candidate, "min" | "max" | "minExclusive" | "choices" | "type">): string | undefined {
  const numbers = spec.type === "int" || spec.type === "float" ? [spec.min, spec.max] : spec.type === "choice" ? spec.values : spec.type === "fixed" ? [spec.value] : [];
  for (const v of numbers) {
    if (c.type === "choice" && c.choices?.length && !c.choices.includes(String(v))) return `“${String(v)}” is not one of ${c.choices.join(", ")}.`;
    if (typeof v !== "number") continue;
    if (c.min !== null && c.min !== undefined && (c.minExclusive ? v <= c.min : v < c.min)) return `Values must be ${c.minExclusive ? ">" : "≥"} ${c.min}.`;
    if (c.max !== null && c.max !== undefined && v > c.max) return `Values must be ≤ ${c.max}.`;
  }
  return undefined;
}

/** A row checked as typed and against the parameter's bounds: its spec, or the error to show on the field. */
export function checkRow(row: Row, c: Candidate): { spec?: ParamSpecJson; error?: string } {
  const res = rowToSpec(row);
  if (!res.spec) return res;
  const error = boundsError(res.spec, c);
  return error ? { error } : res;
}

/** One stored spec → the row that edits it (the inverse of `rowToSpec`). */
export function rowFromSpec(name: string, spec: ParamSpecJson, type: ParamKind): Row {
  return fromSpaceJson({ [name]: spec }, { [name]: type })[0];
}

/** Objectives a sweep can optimise for a config's metrics (val_* need validation data). */
export function objectivesFor(metrics: string[]): string[] {
  return ["val_loss", "loss", ...metrics.flatMap((m) => [`val_${m}`, m])];
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
