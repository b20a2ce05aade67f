import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { loadCatalog } from "../api/catalog";
import { designsApi } from "../api/resources";
import type { RunConfig } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { Loading } from "../components/Loading";
import { rowsFromMarks } from "../editor/searchMarks";
import { useAsync } from "../lib/useAsync";
import { ConfigFields } from "../runs/ConfigFields";
import { defaultConfig } from "../runs/trainPlan";
import { sweepsApi } from "./api";
import { candidates, checkRow, defaultRow, gridSize, objectivesFor, visibleCandidates, type Candidate, type Row } from "./searchSpace";
import { SweepSettings } from "./SweepSettings";
import { DEFAULT_OPTIONS, sweepRequest, type SweepOptions, type SweepStartWithMarks } from "./sweepRequest";

/** The sweep form: mark parameters as searchable (a range or a list), pick a strategy and a budget. */
export function NewSweepPage() {
  const navigate = useNavigate();
  const [query] = useSearchParams();
  const start = (useLocation().state ?? null) as SweepStartWithMarks | null;
  const designId = start?.design ?? Number(query.get("design"));
  const design = useAsync(() => designsApi.get(designId), [designId]);
  const catalog = useAsync(() => loadCatalog(), []);
  const [config, setConfig] = useState<RunConfig>(() => start?.config ?? defaultConfig("classification", null));
  const [rows, setRows] = useState<Record<string, Row>>({});
  const [options, setOptions] = useState<SweepOptions>(DEFAULT_OPTIONS);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [filter, setFilter] = useState("");
  const [showAll, setShowAll] = useState(false);

  const all = useMemo(
    () => (design.data && catalog.data ? candidates(design.data.graph, catalog.data, config as unknown as Record<string, unknown>) : []),
    [design.data, catalog.data, config],
  );
  // Start from the design's search marks (and the training settings marked in the train dialog), so the
  // editor's marks and this form agree; once, when the design and the catalog are known.
  const prefilled = useRef(false);
  useEffect(() => {
    if (prefilled.current || !design.data || !catalog.data) return;
    prefilled.current = true;
    const marked = rowsFromMarks(design.data.graph, catalog.data, config as unknown as Record<string, unknown>, start?.training ?? {});
    if (Object.keys(marked).length) setRows((r) => ({ ...marked, ...r }));
  }, [design.data, catalog.data, config, start]);
  const checked = all.filter((c) => rows[c.name]).map((c) => ({ c, ...checkRow(rows[c.name], c) }));
  const space = Object.fromEntries(checked.filter((x) => x.spec).map((x) => [x.c.name, x.spec!]));
  const errors: Record<string, string> = Object.fromEntries(checked.filter((x) => x.error).map((x) => [x.c.name, x.error!]));
  const shown = visibleCandidates(all, new Set(Object.keys(rows)), filter, showAll);
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
      const created = await sweepsApi.create(
        sweepRequest({ design: Number(designId), dataset, target: start?.target ?? null, features: start?.features ?? null, config, space, options }),
      );
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
                          {errors[c.name] && <span className="field-error" data-testid="sweep-param-error">{errors[c.name]}</span>}
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
        <SweepSettings options={options} onChange={setOptions} objectives={objectivesFor(config.metrics)} grid={grid} />
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
