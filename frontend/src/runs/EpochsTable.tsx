import type { EpochRecord } from "../api/types";
import { formatMetric } from "../lib/format";

export function EpochsTable({ epochs }: { epochs: EpochRecord[] }) {
  const keys = [...new Set(epochs.flatMap((e) => Object.keys(e.logs ?? {})))].sort((a, b) => {
    const base = (k: string) => k.replace(/^val_/, "");
    return base(a) === base(b) ? a.length - b.length : base(a) === "loss" ? -1 : base(b) === "loss" ? 1 : a.localeCompare(b);
  });
  if (!epochs.length) return null;
  return (
    <div className="table-scroll">
      <table className="table" data-testid="epochs-table">
        <thead>
          <tr>
            <th className="num">epoch</th>
            {keys.map((k) => (
              <th key={k} className="num">
                {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {[...epochs].reverse().map((e) => (
            <tr key={e.epoch} data-testid="epoch-row">
              <td className="num">{e.epoch}</td>
              {keys.map((k) => (
                <td key={k} className="num mono">
                  {formatMetric(e.logs?.[k])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
