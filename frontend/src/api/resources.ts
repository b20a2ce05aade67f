// Typed calls, one per endpoint of shared/DESIGN.md.
import { api } from "./client";
import { uploadWithProgress } from "./upload";
import type { Dataset, DatasetPreview, Design, DesignVersion, Graph, LayerSpec, ModelUsage, Prediction, Run, RunConfig, RunQueueInfo, Validation } from "./types";

/** Lists come back either bare or wrapped ({items|results|<name>: [...]}); accept both. */
export function unwrapList<T>(value: unknown, key: string): T[] {
  if (Array.isArray(value)) return value as T[];
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    for (const k of [key, "items", "results"]) if (Array.isArray(obj[k])) return obj[k] as T[];
  }
  return [];
}

export const layersApi = {
  list: async () => unwrapList<LayerSpec>(await api.get("/api/layers"), "layers"),
};

export const designsApi = {
  list: async () => unwrapList<Design>(await api.get("/api/designs"), "designs"),
  get: (id: string | number) => api.get<Design>(`/api/designs/${id}`),
  create: (name: string, graph: Graph) => api.post<Design>("/api/designs", { name, graph }),
  update: (id: string | number, name: string, graph: Graph) => api.put<Design>(`/api/designs/${id}`, { name, graph }),
  remove: (id: string | number) => api.del<unknown>(`/api/designs/${id}`),
  versions: (id: string | number) => api.get<DesignVersion[]>(`/api/designs/${id}/versions`),
  validate: (graph: Graph) => api.post<Validation>("/api/designs/validate", { graph }),
  /** The architecture stored in a Keras .h5 file (the server reads HDF5; weights are not read). */
  importH5: async (file: File) => {
    const form = new FormData();
    form.append("file", file);
    const body = await uploadWithProgress<{ model_config: unknown }>("/api/designs/import-h5", form, () => {}).promise;
    return body.model_config;
  },
};

export const datasetsApi = {
  list: async () => unwrapList<Dataset>(await api.get("/api/datasets"), "datasets"),
  get: (id: string | number) => api.get<Dataset>(`/api/datasets/${id}`),
  preview: (id: string | number) => api.get<DatasetPreview>(`/api/datasets/${id}/preview`),
  remove: (id: string | number) => api.del<unknown>(`/api/datasets/${id}`),
};

export interface RunCreate {
  design: string | number;
  dataset: string | number;
  target?: string | null;
  features?: string[] | null;
  config: RunConfig;
}

export const runsApi = {
  list: async () => unwrapList<Run>(await api.get("/api/runs"), "runs"),
  get: (id: string | number) => api.get<Run>(`/api/runs/${id}`),
  create: (body: RunCreate) => api.post<{ id: number | string; status: string }>("/api/runs", body),
  cancel: (id: string | number) => api.post<Run>(`/api/runs/${id}/cancel`),
  pause: (id: string | number) => api.post<Run>(`/api/runs/${id}/pause`),
  resume: (id: string | number) => api.post<Run>(`/api/runs/${id}/resume`),
  queue: (id: string | number) => api.get<RunQueueInfo>(`/api/runs/${id}/queue`),
  modelUrl: (id: string | number) => `/api/runs/${id}/model.h5`,
  usage: (id: string | number) => api.get<ModelUsage>(`/api/runs/${id}/usage`),
  predict: (id: string | number, rows: Record<string, unknown>[]) =>
    api.post<{ predictions: Prediction[] }>(`/api/runs/${id}/predict`, { rows }),
};
