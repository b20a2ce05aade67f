import type { DatasetPreview } from "../api/types";

export function PreviewTable({ preview, target }: { preview: DatasetPreview; target?: string | null }) {
  return (
    <div className="table-scroll">
      <table className="table preview-table" data-testid="preview-table">
        <thead>
          <tr>
            <th className="num">#</th>
            {preview.columns.map((c) => (
              <th key={c} className={c === target ? "col-target" : undefined}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {preview.rows.map((row, i) => (
            <tr key={i}>
              <td className="num muted">{i + 1}</td>
              {row.map((cell, j) => (
                <td key={j} className={preview.columns[j] === target ? "col-target mono" : "mono"}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
