import { Link, useNavigate } from "react-router";
import { designsApi } from "../api/resources";
import type { Design } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { Loading } from "../components/Loading";
import { TEMPLATES } from "../editor/templates";
import { useAsync } from "../lib/useAsync";
import { formatDate } from "../lib/format";

export function DesignsPage() {
  const designs = useAsync(() => designsApi.list(), []);
  const navigate = useNavigate();

  const remove = async (d: Design) => {
    if (!window.confirm(`Delete the design “${d.name}”? Its runs keep their copy of the graph.`)) return;
    try {
      await designsApi.remove(d.id);
      designs.reload();
    } catch (err) {
      window.alert(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <div className="page">
      <div className="page-header">
        <h1>Designs</h1>
        <span className="spacer" />
        <Link className="btn btn-primary" to="/designs/new" data-testid="new-design">
          New design
        </Link>
      </div>

      <h2>Start from a template</h2>
      <div className="template-grid wide">
        {TEMPLATES.map((t) => (
          <button key={t.id} className="template-card" onClick={() => navigate(`/designs/new?template=${t.id}`)} data-testid={`new-from-${t.id}`}>
            <strong>{t.name}</strong>
            <span className="muted">{t.description}</span>
          </button>
        ))}
      </div>

      <h2>Your designs</h2>
      <ErrorBanner error={designs.error} />
      {designs.loading && !designs.data && <Loading />}
      {designs.data && designs.data.length === 0 && <div className="empty">No designs yet. Start from a template above, or a blank canvas.</div>}
      {designs.data && designs.data.length > 0 && (
        <table className="table" data-testid="designs-table">
          <thead>
            <tr>
              <th>Name</th>
              <th className="num">Layers</th>
              <th>Status</th>
              <th>Updated</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {designs.data.map((d) => (
              <tr key={d.id} data-testid="design-row">
                <td>
                  <Link to={`/designs/${d.id}`}>{d.name}</Link>
                </td>
                <td className="num">{d.graph?.nodes?.length ?? "–"}</td>
                <td>
                  {d.validation ? (
                    d.validation.ok ? <span className="badge badge-succeeded">valid</span> : <span className="badge badge-failed">draft · {d.validation.errors.length} problems</span>
                  ) : (
                    <span className="muted">–</span>
                  )}
                </td>
                <td className="muted">{formatDate(d.updated_at ?? d.created_at)}</td>
                <td className="num">
                  <Link className="btn btn-small" to={`/runs?design=${d.id}`}>
                    Runs
                  </Link>{" "}
                  <button className="btn btn-small btn-danger" onClick={() => remove(d)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
