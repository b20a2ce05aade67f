import { useMemo, useState } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { loadCatalog } from "../api/catalog";
import { designsApi } from "../api/resources";
import type { RunConfig } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { Loading } from "../components/Loading";
import { useAsync } from "../lib/useAsync";
import { ConfigFields } from "../runs/ConfigFields";
import { defaultConfig } from "../runs/trainPlan";
import { sweepsApi } from "./api";
import { candidates, defaultRow, gridSize, rowToSpec, toSpaceJson, visibleCandidates, type Candidate, type Row } from "./searchSpace";
import type { Strategy, SweepStart } from "./types";

const STRATEGIES: [Strategy, string][] = [
  ["random", "Random search"],
  ["grid", "Grid search"],
  ["bayesian", "Bayesian (Gaussian process)"],
];

/** The sweep form: mark parameters as searchable (a range or a list), pick a strategy and a budget. */
export function NewSweepPage() {
  const navigate = useNavigate();
  const [query] = useSearchParams();
  const start = (useLocation().state ?? null) as SweepStart | null;
  const designId = start?.design ?? Number(query.get("design"));
  const design = useAsync(() => designsApi.get(designId), [designId]);
  const catalog = useAsync(() => loadCatalog(), []);
  const [config, setConfig] = useState<RunConfig>(() => start?.config ?? defaultConfig("classification", null));
  const [rows, setRows] = useState<Record<string, Row>>({});
  const [strategy, setStrategy] = useState<Strategy>("random");
  const [maxTrials, setMaxTrials] = useState(6);
  const [parallelism, setParallelism] = useState(2);
  const [objective, setObjective] = useState("val_loss");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [filter, setFilter] = useState("");
  const [showAll, setShowAll] = useState(false);

  const all = useMemo(
    () => (design.data && catalog.data ? candidates(design.data.graph, catalog.data, config as unknown as Record<string, unknown>) : []),
    [design.data, catalog.data, config],
  );
  const chosen = all.filter((c) => rows[c.name]).map((c) => rows[c.name]);
  const shown = visibleCandidates(all, new Set(Object.keys(rows)), filter, showAll);
  const { space, errors } = toSpaceJson(chosen);
  const objectives = ["val_loss", "loss", ...config.metrics.flatMap((m) => [`val_${m}`, m])];
  const grid = Object.keys(space).length ? gridSize(space) : 0;

  if (!start && !query.get("design"))
    return (
      <div className="page">
        <div className="empty">
          Start a sweep from a design: open it in the <Link to="/designs">editor</Link>, press Train, then “Sweep…”.
        </div>
      </div>
    );
  if (design.error || catalog.error) return <div className="page"><ErrorBanner error={design.error ?? catalog.error} /></div>;
  if (!design.data || !catalog.data) return <div className="page"><Loading /></div>;

  const toggle = (c: Candidate, on: boolean) =>
    setRows((r) => {
      const next = { ...r };
      if (on) next[c.name] = defaultRow(c);
      else delete next[c.name];
      return next;
    });
  const setRow = (name: string, patch: Partial<Row>) => setRows((r) => ({ ...r, [name]: { ...r[name], ...patch } }));

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const dataset = start?.dataset ?? Number(query.get("dataset"));
      const created = await sweepsApi.create({
        design: Number(designId),
        dataset,
        target: start?.target ?? null,
        features: start?.features ?? null,
        config,
        space,
        strategy,
        max_trials: maxTrials,
        parallelism,
        objective,
      });
      navigate(`/sweeps/${created.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <div className="page" data-testid="sweep-form">
      <div className="page-header">
        <h1>Sweep “{design.data.name}”</h1>
      </div>
      <p className="muted">
        Tick the parameters to search and give each a range (min, max, optional step, log scale) or a list of values.
        Every trial is its own training run, queued on the workers.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <h2>Search space</h2>
        <div className="row gap">
          <input className="palette-search" placeholder="Filter parameters…" value={filter} onChange={(e) => setFilter(e.target.value)} data-testid="sweep-param-filter" />
          <label className="row gap-small small">
            <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} data-testid="sweep-show-all" />
            every parameter (not only the key ones)
          </label>
        </div>
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th>search</th>
                <th>parameter</th>
                <th>now</th>
                <th>values</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((c) => {
                const row = rows[c.name];
                const numeric = c.type === "int" || c.type === "float";
                return (
                  <tr key={c.name} data-testid={`sweep-param-${c.name}`}>
                    <td>
                      <input type="checkbox" checked={!!row} onChange={(e) => toggle(c, e.target.checked)} data-testid="sweep-param-on" aria-label={`search ${c.label}`} />
                    </td>
                    <td>
                      {c.label} <span className="muted small">{c.group === "layer" ? c.type : "training"}</span>
                    </td>
                    <td className="mono">{c.current === undefined || c.current === null ? "–" : String(c.current)}</td>
                    <td>
                      {row && (
                        <div className="row gap-small">
                          {numeric && (
                            <select value={row.mode} onChange={(e) => setRow(c.name, { mode: e.target.value as Row["mode"] })} data-testid="sweep-param-mode">
                              <option value="range">range</option>
                              <option value="list">list</option>
                            </select>
                          )}
                          {row.mode === "range" && numeric ? (
                            <>
                              <input className="small" size={7} placeholder="min" value={row.min} onChange={(e) => setRow(c.name, { min: e.target.value })} data-testid="sweep-param-min" />
                              <input className="small" size={7} placeholder="max" value={row.max} onChange={(e) => setRow(c.name, { max: e.target.value })} data-testid="sweep-param-max" />
                              <input className="small" size={5} placeholder="step" value={row.step} onChange={(e) => setRow(c.name, { step: e.target.value })} data-testid="sweep-param-step" />
                              <label className="row gap-small small">
                                <input type="checkbox" checked={row.log} onChange={(e) => setRow(c.name, { log: e.target.checked })} data-testid="sweep-param-log" />
                                log
                              </label>
                            </>
                          ) : (
                            <input size={28} placeholder={c.choices ? c.choices.slice(0, 3).join(", ") : "comma-separated"} value={row.values} onChange={(e) => setRow(c.name, { values: e.target.value })} data-testid="sweep-param-values" />
                          )}
                          {errors[c.name] && <span className="field-error" data-testid="sweep-param-error">{rowToSpec(row).error}</span>}
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <h2>Strategy and budget</h2>
        <div className="form-grid">
          <label className="field">
            <span className="field-label">Strategy</span>
            <select value={strategy} onChange={(e) => setStrategy(e.target.value as Strategy)} data-testid="sweep-strategy">
              {STRATEGIES.map(([v, label]) => (
                <option key={v} value={v}>{label}</option>
              ))}
            </select>
            {strategy === "grid" && grid > 0 && <span className="field-help">The grid has {grid} point{grid === 1 ? "" : "s"}; at most {Math.min(grid, maxTrials)} run.</span>}
          </label>
          <label className="field">
            <span className="field-label">Trials</span>
            <input type="number" min={1} max={200} value={maxTrials} onChange={(e) => setMaxTrials(Math.min(200, Math.max(1, Math.round(Number(e.target.value) || 1))))} data-testid="sweep-trials" />
          </label>
          <label className="field">
            <span className="field-label">In parallel</span>
            <input type="number" min={1} max={16} value={parallelism} onChange={(e) => setParallelism(Math.min(16, Math.max(1, Math.round(Number(e.target.value) || 1))))} data-testid="sweep-parallelism" />
            <span className="field-help">Trials queued at once; they run on as many workers as exist.</span>
          </label>
          <label className="field">
            <span className="field-label">Objective</span>
            <select value={objective} onChange={(e) => setObjective(e.target.value)} data-testid="sweep-objective">
              {objectives.map((o) => (
                <option key={o}>{o}</option>
              ))}
            </select>
            <span className="field-help">{/acc|auc/.test(objective) ? "maximised" : "minimised"}; each trial counts its best epoch</span>
          </label>
        </div>
        <h2>Training settings of every trial</h2>
        <ConfigFields config={config} onChange={setConfig} />
        <ErrorBanner error={error} />
        <div className="form-actions">
          <button type="button" className="btn" onClick={() => navigate(-1)}>
            Back
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy || !Object.keys(space).length || Object.keys(errors).length > 0} data-testid="sweep-submit">
            {busy ? "Starting…" : "Start sweep"}
          </button>
        </div>
      </form>
    </div>
  );
}
