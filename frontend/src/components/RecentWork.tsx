import { Link } from "react-router";
import { designsApi, runsApi } from "../api/resources";
import { loadMe } from "../lib/me";
import { formatDate, formatMetric } from "../lib/format";
import { useAsync } from "../lib/useAsync";
import { StatusBadge } from "../runs/StatusBadge";

/** The signed-in user's latest designs and runs, to pick up where they left off. */
export function RecentWork() {
  const data = useAsync(async () => {
    if (!(await loadMe())) return null;
    const [designs, runs] = await Promise.all([designsApi.list(), runsApi.list()]);
    return { designs: designs.slice(0, 5), runs: runs.slice(0, 5) };
  }, []);
  if (!data.data) return null;
  const { designs, runs } = data.data;
  return (
    <section className="recent" data-testid="recent-work">
      <div>
        <h2>Recent designs</h2>
        {designs.length === 0 ? (
          <p className="muted">None yet — start from a template.</p>
        ) : (
          <ul className="recent-list">
            {designs.map((d) => (
              <li key={d.id}>
                <Link to={`/designs/${d.id}`}>{d.name}</Link>
                <span className="muted small">{formatDate(d.updated_at ?? d.created_at)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div>
        <h2>Recent runs</h2>
        {runs.length === 0 ? (
          <p className="muted">None yet — open a design and press Train.</p>
        ) : (
          <ul className="recent-list">
            {runs.map((r) => (
              <li key={r.id}>
                <Link to={`/runs/${r.id}`}>#{r.id}</Link> {r.design_name} <StatusBadge status={r.status} />
                <span className="muted small mono">loss {formatMetric(r.final_metrics?.loss)}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
