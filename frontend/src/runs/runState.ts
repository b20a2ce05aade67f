// The run dashboard's state, driven by websocket messages: a snapshot, then live events (pure).
import type { EpochRecord, Run, RunStatus } from "../api/types";

export interface Progress {
  epoch: number;
  batch: number;
  batches: number | null;
  epochs: number | null;
  loss?: number | null;
}

export interface RunView {
  run: Run | null;
  epochs: EpochRecord[];
  progress: Progress | null;
  /** (client time ms, fraction of the whole run done) samples for the ETA. */
  samples: { t: number; f: number }[];
  /** The last resume seen (a `resumed` event, or the run's `resumed_from_epoch`). */
  resumed: Resumed | null;
}

export interface Resumed {
  epoch: number;
  batch?: number;
  reason: "worker_lost" | "paused";
  attempts?: number;
}

export const TERMINAL: RunStatus[] = ["succeeded", "failed", "cancelled"];
export const isTerminal = (s: RunStatus | undefined) => !!s && TERMINAL.includes(s);

export const initialView: RunView = { run: null, epochs: [], progress: null, samples: [], resumed: null };

export type RunMessage =
  | { type: "snapshot"; run: Run; epochs: EpochRecord[] }
  | ({ type: "status"; status: RunStatus } & Partial<Run>)
  | ({ type: "progress" } & Progress)
  | { type: "epoch"; epoch: number; logs: Record<string, number | null> }
  | { type: "resumed"; epoch: number; batch?: number; reason?: string; attempts?: number }
  /** Not from the socket: GET /api/runs/{id} after the final status, or while the socket fails or is
   * silent (fills epochs the socket missed). */
  | { type: "refetched"; run: Run };

const reasonOf = (r: unknown): Resumed["reason"] => (r === "paused" ? "paused" : "worker_lost");

/** The resume the run row records (API / snapshot), if any. */
function resumedOf(run: Run, previous: Resumed | null): Resumed | null {
  if (!run.resumed_from_epoch) return previous;
  if (previous && previous.epoch === run.resumed_from_epoch) return previous;
  return { epoch: run.resumed_from_epoch, reason: reasonOf(run.resume_reason), attempts: run.attempts };
}

function mergeEpochs(a: EpochRecord[], b: EpochRecord[]): EpochRecord[] {
  const byEpoch = new Map(a.map((e) => [e.epoch, e]));
  for (const e of b) byEpoch.set(e.epoch, e);
  return [...byEpoch.values()].sort((x, y) => x.epoch - y.epoch);
}

export function totalEpochs(view: RunView): number | null {
  const configured = view.run?.config?.epochs;
  return view.progress?.epochs ?? (typeof configured === "number" ? configured : null);
}

/** Fraction of the run done, from the last progress event or the stored epochs. */
export function fractionDone(view: RunView): number {
  const total = totalEpochs(view);
  if (!total) return 0;
  if (view.run?.status === "succeeded") return 1;
  const p = view.progress;
  const done = view.epochs.length;
  if (p && p.batches && p.epoch > done) return Math.min(1, (p.epoch - 1 + p.batch / p.batches) / total);
  return Math.min(1, done / total);
}

function withSample(view: RunView, now: number): RunView {
  const f = fractionDone(view);
  const last = view.samples[view.samples.length - 1];
  if (last && last.f === f) return view;
  return { ...view, samples: [...view.samples, { t: now, f }].slice(-30) };
}

export function reduce(view: RunView, msg: RunMessage, now = Date.now()): RunView {
  switch (msg.type) {
    case "snapshot":
      // A reconnect's snapshot replaces what we had (it is the stored truth) but keeps live progress.
      return withSample({ ...view, run: msg.run, epochs: mergeEpochs([], msg.epochs ?? []), resumed: resumedOf(msg.run, view.resumed) }, now);
    case "status": {
      if (!view.run) return view;
      const { type: _t, ...rest } = msg;
      const patch = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
      return { ...view, run: { ...view.run, ...patch } as Run, progress: isTerminal(msg.status) ? null : view.progress };
    }
    case "progress": {
      const { type: _t, ...p } = msg;
      const run = view.run && view.run.status === "queued" ? { ...view.run, status: "running" as RunStatus } : view.run;
      return withSample({ ...view, run, progress: p }, now);
    }
    case "epoch":
      return withSample({ ...view, epochs: mergeEpochs(view.epochs, [{ epoch: msg.epoch, logs: msg.logs }]) }, now);
    case "resumed": {
      const resumed: Resumed = { epoch: msg.epoch, batch: msg.batch, reason: reasonOf(msg.reason), attempts: msg.attempts };
      const run = view.run
        ? { ...view.run, status: "running" as RunStatus, resumed_from_epoch: msg.epoch, resume_reason: resumed.reason, ...(msg.attempts !== undefined ? { attempts: msg.attempts } : {}) }
        : view.run;
      // A new attempt: the old attempt's batch position no longer holds.
      return { ...view, run, resumed, progress: null };
    }
    case "refetched": {
      // The stored truth (after the run ended, or read over HTTP while the socket could not give
      // it): keep every epoch either side has (the server's win). Also before any snapshot came.
      const { epochs = [], ...fields } = msg.run;
      const run = { ...(view.run ?? {}), ...fields } as Run;
      const progress = isTerminal(run.status) ? null : view.progress; // an ended run's bar is done
      return withSample({ ...view, run, progress, epochs: mergeEpochs(view.epochs, epochs), resumed: resumedOf(run, view.resumed) }, now);
    }
    default:
      return view;
  }
}

/** Seconds left, from the rate over the recent samples; null when unknown. */
export function etaSeconds(view: RunView): number | null {
  const s = view.samples;
  if (s.length < 2 || isTerminal(view.run?.status)) return null;
  const a = s[0];
  const b = s[s.length - 1];
  const rate = (b.f - a.f) / ((b.t - a.t) / 1000);
  if (!(rate > 0)) return null;
  return (1 - b.f) / rate;
}

/** Metric series: for each base name ("loss", "accuracy"), the train and val values per epoch. */
export function metricSeries(epochs: EpochRecord[]): { name: string; x: number[]; train: (number | null)[]; val: (number | null)[] | null }[] {
  const keys = new Set<string>();
  for (const e of epochs) for (const k of Object.keys(e.logs ?? {})) keys.add(k.startsWith("val_") ? k.slice(4) : k);
  const names = [...keys].sort((a, b) => (a === "loss" ? -1 : b === "loss" ? 1 : a.localeCompare(b)));
  const x = epochs.map((e) => e.epoch);
  return names.map((name) => {
    const train = epochs.map((e) => num(e.logs?.[name]));
    const hasVal = epochs.some((e) => e.logs && `val_${name}` in e.logs);
    return { name, x, train, val: hasVal ? epochs.map((e) => num(e.logs?.[`val_${name}`])) : null };
  });
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
