import type { Pruning, Strategy } from "./types";
import { clampCount, type SweepOptions } from "./sweepRequest";

const STRATEGIES: [Strategy, string][] = [
  ["random", "Random search"],
  ["grid", "Grid search"],
  ["bayesian", "Bayesian (Gaussian process)"],
];

interface Props {
  options: SweepOptions;
  onChange: (o: SweepOptions) => void;
  objectives: string[];
  /** Points of the full grid (0 when nothing is marked). */
  grid: number;
}

/** Strategy, trial budget, parallelism, objective (and early stopping): the same fields in both sweep forms. */
export function SweepSettings({ options: o, onChange, objectives, grid }: Props) {
  const set = (patch: Partial<SweepOptions>) => onChange({ ...o, ...patch });
  return (
    <div className="form-grid">
      <label className="field">
        <span className="field-label">Strategy</span>
        <select value={o.strategy} onChange={(e) => set({ strategy: e.target.value as Strategy })} data-testid="sweep-strategy">
          {STRATEGIES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
        {o.strategy === "grid" && grid > 0 && (
          <span className="field-help" data-testid="sweep-grid-size">
            The grid has {grid} point{grid === 1 ? "" : "s"}; at most {Math.min(grid, o.maxTrials)} run.
          </span>
        )}
      </label>
      <label className="field">
        <span className="field-label">Trials</span>
        <input type="number" min={1} max={200} value={o.maxTrials} onChange={(e) => set({ maxTrials: clampCount(e.target.value, 200) })} data-testid="sweep-trials" />
      </label>
      <label className="field">
        <span className="field-label">In parallel</span>
        <input type="number" min={1} max={16} value={o.parallelism} onChange={(e) => set({ parallelism: clampCount(e.target.value, 16) })} data-testid="sweep-parallelism" />
        <span className="field-help">Trials queued at once; they run on as many workers as exist.</span>
      </label>
      <label className="field">
        <span className="field-label">Objective</span>
        <select value={objectives.includes(o.objective) ? o.objective : objectives[0]} onChange={(e) => set({ objective: e.target.value })} data-testid="sweep-objective">
          {objectives.map((x) => (
            <option key={x}>{x}</option>
          ))}
        </select>
        <span className="field-help">{/acc|auc/.test(o.objective) ? "maximised" : "minimised"}; each trial counts its best epoch</span>
      </label>
      <label className="field">
        <span className="field-label">Stop hopeless trials early</span>
        <select value={o.pruning} onChange={(e) => set({ pruning: e.target.value as Pruning })} data-testid="sweep-pruning">
          <option value="median">median</option>
          <option value="none">off</option>
        </select>
        <span className="field-help">
          {o.pruning === "median" ? "A trial worse than the median of the other trials at the same epoch stops early." : "Every trial trains all its epochs."}
        </span>
      </label>
    </div>
  );
}
