import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { datasetsApi } from "../api/resources";
import { ErrorBanner } from "../components/ErrorBanner";
import { Loading } from "../components/Loading";
import { loadChoice, saveChoice, taskFor, type ColumnChoice } from "../datasets/columnChoice";
import { ColumnsTable } from "../datasets/ColumnsTable";
import { PreviewTable } from "../datasets/PreviewTable";
import { formatBytes } from "../editor/format";
import { formatDate } from "../lib/format";
import { useAsync } from "../lib/useAsync";

export function DatasetPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const dataset = useAsync(() => datasetsApi.get(id), [id]);
  const preview = useAsync(() => datasetsApi.preview(id), [id]);
  const [choice, setChoice] = useState<ColumnChoice | null>(null);
  const [error, setError] = useState<unknown>(null);
  const d = dataset.data;
  const isCsv = d?.format !== "npz";

  useEffect(() => {
    if (d && isCsv) setChoice(loadChoice(d));
  }, [d, isCsv]);

  const change = (c: ColumnChoice) => {
    setChoice(c);
    saveChoice(id, c);
  };
  const remove = async () => {
    if (!d || !window.confirm(`Delete the dataset “${d.name}”?`)) return;
    try {
      await datasetsApi.remove(id);
      navigate("/datasets");
    } catch (err) {
      setError(err);
    }
  };

  if (dataset.error) return <div className="page"><ErrorBanner error={dataset.error} /></div>;
  if (!d) return <div className="page"><Loading /></div>;
  const targetInfo = d.columns?.find((c) => c.name === choice?.target);
  const task = taskFor(targetInfo);

  return (
    <div className="page" data-testid="dataset-page">
      <div className="page-header">
        <h1>{d.name}</h1>
        {d.is_public && <span className="badge">sample</span>}
        <span className="spacer" />
        {!d.is_public && (
          <button className="btn btn-danger" onClick={remove}>
            Delete
          </button>
        )}
      </div>
      <ErrorBanner error={error} />
      <div className="facts-row">
        <span><span className="muted">Format</span> {d.format?.toUpperCase()}</span>
        <span><span className="muted">Rows</span> <strong data-testid="dataset-rows">{d.rows?.toLocaleString()}</strong></span>
        <span><span className="muted">Columns</span> {d.columns?.length ?? "–"}</span>
        <span><span className="muted">Size</span> {formatBytes(d.size)}</span>
        <span><span className="muted">Added</span> {formatDate(d.created_at)}</span>
        {d.sha256 && <span className="mono muted" title={`SHA-256 ${d.sha256}`}>sha256 {d.sha256.slice(0, 12)}…</span>}
      </div>
      {d.status === "invalid" && <div className="banner banner-error">{d.error || "This file did not pass validation."}</div>}

      <h2>Columns</h2>
      {isCsv && choice && (
        <p className="muted" data-testid="column-choice-summary">
          Predict <strong className="mono">{choice.target}</strong> from {choice.features.length} feature{choice.features.length === 1 ? "" : "s"} —{" "}
          {task === "regression" ? "a regression task" : task === "binary" ? "binary classification" : "classification"}. The train form uses this choice.
        </p>
      )}
      {d.columns && d.columns.length > 0 ? (
        <ColumnsTable columns={d.columns} choice={isCsv ? choice : null} onChange={change} />
      ) : (
        <SummaryFacts summary={d.summary} />
      )}

      <h2>Preview</h2>
      <ErrorBanner error={preview.error} />
      {preview.data ? <PreviewTable preview={preview.data} target={choice?.target} /> : !preview.error && <Loading />}
      <p className="muted small">
        Train a design on this dataset from the editor: open a <Link to="/designs">design</Link> and press Train.
      </p>
    </div>
  );
}

function SummaryFacts({ summary }: { summary?: Record<string, unknown> }) {
  if (!summary) return null;
  const rows = Object.entries(summary).filter(([, v]) => typeof v !== "object" || Array.isArray(v));
  return (
    <table className="table">
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <td className="muted">{k}</td>
            <td className="mono">{Array.isArray(v) ? `(${v.join(", ")})` : String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
