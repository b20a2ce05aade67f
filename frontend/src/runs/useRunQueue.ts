import { useEffect, useState } from "react";
import { runsApi } from "../api/resources";
import type { RunQueueInfo, RunStatus } from "../api/types";

export const QUEUE_POLL_MS = 4000;

/** A queued run's place in its queue and ETA (`GET /api/runs/{id}/queue`), polled only while queued. */
export function useRunQueue(id: string, status: RunStatus | undefined): RunQueueInfo | null {
  const [info, setInfo] = useState<RunQueueInfo | null>(null);
  const queued = status === "queued";

  useEffect(() => {
    if (!queued) {
      setInfo(null);
      return;
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const q = await runsApi.queue(id);
        if (!stopped) setInfo(q);
      } catch {
        // keep the last answer; try again at the next tick
      }
      if (!stopped) timer = setTimeout(poll, QUEUE_POLL_MS);
    };
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id, queued]);

  return queued ? info : null;
}
