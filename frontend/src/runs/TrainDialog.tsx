import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import { datasetsApi, runsApi } from "../api/resources";
import type { RunConfig } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { loadChoice, saveChoice, taskFor, type ColumnChoice } from "../datasets/columnChoice";
import { toGraph } from "../editor/graph";
import { useEditor } from "../editor/store";
import { useAsync } from "../lib/useAsync";
import { SweepLink } from "../sweeps/SweepLink";
import { ConfigFields } from "./ConfigFields";
import { defaultConfig, outputWidth, preflight } from "./trainPlan";

interface Props {
  designId: string | null;
  onClose: () => void;
  /** Saves the design first (when it has unsaved changes); returns its id. */
  beforeTrain?: () => Promise<string | null>;
}

const LAST_DATASET = "modelbuilder.lastDataset";

export function TrainDialog({ designId, onClose, beforeTrain }: Props) {
  const navigate = useNavigate();
  const datasets = useAsync(() => datasetsApi.list(), []);
  const ready = useMemo(() => (datasets.data ?? []).filter((d) => d.status !== "invalid"), [datasets.data]);
  const [datasetId, setDatasetId] = useState<string>(() => localStorage.getItem(LAST_DATASET) ?? "");
  const dataset = ready.find((d) => String(d.id) === datasetId) ?? ready[0];
  const [choice, setChoice] = useState<ColumnChoice | null>(null);
  const [config, setConfig] = useState<RunConfig | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const validation = useEditor((s) => s.validation);
  const graph = useMemo(() => toGraph({ nodes, edges }), [nodes, edges]);
  const outWidth = outputWidth(graph, validation);

  // New dataset → its remembered columns; new target → defaults for that kind of task.
  useEffect(() => {
    if (dataset) setChoice(dataset.format === "npz" ? null : loadChoice(dataset));
  }, [dataset]);
  const targetInfo = dataset?.columns?.find((c) => c.name === choice?.target);
  const npzTarget = dataset?.summary?.target as { kind?: string; classes?: Record<string, number> } | undefined;
  const task = dataset?.format === "npz" ? (npzTarget?.classes ? "classification" : "regression") : taskFor(targetInfo);
  useEffect(() => {
    setConfig((c) => {
      const d = defaultConfig(task, outWidth);
      return c ? { ...c, loss: d.loss, metrics: d.metrics } : d;
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [task, dataset?.id]);

  const problems = config ? preflight(graph, validation, dataset, choice, config.loss) : [];
  const setTarget = (name: string) => {
    if (!choice || !dataset) return;
    const next = { target: name, features: choice.features.filter((f) => f !== name).concat(choice.target && choice.target !== name ? [choice.target] : []) };
    setChoice(next);
    saveChoice(dataset.id, next);
  };

  const train = async () => {
    if (!dataset || !config) return;
    setBusy(true);
    setError(null);
    try {
      const id = beforeTrain ? await beforeTrain() : designId;
      if (!id) throw new Error("Save the design before training (the save failed).");
      localStorage.setItem(LAST_DATASET, String(dataset.id));
      const created = await runsApi.create({
        design: Number(id),
        dataset: Number(dataset.id),
        target: choice?.target ?? null,
        features: choice?.features ?? null,
        config,
      });
      navigate(`/runs/${created.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-label="Train" data-testid="train-dialog" onKeyDown={(e) => e.key === "Escape" && onClose()}>
        <h2>Train “{useEditor.getState().name}”</h2>
        <ErrorBanner error={datasets.error} />
        {datasets.data && ready.length === 0 && (
          <div className="empty">
            No dataset yet. <Link to="/datasets">Upload one</Link> first.
          </div>
        )}
        {dataset && config && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void train();
            }}
          >
            <div className="form-grid">
              <label className="field">
                <span className="field-label">Dataset</span>
                <select value={String(dataset.id)} onChange={(e) => setDatasetId(e.target.value)} data-testid="train-dataset">
                  {ready.map((d) => (
                    <option key={d.id} value={String(d.id)}>
                      {d.name} ({d.rows?.toLocaleString()} rows)
                    </option>
                  ))}
                </select>
              </label>
              {choice && (
                <label className="field">
                  <span className="field-label">
                    Target <span className="muted">{task}</span>
                  </span>
                  <select value={choice.target ?? ""} onChange={(e) => setTarget(e.target.value)} data-testid="train-target">
                    {(dataset.columns ?? []).map((c) => (
                      <option key={c.name} value={c.name}>
                        {c.name} ({c.kind})
                      </option>
                    ))}
                  </select>
                  <span className="field-help">
                    Features: {choice.features.join(", ")} · <Link to={`/datasets/${dataset.id}`}>change</Link>
                  </span>
                </label>
              )}
            </div>
            <ConfigFields config={config} onChange={setConfig} />
            {problems.length > 0 && (
              <div className="preflight" data-testid="train-preflight">
                {problems.map((p, i) => (
                  <div key={i} className="banner banner-error small">
                    <span>{p.message}</span>
                    {p.fix && (
                      <button type="button" className="btn btn-small" onClick={() => useEditor.getState().updateParam(p.fix!.node, p.fix!.param, p.fix!.value)} data-testid="train-fix">
                        {p.fix.label}
                      </button>
                    )}
                  </div>
                ))}
              </div>
            )}
            <ErrorBanner error={error} />
            <div className="form-actions">
              <button type="button" className="btn" onClick={onClose}>
                Cancel
              </button>
              <SweepLink disabled={busy || validation?.ok === false} prepare={async () => { const id = beforeTrain ? await beforeTrain() : designId; return id ? { design: Number(id), dataset: Number(dataset.id), target: choice?.target ?? null, features: choice?.features ?? null, config } : null; }} />
              <button type="submit" className="btn btn-primary" disabled={busy || validation?.ok === false} data-testid="train-submit">
                {busy ? "Starting…" : "Start training"}
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
