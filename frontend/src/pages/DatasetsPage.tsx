import { Link, useNavigate } from "react-router";
import { datasetsApi } from "../api/resources";
import { ErrorBanner } from "../components/ErrorBanner";
import { Loading } from "../components/Loading";
import { UploadCard } from "../datasets/UploadCard";
import { formatBytes } from "../editor/format";
import { formatDate } from "../lib/format";
import { useAsync } from "../lib/useAsync";

export function DatasetsPage() {
  const list = useAsync(() => datasetsApi.list(), []);
  const navigate = useNavigate();
  return (
    <div className="page">
      <div className="page-header">
        <h1>Datasets</h1>
      </div>
      <UploadCard onUploaded={(d) => navigate(`/datasets/${d.id}`)} />
      <h2>All datasets</h2>
      <ErrorBanner error={list.error} />
      {list.loading && !list.data && <Loading />}
      {list.data && list.data.length === 0 && <div className="empty">No datasets yet. Upload a CSV above.</div>}
      {list.data && list.data.length > 0 && (
        <table className="table" data-testid="datasets-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Format</th>
              <th className="num">Rows</th>
              <th className="num">Columns</th>
              <th className="num">Size</th>
              <th>Added</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((d) => (
              <tr key={d.id} data-testid="dataset-row">
                <td>
                  <Link to={`/datasets/${d.id}`}>{d.name}</Link> {d.is_public && <span className="badge">sample</span>}{" "}
                  {d.status === "invalid" && <span className="badge badge-failed">invalid</span>}
                </td>
                <td className="mono">{d.format?.toUpperCase()}</td>
                <td className="num">{d.rows?.toLocaleString() ?? "–"}</td>
                <td className="num">{d.columns?.length || "–"}</td>
                <td className="num">{formatBytes(d.size)}</td>
                <td className="muted">{formatDate(d.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
