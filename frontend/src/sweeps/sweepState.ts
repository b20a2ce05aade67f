// The sweep page's state, driven by websocket messages: a snapshot, then trial and status events (pure).
import type { Sweep, SweepStatus, Trial } from "./types";

export interface SweepView {
  sweep: Sweep | null;
  trials: Trial[];
}

export type SweepMessage =
  | { type: "snapshot"; sweep: Sweep; trials: Trial[] }
  | ({ type: "status"; status: SweepStatus } & Partial<Sweep>)
  | { type: "trial"; trial: Trial };

export const initialSweepView: SweepView = { sweep: null, trials: [] };
const ENDED = ["succeeded", "failed", "cancelled"];
export const isEnded = (s: string | undefined) => !!s && ENDED.includes(s);

/** The sweep is over and no trial is still stopping: the socket may close for good. */
export function isSettled(view: SweepView): boolean {
  return isEnded(view.sweep?.status) && view.trials.every((t) => isEnded(t.status));
}

export function reduce(view: SweepView, msg: SweepMessage): SweepView {
  switch (msg.type) {
    case "snapshot":
      return { sweep: msg.sweep, trials: [...msg.trials].sort((a, b) => a.number - b.number) };
    case "trial": {
      const others = view.trials.filter((t) => t.number !== msg.trial.number);
      const trials = [...others, msg.trial].sort((a, b) => a.number - b.number);
      const sweep = view.sweep ? { ...view.sweep, trial_count: Math.max(view.sweep.trial_count, trials.length) } : null;
      return { sweep, trials };
    }
    case "status": {
      if (!view.sweep) return view;
      const { type: _type, ...rest } = msg;
      return { ...view, sweep: { ...view.sweep, ...rest } };
    }
    default:
      return view;
  }
}

/** The objective per trial and the best so far (by the sweep's direction), for the chart. */
export function objectiveSeries(trials: Trial[], direction: "min" | "max") {
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  const x = sorted.map((t) => t.number);
  const values = sorted.map((t) => (t.status === "succeeded" ? t.objective : null));
  let best: number | null = null;
  const bestSoFar = values.map((v) => {
    if (v !== null && (best === null || (direction === "min" ? v < best : v > best))) best = v;
    return best;
  });
  return { x, values, bestSoFar };
}

/** Parameter names in the order the space lists them (then any others a trial carries). */
export function paramNames(sweep: Sweep | null, trials: Trial[]): string[] {
  const names = Object.keys(sweep?.space ?? {});
  for (const t of trials) for (const k of Object.keys(t.params)) if (!names.includes(k)) names.push(k);
  return names;
}

export function formatParam(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : Math.abs(v) < 1e-2 ? v.toExponential(2) : v.toPrecision(3);
  return v === null || v === undefined ? "–" : String(v);
}
