// Typed calls for /api/sweeps (kept here, next to the pages that use them).
import { api } from "../api/client";
import type { Applied, Sweep, SweepCreate } from "./types";

export const sweepsApi = {
  list: (design?: number | string) => api.get<Sweep[]>(design ? `/api/sweeps?design=${design}` : "/api/sweeps"),
  get: (id: string | number) => api.get<Sweep>(`/api/sweeps/${id}`),
  create: (body: SweepCreate) => api.post<Sweep>("/api/sweeps", body),
  cancel: (id: string | number) => api.post<Sweep>(`/api/sweeps/${id}/cancel`),
  applyBest: (id: string | number) => api.post<Applied>(`/api/sweeps/${id}/apply-best`),
};
