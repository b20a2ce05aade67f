import { useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { loginUrl } from "../api/client";
import type { RunStatus } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { Loading } from "../components/Loading";
import { formatDate, formatMetric } from "../lib/format";
import { LineChart } from "../runs/LineChart";
import { StatusBadge } from "../runs/StatusBadge";
import { sweepsApi } from "./api";
import { formatParam, isEnded, objectiveSeries, paramNames, pruningText, trialStatusLabel } from "./sweepState";
import type { Applied, Trial } from "./types";
import { useSweepStream } from "./useSweepStream";

// Pruned trials stand apart from failed (red) and cancelled (grey) ones: amber, with the reason.
const PRUNED_COLOR = "#ea580c";
const PRUNED_BADGE = { background: "#ffedd5", color: "#9a3412" };

function TrialStatus({ trial }: { trial: Trial }) {
  const label = trialStatusLabel(trial);
  const pruned = !!trial.prune_reason;
  return (
    <>
      <span
        className={`badge badge-${trial.status}`}
        style={pruned ? PRUNED_BADGE : undefined}
        title={trial.prune_reason ?? undefined}
        data-testid="sweep-trial-status"
      >
        {label}
      </span>
      {trial.prune_reason && (
        <div className="small muted" title={trial.prune_reason} data-testid="sweep-trial-prune-reason">
          {trial.prune_reason.slice(0, 80)}
        </div>
      )}
      {trial.error && <div className="small muted" title={trial.error}>{trial.error.slice(0, 80)}</div>}
    </>
  );
}

/** A sweep, live: trials with their parameters and objective, a chart per trial, the best so far. */
export function SweepPage() {
  const { id = "" } = useParams();
  const { view, socket, refused } = useSweepStream(id);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [applied, setApplied] = useState<Applied | null>(null);
  const { sweep, trials } = view;
  const series = useMemo(() => objectiveSeries(trials, sweep?.direction ?? "min"), [trials, sweep?.direction]);
  const chartSeries = useMemo(
    () => [
      { label: sweep?.objective ?? "objective", values: series.values, color: "#2563eb" },
      { label: "pruned (best epoch before the stop)", values: series.pruned, color: PRUNED_COLOR, dash: [2, 3] },
      { label: "best so far", values: series.bestSoFar, color: "#16a34a", dash: [6, 4] },
    ],
    [series, sweep?.objective],
  );

  if (refused && !sweep)
    return (
      <div className="page">
        <div className="banner banner-error">
          This sweep cannot be shown: it does not exist, is not yours, or you are signed out. <a href={loginUrl()}>Sign in</a>
        </div>
      </div>
    );
  if (!sweep) return <div className="page"><Loading what="Connecting" /></div>;

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const names = paramNames(sweep, trials);
  const best = trials.find((t) => t.number === sweep.best_trial) ?? null;
  const layerParams = Object.keys(sweep.best_params ?? {}).some((k) => k.includes("@"));
  const done = trials.filter((t) => isEnded(t.status)).length;
  const pruned = trials.filter((t) => t.status === "pruned").length;

  return (
    <div className="page" data-testid="sweep-page">
      <div className="page-header">
        <h1>Sweep #{sweep.id}</h1>
        <StatusBadge status={sweep.status as RunStatus} />
        {!isEnded(sweep.status) && socket !== "open" && <span className="badge badge-queued">reconnecting…</span>}
        <span className="spacer" />
        {!isEnded(sweep.status) && (
          <button className="btn btn-danger" disabled={busy} onClick={() => void act(() => sweepsApi.cancel(sweep.id))} data-testid="sweep-cancel">
            Cancel sweep
          </button>
        )}
        {best && layerParams && (
          <button className="btn btn-primary" disabled={busy} onClick={() => void act(async () => setApplied(await sweepsApi.applyBest(sweep.id)))} data-testid="sweep-apply-best">
            Apply best to design
          </button>
        )}
      </div>
      <p className="muted">
        {sweep.design ? <Link to={`/designs/${sweep.design}`}>{sweep.design_name}</Link> : sweep.design_name} v{sweep.design_version} on{" "}
        {sweep.dataset ? <Link to={`/datasets/${sweep.dataset}`}>{sweep.dataset_name}</Link> : sweep.dataset_name} · {sweep.strategy} search ·{" "}
        <span data-testid="sweep-progress">
          {done} of {sweep.max_trials} trials done{pruned > 0 && ` (${pruned} pruned)`}
        </span>{" "}
        · {sweep.objective} ({sweep.direction === "min" ? "lower" : "higher"} is better) · <span data-testid="sweep-pruning">{pruningText(sweep)}</span> ·
        started {formatDate(sweep.created_at)}
      </p>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {sweep.error && <div className="banner banner-error" data-testid="sweep-error">{sweep.error}</div>}
      {applied && (
        <div className="banner banner-info" data-testid="sweep-applied">
          <span>
            Saved as version {applied.version} of the design. <Link to={`/designs/${applied.design}`}>Open it</Link>
            {Object.keys(applied.config).length > 0 && <> · training settings to use: {Object.entries(applied.config).map(([k, v]) => `${k}=${formatParam(v)}`).join(", ")}</>}
          </span>
        </div>
      )}
      {best ? (
        <div className="final-metrics" data-testid="sweep-best" data-trial={best.number}>
          <div className="metric-tile">
            <div className="muted small">best {sweep.objective} · trial {best.number}</div>
            <div className="metric-value">{formatMetric(best.objective)}</div>
          </div>
          {names.map((n) => (
            <div key={n} className="metric-tile">
              <div className="muted small">{n}</div>
              <div className="metric-value">{formatParam(best.params[n])}</div>
            </div>
          ))}
        </div>
      ) : (
        <p className="muted">The best trial appears when the first one finishes.</p>
      )}
      {series.x.length > 0 && <LineChart title={`${sweep.objective} per trial`} x={series.x} series={chartSeries} testId="sweep-chart" xLabel="trial" />}
      <h2>Trials</h2>
      <div className="table-scroll">
        <table className="table" data-testid="sweep-trials">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>status</th>
              {names.map((n) => (
                <th key={n}>{n}</th>
              ))}
              <th className="num">{sweep.objective}</th>
              <th>run</th>
            </tr>
          </thead>
          <tbody>
            {trials.map((t) => (
              <tr
                key={t.number}
                data-testid="sweep-trial-row"
                data-status={t.status}
                title={t.prune_reason ?? undefined}
                className={t.number === sweep.best_trial ? "row-target" : undefined}
              >
                <td className="num">{t.number}</td>
                <td>
                  <TrialStatus trial={t} />
                </td>
                {names.map((n) => (
                  <td key={n} className="mono">{formatParam(t.params[n])}</td>
                ))}
                <td className="num mono">{formatMetric(t.objective)}</td>
                <td>
                  {t.run ? <Link to={`/runs/${t.run}`} data-testid="sweep-trial-run">run #{t.run}</Link> : "–"}
                  {t.model_url && (
                    <>
                      {" · "}
                      <a href={t.model_url} download>.h5</a>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
