import type { Fix } from "../api/types";
import { useEditor } from "./store";

export function fixLabel(fix: Fix): string | null {
  if (fix.action === "insert" && fix.layer) return `Insert ${fix.layer}`;
  return null;
}

/** One-click fix offered by the validator (e.g. insert Flatten before a Dense). */
export function FixButton({ fix }: { fix: Fix }) {
  const applyFix = useEditor((s) => s.applyFix);
  const label = fixLabel(fix);
  if (!label) return null;
  return (
    <button
      className="btn btn-small btn-fix nodrag"
      data-testid="node-fix"
      onClick={(ev) => {
        ev.stopPropagation();
        applyFix(fix);
      }}
    >
      {label}
    </button>
  );
}
