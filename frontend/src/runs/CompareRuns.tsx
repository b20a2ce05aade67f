import { useMemo, useState } from "react";
import { runsApi } from "../api/resources";
import type { Run } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { Loading } from "../components/Loading";
import { useAsync } from "../lib/useAsync";
import { metricKeys, overlay, PALETTE } from "./compare";
import { LineChart } from "./LineChart";
import { RunConfigTable } from "./RunConfigTable";

/** Overlaid curves of the selected runs and their configs side by side. */
export function CompareRuns({ ids }: { ids: (string | number)[] }) {
  const runs = useAsync(() => Promise.all(ids.map((id) => runsApi.get(id))), [ids.join(",")]);
  const keys = useMemo(() => metricKeys(runs.data ?? []), [runs.data]);
  const [key, setKey] = useState("loss");
  const metric = keys.includes(key) ? key : (keys[0] ?? "loss");
  const data = useMemo(() => overlay(runs.data ?? [], metric), [runs.data, metric]);

  if (runs.error) return <ErrorBanner error={runs.error} />;
  if (!runs.data) return <Loading />;
  return (
    <section className="compare" data-testid="compare">
      <div className="row gap">
        <h2>Comparing {runs.data.length} runs</h2>
        <span className="spacer" />
        <label className="row gap">
          <span className="muted">metric</span>
          <select value={metric} onChange={(e) => setKey(e.target.value)} data-testid="compare-metric">
            {keys.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
      </div>
      <LineChart
        title={metric}
        x={data.x}
        height={260}
        testId="compare-chart"
        series={data.series.map((s, i) => ({ label: `#${s.run.id} ${(s.run as Run).design_name ?? ""}`.trim(), values: s.values, color: PALETTE[i % PALETTE.length] }))}
      />
      <h3>Configurations</h3>
      <RunConfigTable runs={runs.data} />
    </section>
  );
}
