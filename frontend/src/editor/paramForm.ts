// Form generation and validation from catalog entries (pure; the Inspector renders what this returns).
import type { LayerSpec, ParamSpec, Params } from "../api/types";

export type Widget = "number" | "checkbox" | "select" | "text" | "tuple";

export interface FieldDef {
  name: string;
  label: string;
  widget: Widget;
  spec: ParamSpec;
  step?: string;
  options?: { value: string; label: string }[];
  placeholder: string;
}

export function fieldLabel(name: string): string {
  return name.replace(/_/g, " ").replace(/^\w/, (c) => c.toUpperCase());
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map((v) => (v === null ? "None" : String(v))).join(", ");
  return String(value);
}

export function fieldsFor(spec: LayerSpec): FieldDef[] {
  return spec.params.map((p) => {
    const base = { name: p.name, label: fieldLabel(p.name), spec: p, placeholder: p.default === null || p.default === undefined ? (p.required ? "required" : "default") : formatValue(p.default) };
    switch (p.type) {
      case "int":
        return { ...base, widget: "number", step: "1" };
      case "float":
        return { ...base, widget: "number", step: "any" };
      case "bool":
        return { ...base, widget: "checkbox" };
      case "choice": {
        const options = (p.choices ?? []).map((c) => ({ value: c, label: c }));
        if (!p.required) options.unshift({ value: "", label: p.default ? `default (${String(p.default)})` : "none" });
        return { ...base, widget: "select", options };
      }
      case "shape":
      case "int_or_tuple":
        return { ...base, widget: "tuple" };
      default:
        return { ...base, widget: "text" };
    }
  });
}

export interface Parsed {
  /** `undefined` means "not set": the key is removed and the layer's default applies. */
  value?: unknown;
  error?: string;
}

function checkRange(n: number, p: ParamSpec): string | undefined {
  if (p.min !== null && p.min !== undefined && n < p.min) return `Must be ≥ ${p.min}.`;
  if (p.max !== null && p.max !== undefined && n > p.max) return `Must be ≤ ${p.max}.`;
  return undefined;
}

function parseIntStrict(s: string): number | null {
  return /^[+-]?\d+$/.test(s.trim()) ? Number(s.trim()) : null;
}

/** Parses what a person typed into a field; returns the JSON value for params or an error message. */
export function parseField(p: ParamSpec, raw: string | boolean): Parsed {
  if (p.type === "bool") return { value: Boolean(raw) };
  const text = String(raw).trim();
  if (text === "") return p.required ? { error: "Required." } : { value: undefined };
  switch (p.type) {
    case "int": {
      const n = parseIntStrict(text);
      if (n === null) return { error: "Enter a whole number." };
      const err = checkRange(n, p);
      return err ? { error: err } : { value: n };
    }
    case "float": {
      const n = Number(text);
      if (!Number.isFinite(n)) return { error: "Enter a number." };
      const err = checkRange(n, p);
      return err ? { error: err } : { value: n };
    }
    case "choice":
      return p.choices && !p.choices.includes(text) ? { error: `Choose one of ${p.choices.join(", ")}.` } : { value: text };
    case "shape":
    case "int_or_tuple": {
      const parts = text.replace(/^[([]|[)\]]$/g, "").split(",").map((s) => s.trim()).filter((s, i, all) => s !== "" || i < all.length - 1);
      const values: (number | null)[] = [];
      for (const s of parts) {
        if (p.type === "shape" && /^(none|null|\?)$/i.test(s)) {
          values.push(null);
          continue;
        }
        const n = parseIntStrict(s);
        if (n === null) return { error: p.type === "shape" ? "Enter sizes like 28, 28, 1." : "Enter a number or numbers like 3, 3." };
        const err = checkRange(n, { ...p, min: p.min ?? (p.type === "shape" ? 1 : null) });
        if (err) return { error: err };
        values.push(n);
      }
      if (!values.length) return { error: "Enter at least one size." };
      if (p.type === "int_or_tuple" && values.length === 1) return { value: values[0] };
      return { value: values };
    }
    default:
      return { value: text };
  }
}

/** Params a freshly dropped layer starts with: required ones get their default or a sensible value. */
export function defaultParams(spec: LayerSpec): Params {
  const out: Params = {};
  for (const p of spec.params) {
    if (!p.required) continue;
    if (p.default !== null && p.default !== undefined) out[p.name] = p.default;
    else if (p.type === "int") out[p.name] = Math.max(p.min ?? 1, SENSIBLE[p.name] ?? 1);
    else if (p.type === "float") out[p.name] = Math.max(p.min ?? 0, SENSIBLE[p.name] ?? 0.5);
    else if (p.type === "shape") out[p.name] = [SENSIBLE.shape];
    else if (p.type === "int_or_tuple") out[p.name] = SENSIBLE[p.name] ?? 3;
    else if (p.type === "choice" && p.choices?.length) out[p.name] = p.choices[0];
  }
  return out;
}

const SENSIBLE: Record<string, number> = { units: 32, filters: 32, kernel_size: 3, pool_size: 2, rate: 0.5, shape: 4, input_dim: 1000, output_dim: 64 };

/** Errors of every field of a node's params, keyed by param name (empty when all are fine). */
export function validateParams(spec: LayerSpec, params: Params): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const p of spec.params) {
    const v = params[p.name];
    if (v === undefined || v === null) {
      if (p.required) errors[p.name] = "Required.";
      continue;
    }
    const parsed = parseField(p, p.type === "bool" ? Boolean(v) : formatValue(v));
    if (parsed.error) errors[p.name] = parsed.error;
  }
  return errors;
}

/** The key params of a node as short "name=value" strings, for the node's face. */
export function keyParamSummary(spec: LayerSpec | undefined, params: Params): string[] {
  const keys = spec?.key_params ?? Object.keys(params).slice(0, 2);
  return keys.filter((k) => params[k] !== undefined && params[k] !== null).map((k) => `${k}=${formatValue(params[k])}`);
}
