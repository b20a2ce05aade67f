// Overlay one metric of several runs on one epoch axis (pure).
import type { Run } from "../api/types";

export function metricKeys(runs: Run[]): string[] {
  const keys = new Set<string>();
  for (const r of runs) for (const e of r.epochs ?? []) for (const k of Object.keys(e.logs ?? {})) keys.add(k);
  const order = (k: string) => (k === "loss" ? 0 : k === "val_loss" ? 1 : k.startsWith("val_") ? 3 : 2);
  return [...keys].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
}

export function overlay(runs: Run[], key: string): { x: number[]; series: { run: Run; values: (number | null)[] }[] } {
  const x = [...new Set(runs.flatMap((r) => (r.epochs ?? []).map((e) => e.epoch)))].sort((a, b) => a - b);
  const series = runs.map((run) => {
    const byEpoch = new Map((run.epochs ?? []).map((e) => [e.epoch, e.logs?.[key]]));
    return { run, values: x.map((ep) => { const v = byEpoch.get(ep); return typeof v === "number" && Number.isFinite(v) ? v : null; }) };
  });
  return { x, series };
}

export const PALETTE = ["#2563eb", "#f97316", "#059669", "#db2777", "#7c3aed", "#ca8a04", "#0891b2", "#dc2626"];
