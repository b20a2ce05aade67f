import type { RunStatus } from "../api/types";

export function StatusBadge({ status, device, queuePosition }: { status: RunStatus | undefined; device?: string | null; queuePosition?: number | null }) {
  if (!status) return null;
  return (
    <span className={`badge badge-${status}`} data-testid="run-status" data-status={status}>
      {status === "running" && <span className="pulse" />}
      {status}
      {status === "queued" && queuePosition ? ` · #${queuePosition} in queue` : ""}
      {device && status !== "queued" ? ` · ${device.toUpperCase()}` : ""}
    </span>
  );
}
