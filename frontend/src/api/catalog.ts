import { layersApi } from "./resources";
import type { LayerSpec } from "./types";

let cached: Promise<LayerSpec[]> | null = null;

/** The layer catalog, fetched once per page load (it only changes when the engine does). */
export function loadCatalog(): Promise<LayerSpec[]> {
  cached ??= layersApi.list().catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}
