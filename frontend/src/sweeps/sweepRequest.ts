// What both sweep-starting forms (the train dialog and /sweeps/new) send to POST /api/sweeps (pure).
import type { RunConfig } from "../api/types";
import { cleanMarks } from "../editor/searchMarks";
import { objectivesFor, TRAINING_KEYS } from "./searchSpace";
import type { Pruning, SpaceJson, Strategy, SweepCreate, SweepStart } from "./types";

export interface SweepOptions {
  strategy: Strategy;
  maxTrials: number;
  parallelism: number;
  objective: string;
  /** "Stop hopeless trials early": the median rule (the API's default) or none. */
  pruning: Pruning;
}

export const DEFAULT_OPTIONS: SweepOptions = { strategy: "random", maxTrials: 6, parallelism: 2, objective: "val_loss", pruning: "median" };

/** The train dialog's hand-over to /sweeps/new: the run settings plus the training settings it marked. */
export interface SweepStartWithMarks extends SweepStart {
  training?: SpaceJson;
}

/** A trial budget or parallelism typed into a number field, clamped to what the API accepts. */
export function clampCount(raw: string, max: number): number {
  return Math.min(max, Math.max(1, Math.round(Number(raw) || 1)));
}

/** Why a sweep cannot start yet (null when it can): nothing marked, or a mark with an error. */
export function sweepBlocker(space: SpaceJson, errors: Record<string, string>): string | null {
  const bad = Object.keys(errors);
  if (bad.length) return `Fix the search mark of ${bad.join(", ")}: ${errors[bad[0]]}`;
  if (!Object.keys(space).length) return "Mark at least one parameter as searchable.";
  return null;
}

/** The POST /api/sweeps body. */
export function sweepRequest(args: {
  design: number;
  dataset: number;
  target: string | null;
  features: string[] | null;
  config: RunConfig;
  space: SpaceJson;
  options: SweepOptions;
}): SweepCreate {
  const { options: o } = args;
  return {
    design: args.design,
    dataset: args.dataset,
    target: args.target,
    features: args.features,
    config: args.config,
    space: args.space,
    strategy: o.strategy,
    max_trials: o.maxTrials,
    parallelism: o.parallelism,
    // An objective of a metric since unticked falls back to what every run has.
    objective: objectivesFor(args.config.metrics).includes(o.objective) ? o.objective : "val_loss",
    pruning: o.pruning,
  };
}

/** Training-setting marks remembered for a design (the train dialog's, in localStorage): anything that is
 * not a spec of a training setting is dropped. */
export function trainMarksFrom(stored: string | null): SpaceJson {
  try {
    const marks = cleanMarks(JSON.parse(stored ?? "null")) ?? {};
    return Object.fromEntries(Object.entries(marks).filter(([name]) => TRAINING_KEYS.includes(name)));
  } catch {
    return {};
  }
}

export const trainMarksKey = (designId: string | null) => `modelbuilder.trainMarks.${designId ?? "new"}`;
