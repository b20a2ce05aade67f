import { useMemo } from "react";
import type { EpochRecord } from "../api/types";
import { LineChart } from "./LineChart";
import { metricSeries } from "./runState";

const TRAIN = "#2563eb";
const VAL = "#f97316";

/** Loss and every metric, train (solid) and validation (dashed), one chart each. */
export function MetricCharts({ epochs }: { epochs: EpochRecord[] }) {
  const all = useMemo(() => metricSeries(epochs), [epochs]);
  if (!epochs.length) return <div className="empty chart-empty">The curves appear after the first epoch.</div>;
  return (
    <div className="charts">
      {all.map((m) => (
        <LineChart
          key={m.name}
          title={m.name}
          x={m.x}
          testId={`chart-${m.name}`}
          series={[
            { label: m.name, values: m.train, color: TRAIN },
            ...(m.val ? [{ label: `val_${m.name}`, values: m.val, color: VAL, dash: [6, 4] }] : []),
          ]}
        />
      ))}
    </div>
  );
}
