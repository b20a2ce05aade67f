import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import { datasetsApi, runsApi } from "../api/resources";
import type { RunConfig } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { loadChoice, saveChoice, taskFor, type ColumnChoice } from "../datasets/columnChoice";
import { toGraph } from "../editor/graph";
import { marksToSpace } from "../editor/searchMarks";
import { useEditor } from "../editor/store";
import { useAsync } from "../lib/useAsync";
import { sweepsApi } from "../sweeps/api";
import { gridSize, objectivesFor } from "../sweeps/searchSpace";
import { SweepLink } from "../sweeps/SweepLink";
import { SweepSettings } from "../sweeps/SweepSettings";
import { DEFAULT_OPTIONS, sweepBlocker, sweepRequest, trainMarksFrom, trainMarksKey, type SweepOptions, type SweepStartWithMarks } from "../sweeps/sweepRequest";
import type { SpaceJson } from "../sweeps/types";
import { ConfigFields, type ConfigSearch } from "./ConfigFields";
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
  // Search marks: layer parameters marked in the inspector (saved in the graph) and training settings
  // marked here. Any mark offers "Start sweep" next to "Start training".
  // Remembered per design, so closing the dialog to adjust a layer's mark does not lose them.
  const [trainMarks, setTrainMarks] = useState<SpaceJson>(() => trainMarksFrom(localStorage.getItem(trainMarksKey(designId))));
  useEffect(() => {
    if (Object.keys(trainMarks).length) localStorage.setItem(trainMarksKey(designId), JSON.stringify(trainMarks));
    else localStorage.removeItem(trainMarksKey(designId));
  }, [designId, trainMarks]);
  const [markErrors, setMarkErrors] = useState<Record<string, string>>({});
  const [sweepOptions, setSweepOptions] = useState<SweepOptions>(DEFAULT_OPTIONS);
  const space = useMemo(() => ({ ...marksToSpace(graph), ...trainMarks }), [graph, trainMarks]);
  const searching = Object.keys(space).length > 0 || Object.keys(markErrors).length > 0;
  const blocker = sweepBlocker(space, markErrors);
  const search: ConfigSearch = {
    marks: trainMarks,
    onCommit: (name, spec, error) => {
      setMarkErrors(({ [name]: _, ...rest }) => (error ? { ...rest, [name]: error } : rest));
      if (error) return;
      setTrainMarks(({ [name]: _, ...rest }) => (spec ? { ...rest, [name]: spec } : rest));
    },
  };

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

  const startSweep = async () => {
    if (!dataset || !config || blocker) return;
    setBusy(true);
    setError(null);
    try {
      const id = beforeTrain ? await beforeTrain() : designId;
      if (!id) throw new Error("Save the design before starting a sweep (the save failed).");
      localStorage.setItem(LAST_DATASET, String(dataset.id));
      // The marks of the graph just saved: the node ids are the ones the server has.
      const saved = toGraph({ nodes: useEditor.getState().nodes, edges: useEditor.getState().edges });
      const created = await sweepsApi.create(
        sweepRequest({
          design: Number(id),
          dataset: Number(dataset.id),
          target: choice?.target ?? null,
          features: choice?.features ?? null,
          config,
          space: { ...marksToSpace(saved), ...trainMarks },
          options: sweepOptions,
        }),
      );
      navigate(`/sweeps/${created.id}`);
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
            <ConfigFields config={config} onChange={setConfig} search={search} />
            {searching && (
              <fieldset className="sweep-box" data-testid="train-sweep">
                <legend>Sweep</legend>
                <p className="small muted" data-testid="train-sweep-space">
                  Searches {Object.keys(space).join(", ") || "nothing yet"}
                  {Object.keys(space).length > 0 && ` · grid of ${gridSize(space)} point${gridSize(space) === 1 ? "" : "s"}`}. Every trial is its own run.
                </p>
                <SweepSettings options={sweepOptions} onChange={setSweepOptions} objectives={objectivesFor(config.metrics)} grid={Object.keys(space).length ? gridSize(space) : 0} />
                {blocker && <div className="field-error" data-testid="train-sweep-blocker">{blocker}</div>}
              </fieldset>
            )}
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
              <SweepLink
                disabled={busy || validation?.ok === false}
                prepare={async (): Promise<SweepStartWithMarks | null> => {
                  const id = beforeTrain ? await beforeTrain() : designId;
                  return id ? { design: Number(id), dataset: Number(dataset.id), target: choice?.target ?? null, features: choice?.features ?? null, config, training: trainMarks } : null;
                }}
              />
              {searching && (
                <button type="button" className="btn btn-primary" onClick={() => void startSweep()} disabled={busy || validation?.ok === false || !!blocker} data-testid="train-start-sweep">
                  {busy ? "Starting…" : "Start sweep"}
                </button>
              )}
              <button type="submit" className={searching ? "btn" : "btn btn-primary"} disabled={busy || validation?.ok === false} data-testid="train-submit">
                {busy ? "Starting…" : "Start training"}
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
