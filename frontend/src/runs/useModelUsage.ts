import { useEffect, useState } from "react";
import { runsApi } from "../api/resources";
import type { ModelUsage } from "../api/types";

/** GET /api/runs/{id}/usage once the run has succeeded (null before, and while loading). */
export function useModelUsage(runId: number | string, succeeded: boolean): { usage: ModelUsage | null; error: unknown } {
  const [usage, setUsage] = useState<ModelUsage | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!succeeded) return;
    let alive = true;
    runsApi.usage(runId).then(
      (u) => alive && setUsage(u),
      (err) => alive && setError(err),
    );
    return () => {
      alive = false;
    };
  }, [runId, succeeded]);
  return { usage, error };
}
