import { useState } from "react";
import { runsApi } from "../api/resources";
import type { ModelUsage, Prediction } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { formRow, initialValues, parseCsvRows, predictionText, rankedProbabilities, type FormValues } from "./tryModel";

/** "Try it": one input per feature (or pasted CSV rows) → POST /predict → label with a bar per class, or a value. */
export function TryModel({ runId, usage }: { runId: number | string; usage: ModelUsage }) {
  const [mode, setMode] = useState<"form" | "csv">("form");
  const [values, setValues] = useState<FormValues>(() => initialValues(usage));
  const [csv, setCsv] = useState("");
  const [predictions, setPredictions] = useState<Prediction[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (usage.format !== "csv")
    return <p className="muted" data-testid="try-model-unavailable">Trying the model here needs a CSV dataset; use the download for array data.</p>;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    let rows: Record<string, unknown>[];
    if (mode === "form") rows = [formRow(usage, values)];
    else {
      const parsed = parseCsvRows(csv, usage.features.map((f) => f.name));
      if (parsed.error) {
        setError(new Error(parsed.error));
        return;
      }
      rows = parsed.rows;
    }
    setBusy(true);
    try {
      setPredictions((await runsApi.predict(runId, rows)).predictions);
    } catch (err) {
      setPredictions(null);
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="card try-model" data-testid="try-model">
      <div className="page-header">
        <h2>Try it</h2>
        <span className="spacer" />
        <button type="button" className={`btn btn-small${mode === "form" ? " btn-primary" : ""}`} onClick={() => setMode("form")} data-testid="try-mode-form">
          One row
        </button>
        <button type="button" className={`btn btn-small${mode === "csv" ? " btn-primary" : ""}`} onClick={() => setMode("csv")} data-testid="try-mode-csv">
          Paste CSV
        </button>
      </div>
      <p className="muted small">
        Raw values, as in the dataset: categorical features are one-hot encoded for you
        {usage.standardized ? "; numeric ones are standardised with the training statistics" : ""}.
      </p>
      <form onSubmit={submit}>
        {mode === "form" ? (
          <div className="form-grid">
            {usage.features.map((f) => (
              <label key={f.name} className="field">
                <span className="field-label">{f.name}</span>
                {f.kind === "categorical" ? (
                  <select value={values[f.name]} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} data-testid={`try-field-${f.name}`}>
                    {f.labels.map((l) => (
                      <option key={l} value={l}>
                        {l}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input type="number" step="any" required value={values[f.name]} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} data-testid={`try-field-${f.name}`} />
                )}
              </label>
            ))}
          </div>
        ) : (
          <label className="field">
            <span className="field-label">CSV with a header line (up to 1000 rows)</span>
            <textarea rows={6} value={csv} onChange={(e) => setCsv(e.target.value)} placeholder={usage.features.map((f) => f.name).join(",")} data-testid="try-csv" style={{ width: "100%", fontFamily: "monospace" }} />
          </label>
        )}
        <div className="form-actions">
          <button className="btn btn-primary" type="submit" disabled={busy} data-testid="try-predict">
            {busy ? "Predicting…" : "Predict"}
          </button>
        </div>
      </form>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      {predictions && (
        <div data-testid="try-results">
          {predictions.map((p, i) => (
            <div key={i} className="try-result" data-testid="try-result">
              <div>
                {predictions.length > 1 && <span className="muted small">row {i + 1}: </span>}
                <strong data-testid="try-prediction">{predictionText(p)}</strong>
              </div>
              {rankedProbabilities(p).map(([label, prob]) => (
                <div key={label} className="prob-row" data-testid="try-probability" data-label={label} data-value={prob}>
                  <span className="prob-label small">{label}</span>
                  <span className="prob-bar">
                    <span style={{ width: `${Math.max(0, Math.min(1, prob)) * 100}%` }} />
                  </span>
                  <span className="small num">{(prob * 100).toFixed(1)}%</span>
                </div>
              ))}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
