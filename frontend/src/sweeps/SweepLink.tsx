import { useState } from "react";
import { useNavigate } from "react-router";
import type { SweepStart } from "./types";

/** The train dialog's "Sweep…" button: saves the design (via `prepare`) and opens the sweep form. */
export function SweepLink({ prepare, disabled }: { prepare: () => Promise<SweepStart | null>; disabled?: boolean }) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    try {
      const start = await prepare();
      if (start) navigate(`/sweeps/new?design=${start.design}`, { state: start });
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" className="btn" onClick={() => void go()} disabled={disabled || busy} data-testid="open-sweep" title="Search hyper-parameters over several runs">
      Sweep…
    </button>
  );
}
