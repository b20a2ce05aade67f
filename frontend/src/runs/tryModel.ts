// Pure helpers for "Try it" and "Use this model" on the run page: form values → rows, pasted CSV →
// rows, probabilities in order, and the Python snippet that feeds the downloaded .h5 like the worker did.
import type { ModelUsage, Prediction } from "../api/types";

export type FormValues = Record<string, string>;

/** One value per feature: a categorical one starts on its first label, a numeric one on its training mean (or empty). */
export function initialValues(usage: ModelUsage): FormValues {
  const values: FormValues = {};
  let column = 0;
  for (const f of usage.features) {
    if (f.kind === "categorical") {
      values[f.name] = f.labels[0] ?? "";
      column += f.labels.length;
    } else {
      const mean = usage.mean?.[column];
      values[f.name] = mean === undefined || mean === null ? "" : String(roundForInput(mean));
      column += 1;
    }
  }
  return values;
}

function roundForInput(x: number): number {
  return Number(x.toPrecision(4));
}

/** The form as one row for POST /predict: numbers for numeric features, labels for categorical ones. */
export function formRow(usage: ModelUsage, values: FormValues): Record<string, string | number> {
  const row: Record<string, string | number> = {};
  for (const f of usage.features) {
    const v = values[f.name] ?? "";
    row[f.name] = f.kind === "numeric" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return row;
}

/** Split one CSV line on `sep`, honouring "quoted, fields" and "" escapes. */
export function splitCsvLine(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === sep) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

export interface ParsedRows {
  rows: Record<string, string>[];
  /** A person-readable problem (no header, a feature column missing, ...); rows is then empty. */
  error: string | null;
}

/** Pasted CSV with a header line → rows keyed by column (extra columns, e.g. the target, are kept and ignored by the server). */
export function parseCsvRows(text: string, features: string[]): ParsedRows {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length < 2) return { rows: [], error: "Paste a header line with the column names, then at least one row." };
  const header0 = lines[0];
  const sep = [",", ";", "\t"].reduce((best, s) => (header0.split(s).length > header0.split(best).length ? s : best), ",");
  const header = splitCsvLine(header0, sep);
  const missing = features.filter((f) => !header.includes(f));
  if (missing.length) return { rows: [], error: `The header lacks the feature column(s) ${missing.join(", ")}; it has ${header.join(", ")}.` };
  const rows: Record<string, string>[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = splitCsvLine(lines[i], sep);
    if (cells.length !== header.length)
      return { rows: [], error: `Line ${i + 1} has ${cells.length} values; the header has ${header.length}.` };
    rows.push(Object.fromEntries(header.map((h, j) => [h, cells[j]])));
  }
  return { rows, error: null };
}

/** Class probabilities, most likely first. */
export function rankedProbabilities(p: Prediction): [string, number][] {
  return Object.entries(p.probabilities ?? {}).sort((a, b) => b[1] - a[1]);
}

/** "setosa" or "12.5" (or "1.2, 3.4" for several outputs). */
export function predictionText(p: Prediction): string {
  if (p.label !== undefined && p.label !== null) return p.label;
  if (Array.isArray(p.value)) return p.value.map((v) => formatNumber(v)).join(", ");
  return p.value === undefined || p.value === null ? "–" : formatNumber(p.value);
}

function formatNumber(v: number): string {
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(Number(v.toFixed(4)));
}

const py = (v: unknown) => JSON.stringify(v); // JSON lists/strings/numbers are valid Python literals here

/** A self-contained Python program: load the .h5 with Keras, encode one row as the worker did, predict. */
export function pythonSnippet(usage: ModelUsage, filename: string, example?: Record<string, string | number>): string {
  const lines = ["import numpy as np", "import keras  # Keras 3, any backend", "", `model = keras.models.load_model(${py(filename)}, compile=False)`, ""];
  if (usage.format === "npz") {
    lines.push(`x = np.zeros((1, ${usage.input_shape.join(", ")}), dtype="float32")  # one sample of shape ${py(usage.input_shape)}`);
  } else {
    const categories = Object.fromEntries(usage.features.filter((f) => f.kind === "categorical").map((f) => [f.name, f.labels]));
    const row = example ?? formRow(usage, initialValues(usage));
    const literal = (name: string, kind: string) => {
      const v = row[name];
      if (kind === "categorical") return py(String(v ?? ""));
      const n = typeof v === "number" ? v : Number(v);
      return String(v ?? "").trim() !== "" && Number.isFinite(n) ? String(n) : "0.0";
    };
    const rowText = usage.features.map((f) => `${py(f.name)}: ${literal(f.name, f.kind)}`).join(", ");
    lines.push(
      `FEATURES = ${py(usage.features.map((f) => f.name))}  # the model's input order`,
      `CATEGORIES = ${py(categories)}  # one-hot, in this order`,
      "",
      "def encode(row):",
      "    values = []",
      "    for name in FEATURES:",
      "        if name in CATEGORIES:",
      "            values += [1.0 if str(row[name]) == label else 0.0 for label in CATEGORIES[name]]",
      "        else:",
      "            values.append(float(row[name]))",
      "    return values",
      "",
      `row = {${rowText}}`,
      'x = np.array([encode(row)], dtype="float32")',
    );
  }
  if (usage.standardized && usage.standardization_in_model) {
    lines.push("# no scaling here: the model's first layer (Normalization) standardises raw values");
  } else if (usage.standardized) {
    lines.push(
      "# this model was saved without its standardisation: apply the training statistics",
      `MEAN = np.array(${py(usage.mean)}, dtype="float32").reshape(x.shape[1:])`,
      `STD = np.array(${py(usage.std)}, dtype="float32").reshape(x.shape[1:])`,
      "x = (x - MEAN) / STD",
    );
  }
  lines.push("y = model.predict(x, verbose=0)[0]");
  if (usage.encoding === "binary") {
    lines.push(`LABELS = ${py(usage.labels)}`, "p = float(y[0])", "print(LABELS[int(p >= 0.5)], {LABELS[0]: 1 - p, LABELS[1]: p})");
  } else if (usage.encoding === "onehot" || usage.encoding === "ids") {
    lines.push(`LABELS = ${py(usage.labels)}`, "print(LABELS[int(np.argmax(y))], dict(zip(LABELS, y.tolist())))");
  } else {
    lines.push("print(y.tolist())");
  }
  return lines.join("\n") + "\n";
}

/** The download's file name, as the server names it (Django's slugify of the design name). */
export function modelFilename(designName: string): string {
  const slug = designName
    .normalize("NFKD")
    .replace(/[^\x00-\x7f]/g, "")
    .toLowerCase()
    .replace(/[^\w\s-]/g, "")
    .trim()
    .replace(/[-\s]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "");
  return `${slug || "model"}.h5`;
}
