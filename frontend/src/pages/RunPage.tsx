import { useState } from "react";
import { Link, useParams } from "react-router";
import { loginUrl } from "../api/client";
import { runsApi } from "../api/resources";
import { ErrorBanner } from "../components/ErrorBanner";
import { Loading } from "../components/Loading";
import { formatDate, formatDuration, formatMetric } from "../lib/format";
import { EpochsTable } from "../runs/EpochsTable";
import { MetricCharts } from "../runs/MetricCharts";
import { RunConfigTable } from "../runs/RunConfigTable";
import { RunControls } from "../runs/RunControls";
import { RunProgress } from "../runs/RunProgress";
import { isTerminal } from "../runs/runState";
import { StatusBadge } from "../runs/StatusBadge";
import { TryModel } from "../runs/TryModel";
import { modelFilename } from "../runs/tryModel";
import { UseModel } from "../runs/UseModel";
import { useModelUsage } from "../runs/useModelUsage";
import { useRunQueue } from "../runs/useRunQueue";
import { useRunStream } from "../runs/useRunStream";

export function RunPage() {
  const { id = "" } = useParams();
  const { view, socket, refused } = useRunStream(id);
  const [error, setError] = useState<unknown>(null);
  const [cancelling, setCancelling] = useState(false);
  const run = view.run;
  const queue = useRunQueue(id, run?.status);
  const model = useModelUsage(id, run?.status === "succeeded");

  const cancel = async () => {
    setCancelling(true);
    try {
      await runsApi.cancel(id);
    } catch (err) {
      setError(err);
    } finally {
      setCancelling(false);
    }
  };

  if (refused && !run)
    return (
      <div className="page">
        <div className="banner banner-error">
          This run cannot be shown: it does not exist, is not yours, or you are signed out. <a href={loginUrl()}>Sign in</a>
        </div>
      </div>
    );
  if (!run) return <div className="page"><Loading what="Connecting" /></div>;
  const live = !isTerminal(run.status);

  return (
    <div className="page" data-testid="run-page">
      <div className="page-header">
        <h1>Run #{run.id}</h1>
        <StatusBadge status={run.status} device={run.device} queuePosition={run.queue_position} />
        {queue && queue.position !== null && (
          <span className="muted small" data-testid="run-queue" data-position={queue.position}>
            #{queue.position} in the {queue.queue} queue
            {queue.eta_seconds !== null ? ` · starts in ~${formatDuration(queue.eta_seconds)}` : ""}
          </span>
        )}
        {live && socket !== "open" && <span className="badge badge-queued" data-testid="reconnecting">reconnecting…</span>}
        <span className="spacer" />
        {live && <RunControls run={run} />}
        {live && (
          <button className="btn btn-danger" onClick={cancel} disabled={cancelling || run.cancel_requested} data-testid="run-cancel">
            {run.cancel_requested ? "Cancelling…" : "Cancel"}
          </button>
        )}
        {run.status === "succeeded" && (
          <a className="btn btn-primary" href={run.model_url ?? runsApi.modelUrl(run.id)} download data-testid="run-download">
            Download .h5
          </a>
        )}
      </div>
      <p className="muted">
        {run.design ? (
          <Link to={`/designs/${run.design}${run.design_version ? `?version=${run.design_version}` : ""}`} title="Open the graph this run trained" data-testid="run-design-link">
            {run.design_name}
            {run.design_version ? ` v${run.design_version}` : ""}
          </Link>
        ) : (
          run.design_name
        )}{" "}
        on{" "}
        {run.dataset ? <Link to={`/datasets/${run.dataset}`}>{run.dataset_name}</Link> : run.dataset_name}
        {run.target ? <> · target <code>{run.target}</code></> : null} · started {formatDate(run.started_at ?? run.created_at)} ·{" "}
        <Link to={run.design ? `/runs?design=${run.design}` : "/runs"}>all runs of this design</Link>
      </p>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {run.status === "failed" && run.error && (
        <div className="banner banner-error" data-testid="run-error">
          <span><strong>Training failed:</strong> {run.error}</span>
        </div>
      )}
      {run.trial && (
        <div className={`banner ${run.trial.prune_reason ? "banner-warning" : "banner-info"}`} data-testid="run-trial" data-status={run.trial.status}>
          <span>
            Trial {run.trial.number} of sweep <Link to={`/sweeps/${run.trial.sweep}`}>{run.trial.sweep_name || `#${run.trial.sweep}`}</Link>
            {run.trial.prune_reason && (
              <>
                {" "}· <strong>stopped early by the sweep</strong>: {run.trial.prune_reason}
              </>
            )}
          </span>
        </div>
      )}
      {view.resumed && (
        <div className="banner banner-info" data-testid="run-resumed" data-epoch={view.resumed.epoch} data-reason={view.resumed.reason}>
          Resumed from epoch {view.resumed.epoch} after {view.resumed.reason === "paused" ? "pause" : "worker loss"}
        </div>
      )}
      <RunProgress view={view} />
      {run.status === "succeeded" && run.final_metrics && (
        <div className="final-metrics" data-testid="final-metrics">
          {Object.entries(run.final_metrics).map(([k, v]) => (
            <div key={k} className="metric-tile">
              <div className="muted small">{k}</div>
              <div className="metric-value">{formatMetric(v)}</div>
            </div>
          ))}
        </div>
      )}
      <ErrorBanner error={model.error} />
      {model.usage && run.status === "succeeded" && (
        <div className="two-col model-panels" data-testid="model-panels">
          <TryModel runId={run.id} usage={model.usage} />
          <UseModel usage={model.usage} filename={modelFilename(run.design_name ?? "")} />
        </div>
      )}
      <MetricCharts epochs={view.epochs} />
      <div className="two-col">
        <div>
          <h2>Epochs</h2>
          {view.epochs.length ? <EpochsTable epochs={view.epochs} /> : <p className="muted">No epoch finished yet.</p>}
        </div>
        <div>
          <h2>Configuration</h2>
          <RunConfigTable runs={[run]} />
        </div>
      </div>
    </div>
  );
}
