import { Link } from "react-router";
import type { RunStatus } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { Loading } from "../components/Loading";
import { formatDate, formatMetric } from "../lib/format";
import { useAsync } from "../lib/useAsync";
import { StatusBadge } from "../runs/StatusBadge";
import { sweepsApi } from "./api";

export function SweepsPage() {
  const sweeps = useAsync(() => sweepsApi.list(), []);
  return (
    <div className="page" data-testid="sweeps-page">
      <div className="page-header">
        <h1>Sweeps</h1>
      </div>
      <ErrorBanner error={sweeps.error} />
      {!sweeps.data ? (
        <Loading />
      ) : sweeps.data.length === 0 ? (
        <div className="empty">No sweep yet. Open a design, press Train, then “Sweep…”.</div>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>#</th>
              <th>design</th>
              <th>status</th>
              <th>strategy</th>
              <th className="num">trials</th>
              <th className="num">best</th>
              <th>started</th>
            </tr>
          </thead>
          <tbody>
            {sweeps.data.map((s) => (
              <tr key={s.id}>
                <td><Link to={`/sweeps/${s.id}`}>#{s.id}</Link></td>
                <td>{s.design_name}</td>
                <td><StatusBadge status={s.status as RunStatus} /></td>
                <td>{s.strategy}</td>
                <td className="num">{s.trial_count}/{s.max_trials}</td>
                <td className="num mono">{s.best_objective === null ? "–" : `${s.objective} ${formatMetric(s.best_objective)}`}</td>
                <td>{formatDate(s.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
