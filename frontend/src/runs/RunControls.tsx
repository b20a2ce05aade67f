import { useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { runsApi } from "../api/resources";
import type { Run } from "../api/types";

/** Pause (queued/running) and Resume (paused, or withdraw a pause still pending); errors in place. */
export function RunControls({ run }: { run: Run }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The API's run does not always carry pause_requested: remember a pause asked from this page.
  const [pauseAsked, setPauseAsked] = useState(false);
  useEffect(() => {
    if (run.status !== "running") setPauseAsked(false);
  }, [run.status]);
  const pausePending = run.status === "running" && (pauseAsked || !!run.pause_requested);

  const act = async (action: "pause" | "resume") => {
    setBusy(true);
    setError(null);
    try {
      const after = await runsApi[action](run.id);
      if (action === "pause") setPauseAsked(after.status === "running");
      else setPauseAsked(false);
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const canPause = (run.status === "queued" || run.status === "running") && !pausePending;
  const canResume = run.status === "paused" || pausePending;
  return (
    <>
      {pausePending && <span className="muted small" data-testid="run-pausing">pausing at the next batch…</span>}
      {canPause && (
        <button className="btn" onClick={() => act("pause")} disabled={busy || !!run.cancel_requested} data-testid="run-pause">
          Pause
        </button>
      )}
      {canResume && (
        <button className="btn btn-primary" onClick={() => act("resume")} disabled={busy} data-testid="run-resume">
          {pausePending ? "Keep running" : "Resume"}
        </button>
      )}
      {error && (
        <span className="action-error" role="alert" data-testid="run-action-error">
          {error}
        </span>
      )}
    </>
  );
}
