import type { RunConfig } from "../api/types";
import { SearchEditor, SearchToggle, useSearchMark, type SearchProps } from "../editor/SearchMarkField";
import { trainingCandidates } from "../sweeps/searchSpace";
import type { ParamSpecJson, SpaceJson } from "../sweeps/types";
import { LOSSES, METRICS, OPTIMIZERS } from "./trainPlan";

/** Search marks of training settings (the train dialog's sweep): name → spec, and where edits go. */
export interface ConfigSearch {
  marks: SpaceJson;
  onCommit: (name: string, spec: ParamSpecJson | undefined, error?: string) => void;
}

/** The hyper-parameters of a run; numbers are kept valid by the browser's min/max/step. With `search`,
 * the settings a sweep can vary get a "search" mark. */
export function ConfigFields({ config, onChange, search }: { config: RunConfig; onChange: (c: RunConfig) => void; search?: ConfigSearch }) {
  const set = <K extends keyof RunConfig>(k: K, v: RunConfig[K]) => onChange({ ...config, [k]: v });
  const num = (s: string, fallback: number) => (s.trim() === "" || !Number.isFinite(Number(s)) ? fallback : Number(s));
  const candidates = trainingCandidates(config as unknown as Record<string, unknown>);
  const searchOf = (name: string): SearchProps | undefined => {
    const candidate = candidates.find((c) => c.name === name);
    return search && candidate ? { candidate, spec: search.marks[name], onCommit: (spec, error) => search.onCommit(name, spec, error) } : undefined;
  };
  // One hook per searchable setting, always called (hooks cannot be conditional).
  const marks = {
    optimizer: useSearchMark(searchOf("optimizer")),
    learning_rate: useSearchMark(searchOf("learning_rate")),
    epochs: useSearchMark(searchOf("epochs")),
    batch_size: useSearchMark(searchOf("batch_size")),
    validation_split: useSearchMark(searchOf("validation_split")),
    standardize: useSearchMark(searchOf("standardize")),
  };
  const label = (name: keyof typeof marks, text: string, htmlFor?: string) => (
    <div className="field-label">
      <label htmlFor={htmlFor}>{text}</label>
      {marks[name] && <SearchToggle mark={marks[name]} testid={`train-search-${name}`} />}
    </div>
  );
  const editor = (name: keyof typeof marks) => marks[name] && <SearchEditor mark={marks[name]} testid={`train-search-${name}`} />;
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
      <div className="field">
        {label("optimizer", "Optimizer", "train-optimizer")}
        <select id="train-optimizer" value={config.optimizer} onChange={(e) => set("optimizer", e.target.value)} data-testid="train-optimizer">
          {OPTIMIZERS.map((o) => <option key={o}>{o}</option>)}
        </select>
        {editor("optimizer")}
      </div>
      <div className="field">
        {label("learning_rate", "Learning rate", "train-lr")}
        <input id="train-lr" type="number" min={0} step="any" value={config.learning_rate} onChange={(e) => set("learning_rate", num(e.target.value, config.learning_rate))} data-testid="train-lr" />
        {editor("learning_rate")}
      </div>
      <div className="field">
        {label("epochs", "Epochs", "train-epochs")}
        <input id="train-epochs" type="number" min={1} max={10000} step={1} value={config.epochs} onChange={(e) => set("epochs", Math.max(1, Math.round(num(e.target.value, config.epochs))))} data-testid="train-epochs" />
        {editor("epochs")}
      </div>
      <div className="field">
        {label("batch_size", "Batch size", "train-batch")}
        <input id="train-batch" type="number" min={1} step={1} value={config.batch_size} onChange={(e) => set("batch_size", Math.max(1, Math.round(num(e.target.value, config.batch_size))))} data-testid="train-batch" />
        {editor("batch_size")}
      </div>
      <div className="field">
        {label("validation_split", "Validation split", "train-val")}
        <input id="train-val" type="number" min={0} max={0.9} step={0.05} value={config.validation_split} onChange={(e) => set("validation_split", Math.min(0.9, Math.max(0, num(e.target.value, config.validation_split))))} data-testid="train-val" />
        {editor("validation_split")}
      </div>
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
      <div className="field">
        <div className="row gap-small">
          <label className="row gap-small">
            <input type="checkbox" checked={config.standardize ?? false} onChange={(e) => set("standardize", e.target.checked)} data-testid="train-standardize" />
            <span>Standardize numeric features</span>
          </label>
          {marks.standardize && <SearchToggle mark={marks.standardize} testid="train-search-standardize" />}
        </div>
        {editor("standardize")}
      </div>
      <label className="field">
        <span className="field-label">Seed <span className="muted">empty = random</span></span>
        <input type="number" min={0} step={1} value={config.seed ?? ""} onChange={(e) => set("seed", e.target.value === "" ? null : Math.max(0, Math.round(num(e.target.value, 0))))} data-testid="train-seed" />
      </label>
    </div>
  );
}
