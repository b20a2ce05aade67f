import { formatBytes, formatCount } from "./format";
import { useEditor } from "./store";

export function SummaryBar() {
  const v = useEditor((s) => s.validation);
  const validating = useEditor((s) => s.validating);
  const count = useEditor((s) => s.nodes.length);
  const dirty = useEditor((s) => s.dirty);
  const saved = useEditor((s) => s.designId !== null);
  const errors = v?.errors.length ?? 0;
  const warnings = v?.warnings?.length ?? 0;
  const status = count === 0 ? "empty" : validating && !v ? "checking" : !v ? "unknown" : v.ok ? "ok" : "error";
  return (
    <footer className="summary-bar" data-testid="summary-bar" data-status={status} data-validating={String(validating)}>
      <span className={`summary-status status-${status}`} data-testid="summary-status">
        {status === "ok" && "✓ Valid model"}
        {status === "error" && `✕ ${errors} problem${errors === 1 ? "" : "s"}`}
        {status === "checking" && "Checking…"}
        {status === "empty" && "Empty design"}
        {status === "unknown" && "Not validated"}
      </span>
      {warnings > 0 && (
        <span className="status-warn" data-testid="summary-warnings">
          ⚠ {warnings} warning{warnings === 1 ? "" : "s"}
        </span>
      )}
      {validating && v && <span className="muted small">checking…</span>}
      <span>
        <span className="muted">Layers</span> {count}
      </span>
      <span>
        <span className="muted">Parameters</span> <strong data-testid="summary-params">{formatCount(v?.total_params)}</strong>
      </span>
      <span title="Weights plus activations for one sample, float32">
        <span className="muted">Memory</span> <strong data-testid="summary-memory">{formatBytes(v?.memory_bytes)}</strong>
      </span>
      <span className="spacer" />
      <span className={dirty ? "unsaved" : "muted"} data-testid="save-state">
        {dirty ? "● Unsaved changes" : saved ? "Saved" : "Not saved yet"}
      </span>
    </footer>
  );
}
