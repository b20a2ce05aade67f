import type { HealthPart } from "../api/types";

function describe(part: HealthPart | undefined): string {
  if (!part) return "checking…";
  const extra = Object.entries(part)
    .filter(([k, v]) => k !== "ok" && v !== null && v !== undefined && typeof v !== "object")
    .map(([k, v]) => (k === "device" ? String(v).toUpperCase() : `${k}: ${String(v)}`));
  return extra.join(" · ") || (part.ok ? "ok" : "down");
}

export function HealthCard({ name, part }: { name: string; part: HealthPart | undefined }) {
  const ok = part?.ok === true;
  return (
    <div
      className={`health-card ${part ? (ok ? "ok" : "bad") : "pending"}`}
      data-testid={`health-${name}`}
      data-ok={part ? String(ok) : "false"}
    >
      <div className="health-name">
        <span className={`dot ${part ? (ok ? "dot-open" : "dot-closed") : "dot-connecting"}`} />
        {name}
      </div>
      <div className="health-detail">{describe(part)}</div>
    </div>
  );
}
