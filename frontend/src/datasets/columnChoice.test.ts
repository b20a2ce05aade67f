import { describe, expect, it } from "vitest";
import type { ColumnInfo, Dataset } from "../api/types";
import { defaultChoice, loadChoice, sanitizeChoice, saveChoice, taskFor } from "./columnChoice";

const cols: ColumnInfo[] = [
  { name: "a", kind: "numeric", dtype: "float" },
  { name: "b", kind: "numeric", dtype: "float" },
  { name: "species", kind: "categorical", dtype: "category", classes: { x: 1, y: 2, z: 3 } },
];

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

describe("column choice", () => {
  it("defaults to the last column as target", () => {
    expect(defaultChoice(cols)).toEqual({ target: "species", features: ["a", "b"] });
  });
  it("remembers a choice per dataset and drops stale columns", () => {
    const storage = memoryStorage();
    const ds: Dataset = { id: 7, name: "d", columns: cols };
    saveChoice(7, { target: "b", features: ["a"] }, storage);
    expect(loadChoice(ds, storage)).toEqual({ target: "b", features: ["a"] });
    expect(sanitizeChoice({ target: "gone", features: ["a", "zzz"] }, cols)).toEqual({ target: "species", features: ["a"] });
    expect(loadChoice({ id: 8, name: "other", columns: cols }, storage).target).toBe("species");
  });
  it("picks the task from the target", () => {
    expect(taskFor(cols[2])).toBe("classification");
    expect(taskFor(cols[0])).toBe("regression");
    expect(taskFor({ name: "y", kind: "numeric", dtype: "int", classes: { "0": 5, "1": 5 } })).toBe("binary");
    expect(taskFor({ name: "y", kind: "categorical", classes: { no: 5, yes: 5 } })).toBe("binary");
    expect(taskFor(undefined)).toBe("regression");
  });
});
