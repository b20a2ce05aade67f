// Which column is the target and which are features, remembered per dataset for the train form.
import type { ColumnInfo, Dataset } from "../api/types";

export interface ColumnChoice {
  target: string | null;
  features: string[];
}

const key = (id: string | number) => `modelbuilder.dataset.${id}.columns`;

export function defaultChoice(columns: ColumnInfo[]): ColumnChoice {
  if (!columns.length) return { target: null, features: [] };
  const target = columns[columns.length - 1].name;
  return { target, features: columns.filter((c) => c.name !== target).map((c) => c.name) };
}

/** Keeps a stored choice only where it still fits the dataset's columns. */
export function sanitizeChoice(choice: ColumnChoice, columns: ColumnInfo[]): ColumnChoice {
  const names = new Set(columns.map((c) => c.name));
  const target = choice.target && names.has(choice.target) ? choice.target : defaultChoice(columns).target;
  const features = choice.features.filter((f) => names.has(f) && f !== target);
  return { target, features: features.length ? features : defaultChoice(columns).features.filter((f) => f !== target) };
}

export function loadChoice(dataset: Dataset, storage: Pick<Storage, "getItem"> = localStorage): ColumnChoice {
  const columns = dataset.columns ?? [];
  try {
    const raw = storage.getItem(key(dataset.id));
    if (raw) return sanitizeChoice(JSON.parse(raw) as ColumnChoice, columns);
  } catch {
    /* ignore broken storage */
  }
  return defaultChoice(columns);
}

export function saveChoice(id: string | number, choice: ColumnChoice, storage: Pick<Storage, "setItem"> = localStorage) {
  storage.setItem(key(id), JSON.stringify(choice));
}

export type Task = "classification" | "binary" | "regression";

/** Categorical targets (text, or whole numbers with few values) are classification; the rest regression. */
export function taskFor(column: ColumnInfo | undefined): Task {
  if (!column) return "regression";
  const classes = column.classes ? Object.keys(column.classes).length : 0;
  const categorical = column.kind === "categorical" || (column.dtype === "int" && classes > 0 && classes <= 10);
  if (!categorical) return "regression";
  return classes === 2 ? "binary" : "classification";
}
