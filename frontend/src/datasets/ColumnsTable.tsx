import type { ColumnInfo } from "../api/types";
import { formatMetric } from "../lib/format";
import type { ColumnChoice } from "./columnChoice";

function ClassBars({ classes }: { classes: Record<string, number> }) {
  const entries = Object.entries(classes).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((s, [, c]) => s + c, 0) || 1;
  const shown = entries.slice(0, 6);
  return (
    <div className="class-bars">
      {shown.map(([label, count]) => (
        <div key={label} className="class-bar" title={`${label}: ${count}`}>
          <span className="class-label">{label}</span>
          <span className="class-track">
            <span style={{ width: `${(count / total) * 100}%` }} />
          </span>
          <span className="muted">{count}</span>
        </div>
      ))}
      {entries.length > shown.length && <div className="muted small">+ {entries.length - shown.length} more</div>}
    </div>
  );
}

interface Props {
  columns: ColumnInfo[];
  choice: ColumnChoice | null;
  onChange?: (c: ColumnChoice) => void;
}

/** Per-column statistics, with the target / feature pickers when `choice` is given (CSV). */
export function ColumnsTable({ columns, choice, onChange }: Props) {
  const setTarget = (name: string) => choice && onChange?.({ target: name, features: choice.features.filter((f) => f !== name).concat(choice.target && choice.target !== name ? [choice.target] : []) });
  const toggle = (name: string) =>
    choice && onChange?.({ ...choice, features: choice.features.includes(name) ? choice.features.filter((f) => f !== name) : [...choice.features, name] });
  return (
    <table className="table columns-table" data-testid="columns-table">
      <thead>
        <tr>
          {choice && <th title="The column the model learns to predict">Target</th>}
          {choice && <th title="Columns the model sees">Feature</th>}
          <th>Column</th>
          <th>Kind</th>
          <th className="num">Min</th>
          <th className="num">Max</th>
          <th className="num">Mean</th>
          <th className="num">Std</th>
          <th>Classes</th>
        </tr>
      </thead>
      <tbody>
        {columns.map((c) => (
          <tr key={c.name} data-testid={`column-${c.name}`} className={choice?.target === c.name ? "row-target" : undefined}>
            {choice && (
              <td>
                <input type="radio" name="target" checked={choice.target === c.name} onChange={() => setTarget(c.name)} data-testid={`target-${c.name}`} aria-label={`Use ${c.name} as target`} />
              </td>
            )}
            {choice && (
              <td>
                <input
                  type="checkbox"
                  checked={choice.features.includes(c.name)}
                  disabled={choice.target === c.name}
                  onChange={() => toggle(c.name)}
                  data-testid={`feature-${c.name}`}
                  aria-label={`Use ${c.name} as a feature`}
                />
              </td>
            )}
            <td className="mono">{c.name}</td>
            <td>
              <span className={`badge kind-${c.kind}`}>{c.kind ?? "?"}</span> <span className="muted small">{c.dtype}</span>
            </td>
            <td className="num">{formatMetric(c.min)}</td>
            <td className="num">{formatMetric(c.max)}</td>
            <td className="num">{formatMetric(c.mean)}</td>
            <td className="num">{formatMetric(c.std)}</td>
            <td>{c.classes ? <ClassBars classes={c.classes} /> : <span className="muted">–</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
