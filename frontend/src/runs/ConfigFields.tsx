import type { RunConfig } from "../api/types";
import { LOSSES, METRICS, OPTIMIZERS } from "./trainPlan";

/** The hyper-parameters of a run; numbers are kept valid by the browser's min/max/step. */
export function ConfigFields({ config, onChange }: { config: RunConfig; onChange: (c: RunConfig) => void }) {
  const set = <K extends keyof RunConfig>(k: K, v: RunConfig[K]) => onChange({ ...config, [k]: v });
  const num = (s: string, fallback: number) => (s.trim() === "" || !Number.isFinite(Number(s)) ? fallback : Number(s));
  return (
    <div className="form-grid">
      <label className="field">
        <span className="field-label">Loss</span>
        <select value={config.loss} onChange={(e) => set("loss", e.target.value)} data-testid="train-loss">
          <optgroup label="classification">
            {LOSSES.classification.map((l) => <option key={l}>{l}</option>)}
          </optgroup>
          <optgroup label="regression">
            {LOSSES.regression.map((l) => <option key={l}>{l}</option>)}
          </optgroup>
        </select>
      </label>
      <label className="field">
        <span className="field-label">Optimizer</span>
        <select value={config.optimizer} onChange={(e) => set("optimizer", e.target.value)} data-testid="train-optimizer">
          {OPTIMIZERS.map((o) => <option key={o}>{o}</option>)}
        </select>
      </label>
      <label className="field">
        <span className="field-label">Learning rate</span>
        <input type="number" min={0} step="any" value={config.learning_rate} onChange={(e) => set("learning_rate", num(e.target.value, config.learning_rate))} data-testid="train-lr" />
      </label>
      <label className="field">
        <span className="field-label">Epochs</span>
        <input type="number" min={1} max={10000} step={1} value={config.epochs} onChange={(e) => set("epochs", Math.max(1, Math.round(num(e.target.value, config.epochs))))} data-testid="train-epochs" />
      </label>
      <label className="field">
        <span className="field-label">Batch size</span>
        <input type="number" min={1} step={1} value={config.batch_size} onChange={(e) => set("batch_size", Math.max(1, Math.round(num(e.target.value, config.batch_size))))} data-testid="train-batch" />
      </label>
      <label className="field">
        <span className="field-label">Validation split</span>
        <input type="number" min={0} max={0.9} step={0.05} value={config.validation_split} onChange={(e) => set("validation_split", Math.min(0.9, Math.max(0, num(e.target.value, config.validation_split))))} data-testid="train-val" />
      </label>
      <div className="field">
        <span className="field-label">Metrics</span>
        <div className="row gap">
          {METRICS.map((m) => (
            <label key={m} className="row gap-small">
              <input
                type="checkbox"
                checked={config.metrics.includes(m)}
                onChange={(e) => set("metrics", e.target.checked ? [...config.metrics, m] : config.metrics.filter((x) => x !== m))}
                data-testid={`train-metric-${m}`}
              />
              {m}
            </label>
          ))}
        </div>
      </div>
      <label className="field">
        <span className="field-label">Device <span className="muted">auto: GPU if the worker has one</span></span>
        <select value={config.device ?? "auto"} onChange={(e) => set("device", e.target.value as RunConfig["device"])} data-testid="train-device">
          <option value="auto">auto</option>
          <option value="cpu">CPU</option>
          <option value="gpu">GPU</option>
        </select>
      </label>
      <label className="field row gap-small">
        <input type="checkbox" checked={config.standardize ?? false} onChange={(e) => set("standardize", e.target.checked)} data-testid="train-standardize" />
        <span>Standardize numeric features</span>
      </label>
      <label className="field">
        <span className="field-label">Seed <span className="muted">empty = random</span></span>
        <input type="number" min={0} step={1} value={config.seed ?? ""} onChange={(e) => set("seed", e.target.value === "" ? null : Math.max(0, Math.round(num(e.target.value, 0))))} data-testid="train-seed" />
      </label>
    </div>
  );
}
