// Shapes of the sweep API (docs/api.md, "Sweeps").
import type { RunConfig, RunStatus } from "../api/types";

export type Strategy = "grid" | "random" | "bayesian";
export type SweepStatus = "running" | "succeeded" | "failed" | "cancelled";
/** "median": stop a trial whose objective is worse than the median of the succeeded trials at the same epoch. */
export type Pruning = "median" | "none";
/** A trial is its run's status, or "pruned": stopped early by the median rule (its run ended cancelled). */
export type TrialStatus = RunStatus | "pruned";

export type ParamSpecJson =
  | { type: "int"; min: number; max: number; step?: number; log?: boolean }
  | { type: "float"; min: number; max: number; step?: number; log?: boolean }
  | { type: "choice"; values: (string | number | boolean | null)[] }
  | { type: "bool" }
  | { type: "fixed"; value: string | number | boolean | null };

export type SpaceJson = Record<string, ParamSpecJson>;

export interface Trial {
  number: number;
  run: number | null;
  params: Record<string, unknown>;
  based_on: number;
  status: TrialStatus;
  /** For a pruned trial: its best epoch so far. */
  objective: number | null;
  error: string | null;
  /** Set when the median rule stopped the trial (also while its run is still stopping). */
  pruned_epoch: number | null;
  prune_reason: string | null;
  final_metrics: Record<string, number | null> | null;
  model_url: string | null;
  created_at: string | null;
  finished_at: string | null;
}

export interface Sweep {
  id: number;
  name: string;
  status: SweepStatus;
  error: string | null;
  design: number | null;
  design_name: string;
  design_version: number;
  dataset: number | null;
  dataset_name: string;
  target: string | null;
  features: string[] | null;
  config: Partial<RunConfig> & Record<string, unknown>;
  space: SpaceJson;
  strategy: Strategy;
  max_trials: number;
  parallelism: number;
  objective: string;
  direction: "min" | "max";
  seed: number;
  pruning: Pruning;
  pruning_warmup_epochs: number;
  pruning_startup_trials: number;
  best_trial: number | null;
  best_objective: number | null;
  best_params: Record<string, unknown> | null;
  applied_version: number | null;
  trial_count: number;
  created_at: string | null;
  finished_at: string | null;
  trials?: Trial[];
}

export interface SweepCreate {
  design: number;
  dataset: number;
  target?: string | null;
  features?: string[] | null;
  config: RunConfig;
  space: SpaceJson;
  strategy: Strategy;
  max_trials: number;
  parallelism: number;
  objective: string;
  direction?: "min" | "max" | null;
  name?: string;
  /** Default "median". */
  pruning?: Pruning;
  /** Epochs every trial trains before it can be pruned (default 1). */
  pruning_warmup_epochs?: number;
  /** Succeeded trials needed before any pruning (default 3). */
  pruning_startup_trials?: number;
}

export interface Applied {
  design: number;
  version: number;
  params: Record<string, unknown>;
  skipped: string[];
  config: Record<string, unknown>;
  valid: boolean;
}

/** What the train dialog hands to the sweep form (router state). */
export interface SweepStart {
  design: number;
  dataset: number;
  target: string | null;
  features: string[] | null;
  config: RunConfig;
}
