// Shapes of the HTTP API (see shared/DESIGN.md and docs/contracts.md). Optional fields are
// ones the server may add; the UI tolerates their absence.
import type { ParamSpecJson } from "../sweeps/types";

export interface HealthPart {
  ok: boolean;
  [key: string]: unknown;
}
export interface Health {
  database: HealthPart;
  redis: HealthPart;
  worker: HealthPart;
  engine: HealthPart & { device?: string };
}

export type ParamType = "int" | "float" | "bool" | "string" | "choice" | "shape" | "int_or_tuple";

export interface ParamSpec {
  name: string;
  type: ParamType;
  default: unknown;
  required?: boolean;
  min?: number | null;
  max?: number | null;
  choices?: string[] | null;
  help?: string | null;
}

export interface LayerSpec {
  name: string;
  group: string;
  help?: string;
  inputs: number | "many";
  key_params?: string[];
  params: ParamSpec[];
}

export type Params = Record<string, unknown>;

export interface GraphNode {
  id: string;
  layer: string;
  params: Params;
  position?: { x: number; y: number };
  shared_with?: string;
  /** Parameters a sweep would search: param name → the sweep API's spec (docs/contracts.md). */
  search?: Record<string, ParamSpecJson>;
}
export interface GraphEdge {
  source: string;
  target: string;
  target_index?: number;
}
export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export type Shape = (number | null)[];

export interface Fix {
  action: string; // "insert" (others are ignored by the UI)
  layer?: string;
  params?: Params;
  before?: string;
  [key: string]: unknown;
}
export interface ValidationError {
  node: string | null;
  message: string;
  fix?: Fix | null;
}
export interface Validation {
  ok: boolean;
  shapes: Record<string, Shape | Shape[] | null>;
  params?: Record<string, number>;
  total_params?: number;
  memory_bytes?: number;
  errors: ValidationError[];
  /** Legal but probably unintended (e.g. Dense on a 4D tensor); may carry a fix. */
  warnings?: ValidationError[];
}

export interface Design {
  id: number | string;
  name: string;
  graph: Graph;
  validation?: Validation | null;
  version?: number;
  created_at?: string;
  updated_at?: string;
}

export interface DesignVersion {
  version: number;
  name: string;
  graph: Graph;
  valid: boolean;
  created_at: string;
}

export interface ColumnInfo {
  name: string;
  kind?: "numeric" | "categorical" | string;
  dtype?: string;
  min?: number;
  max?: number;
  mean?: number;
  std?: number;
  /** label → count, for categorical columns and integer columns with few values */
  classes?: Record<string, number>;
  [key: string]: unknown;
}
export interface Dataset {
  id: number | string;
  name: string;
  format?: string; // "csv" | "npz"
  status?: string; // "ready" | "invalid"
  error?: string;
  size?: number;
  sha256?: string;
  rows?: number;
  is_public?: boolean;
  owner?: string | null;
  created_at?: string;
  columns?: ColumnInfo[];
  summary?: Record<string, unknown>;
}
export interface DatasetPreview {
  id?: number | string;
  columns: string[];
  rows: string[][];
  stats?: ColumnInfo[];
}

export type RunStatus = "queued" | "running" | "paused" | "succeeded" | "failed" | "cancelled";

export interface RunConfig {
  loss: string;
  optimizer: string;
  learning_rate: number;
  epochs: number;
  batch_size: number;
  validation_split: number;
  metrics: string[];
  seed: number | null;
  /** Scale numeric features to zero mean and unit variance (server side). */
  standardize?: boolean;
  device?: "auto" | "cpu" | "gpu";
}

export interface EpochRecord {
  epoch: number;
  logs: Record<string, number | null>;
}

export interface Run {
  id: number | string;
  status: RunStatus;
  design: number | null;
  design_name?: string;
  design_version?: number;
  dataset: number | null;
  dataset_name?: string;
  target?: string | null;
  features?: string[] | null;
  config?: Partial<RunConfig> & Record<string, unknown>;
  encoding?: string;
  labels?: string[];
  device?: string | null;
  error?: string | null;
  cancel_requested?: boolean;
  created_at?: string;
  started_at?: string | null;
  finished_at?: string | null;
  wall_time?: number | null;
  final_metrics?: Record<string, number | null> | null;
  model_url?: string | null;
  epochs?: EpochRecord[];
  /** Position in the queue, when the server reports it. */
  queue_position?: number | null;
  /** Resilience (docs/resilience.md): set once a worker resumed the run from a checkpoint. */
  resumed_from_epoch?: number | null;
  resume_reason?: "worker_lost" | "paused" | "" | null;
  attempts?: number;
  pause_requested?: boolean;
  /** the sweep trial this run trained (a pruned trial's run ends `cancelled`) */
  trial?: RunTrial | null;
}

export interface RunTrial {
  sweep: number;
  sweep_name: string;
  number: number;
  status: string;
  pruned_epoch?: number | null;
  prune_reason?: string | null;
}

/** `GET /api/runs/{id}/queue`: position and eta_seconds are null once the run is not queued. */
export interface RunQueueInfo {
  status: RunStatus;
  queue: string;
  position: number | null;
  ahead: number;
  running: number;
  eta_seconds: number | null;
}

/** One feature a trained model takes (`GET /api/runs/{id}/usage`); categorical ones are one-hot in `labels` order. */
export interface ModelFeature {
  name: string;
  kind: "numeric" | "categorical";
  labels: string[];
}

/** `GET /api/runs/{id}/usage`: what the downloaded .h5 takes and answers. */
export interface ModelUsage {
  format: "csv" | "npz" | string;
  target: string;
  features: ModelFeature[];
  input_shape: number[];
  encoding: "onehot" | "ids" | "binary" | "none" | string;
  labels: string[];
  output_width: number;
  standardized: boolean;
  /** True: the .h5 starts with a Normalization layer, so raw numeric features go in. */
  standardization_in_model: boolean;
  mean: number[] | null;
  std: number[] | null;
}

/** One row of `POST /api/runs/{id}/predict`: label + probabilities (classification) or value (regression). */
export interface Prediction {
  label?: string | null;
  value?: number | number[] | null;
  probabilities?: Record<string, number> | null;
}
