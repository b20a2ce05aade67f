import { formatDuration } from "../lib/format";
import { etaSeconds, fractionDone, isTerminal, totalEpochs, type RunView } from "./runState";

export function RunProgress({ view }: { view: RunView }) {
  const run = view.run;
  if (!run) return null;
  const total = totalEpochs(view);
  const frac = fractionDone(view);
  const eta = etaSeconds(view);
  const p = view.progress;
  const epochNow = p?.epoch ?? view.epochs.length;
  const epochFrac = p?.batches ? p.batch / p.batches : null;
  return (
    <div className="run-progress card" data-testid="run-progress" data-fraction={frac.toFixed(3)}>
      <div className="row gap">
        <strong>
          {run.status === "queued" ? "Waiting for a worker…" : `Epoch ${Math.min(epochNow || 0, total ?? Infinity)}${total ? ` of ${total}` : ""}`}
        </strong>
        {p?.batches && !isTerminal(run.status) && (
          <span className="muted">
            batch {p.batch}/{p.batches}
          </span>
        )}
        {typeof p?.loss === "number" && <span className="muted mono">loss {p.loss.toFixed(4)}</span>}
        <span className="spacer" />
        {eta !== null && <span data-testid="run-eta">ETA {formatDuration(eta)}</span>}
        {run.wall_time ? <span className="muted">took {formatDuration(run.wall_time)}</span> : null}
      </div>
      <div className="progress big">
        <div style={{ width: `${Math.round(frac * 100)}%` }} />
      </div>
      {epochFrac !== null && !isTerminal(run.status) && (
        <div className="progress thin" title="current epoch">
          <div style={{ width: `${Math.round(epochFrac * 100)}%` }} />
        </div>
      )}
    </div>
  );
}
