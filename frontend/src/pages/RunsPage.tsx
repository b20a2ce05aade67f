import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { runsApi } from "../api/resources";
import { ErrorBanner } from "../components/ErrorBanner";
import { Loading } from "../components/Loading";
import { formatDate, formatDuration, formatMetric } from "../lib/format";
import { CompareRuns } from "../runs/CompareRuns";
import { StatusBadge } from "../runs/StatusBadge";
import { useAsync } from "../lib/useAsync";

export function RunsPage() {
  const runs = useAsync(() => runsApi.list(), []);
  const [search, setSearch] = useSearchParams();
  const design = search.get("design") ?? "";
  const [selected, setSelected] = useState<string[]>([]);
  const designs = useMemo(() => {
    const m = new Map<string, string>();
    for (const r of runs.data ?? []) if (r.design !== null) m.set(String(r.design), r.design_name ?? `design ${r.design}`);
    return [...m.entries()];
  }, [runs.data]);
  const shown = (runs.data ?? []).filter((r) => !design || String(r.design) === design);
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  return (
    <div className="page">
      <div className="page-header">
        <h1>Runs</h1>
        <span className="spacer" />
        <label className="row gap">
          <span className="muted">design</span>
          <select value={design} onChange={(e) => setSearch(e.target.value ? { design: e.target.value } : {})} data-testid="runs-design-filter">
            <option value="">all designs</option>
            {designs.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBanner error={runs.error} />
      {runs.loading && !runs.data && <Loading />}
      {runs.data && shown.length === 0 && (
        <div className="empty">
          No runs yet. Open a <Link to="/designs">design</Link> and press Train.
        </div>
      )}
      {shown.length > 0 && (
        <>
          <p className="muted small">Select two or more runs to overlay their curves and compare their settings.</p>
          <table className="table" data-testid="runs-table">
            <thead>
              <tr>
                <th />
                <th>Run</th>
                <th>Status</th>
                <th>Design</th>
                <th>Dataset</th>
                <th className="num">Epochs</th>
                <th className="num">Final loss</th>
                <th className="num">Time</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => {
                const id = String(r.id);
                return (
                  <tr key={id} data-testid="run-row" className={selected.includes(id) ? "row-target" : undefined}>
                    <td>
                      <input type="checkbox" checked={selected.includes(id)} onChange={() => toggle(id)} aria-label={`Select run ${id}`} data-testid={`select-run-${id}`} />
                    </td>
                    <td>
                      <Link to={`/runs/${id}`}>#{id}</Link>
                    </td>
                    <td>
                      <StatusBadge status={r.status} device={r.device} />
                    </td>
                    <td>{r.design ? <Link to={`/designs/${r.design}`}>{r.design_name}</Link> : r.design_name}</td>
                    <td>{r.dataset_name}</td>
                    <td className="num">{r.config?.epochs ?? "–"}</td>
                    <td className="num mono">{formatMetric(r.final_metrics?.loss)}</td>
                    <td className="num">{formatDuration(r.wall_time)}</td>
                    <td className="muted">{formatDate(r.started_at ?? r.created_at)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      {selected.length >= 2 && <CompareRuns ids={selected} />}
    </div>
  );
}
