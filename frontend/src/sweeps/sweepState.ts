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
// "pruned" ends a trial (stopped early by the median rule), never a sweep.
const ENDED = ["succeeded", "failed", "cancelled", "pruned"];
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

/**
 * The objective per trial, for the chart: succeeded trials in `values`, pruned ones (their best epoch
 * before they were stopped, a partial result) in `pruned`, and the best so far among succeeded trials
 * (by the sweep's direction; a pruned trial is never the best, as on the server).
 */
export function objectiveSeries(trials: Trial[], direction: "min" | "max") {
  const sorted = [...trials].sort((a, b) => a.number - b.number);
  const x = sorted.map((t) => t.number);
  const values = sorted.map((t) => (t.status === "succeeded" ? t.objective : null));
  const pruned = sorted.map((t) => (t.status === "pruned" ? t.objective : null));
  let best: number | null = null;
  const bestSoFar = values.map((v) => {
    if (v !== null && (best === null || (direction === "min" ? v < best : v > best))) best = v;
    return best;
  });
  return { x, values, pruned, bestSoFar };
}

/** The status to show: a trial the median rule stopped is "pruning" until its run has stopped. */
export function trialStatusLabel(t: Trial): string {
  return t.prune_reason && !isEnded(t.status) ? "pruning" : t.status;
}

/** How the sweep prunes, in words (older sweeps have no pruning fields: none). */
export function pruningText(sweep: Sweep): string {
  if (sweep.pruning !== "median") return "no pruning";
  const warmup = sweep.pruning_warmup_epochs;
  return `median pruning after ${warmup} epoch${warmup === 1 ? "" : "s"} and ${sweep.pruning_startup_trials} succeeded trial${sweep.pruning_startup_trials === 1 ? "" : "s"}`;
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
