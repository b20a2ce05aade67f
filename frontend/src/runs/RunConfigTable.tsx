import type { Run } from "../api/types";

const FIELDS = ["loss", "optimizer", "learning_rate", "epochs", "batch_size", "validation_split", "metrics", "seed", "standardize"];

function show(v: unknown): string {
  if (v === null || v === undefined) return "–";
  if (Array.isArray(v)) return v.join(", ");
  return String(v);
}

/** The configs of one or more runs side by side; rows that differ are highlighted. */
export function RunConfigTable({ runs }: { runs: Run[] }) {
  const rows: [string, (r: Run) => unknown][] = [
    ["design", (r) => `${r.design_name ?? r.design}${r.design_version ? ` v${r.design_version}` : ""}`],
    ["dataset", (r) => r.dataset_name ?? r.dataset],
    ["target", (r) => r.target],
    ["features", (r) => r.features],
    ...FIELDS.map((f) => [f, (r: Run) => r.config?.[f]] as [string, (r: Run) => unknown]),
    ["device", (r) => r.device],
  ];
  return (
    <table className="table config-table" data-testid="config-table">
      {runs.length > 1 && (
        <thead>
          <tr>
            <th />
            {runs.map((r) => (
              <th key={r.id}>#{r.id}</th>
            ))}
          </tr>
        </thead>
      )}
      <tbody>
        {rows.map(([name, get]) => {
          const values = runs.map((r) => show(get(r)));
          const differs = runs.length > 1 && new Set(values).size > 1;
          return (
            <tr key={name} className={differs ? "row-differs" : undefined}>
              <td className="muted">{name}</td>
              {values.map((v, i) => (
                <td key={i} className="mono wrap-cell">
                  {v}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
