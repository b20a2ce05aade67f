import { useEffect, useRef, useState } from "react";
import { designsApi } from "../api/resources";
import type { DesignVersion } from "../api/types";
import { formatDate } from "../lib/format";
import { useEditor } from "./store";

/** Every saved version of the design; restoring one puts its graph on the canvas (unsaved). */
export function VersionsMenu() {
  const designId = useEditor((s) => s.designId);
  const [open, setOpen] = useState(false);
  const [versions, setVersions] = useState<DesignVersion[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open || !designId) return;
    setVersions(null);
    designsApi.versions(designId).then(setVersions, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, [open, designId]);
  useEffect(() => {
    if (!open) return;
    const close = (ev: MouseEvent) => !box.current?.contains(ev.target as Node) && setOpen(false);
    window.addEventListener("mousedown", close);
    return () => window.removeEventListener("mousedown", close);
  }, [open]);

  const restore = (v: DesignVersion) => {
    const ed = useEditor.getState();
    if (ed.dirty && !window.confirm("Replace the unsaved changes on the canvas with this version?")) return;
    ed.load(v.graph, ed.name, ed.designId, true);
    setOpen(false);
  };

  return (
    <div className="menu" ref={box}>
      <button className="btn" disabled={!designId} onClick={() => setOpen((o) => !o)} title="Saved versions of this design" data-testid="versions">
        History
      </button>
      {open && (
        <div className="menu-popover" data-testid="versions-menu">
          {error && <div className="banner banner-error small">{error}</div>}
          {!versions && !error && <div className="muted pad">Loading…</div>}
          {versions?.map((v) => (
            <button key={v.version} className="menu-item" onClick={() => restore(v)} data-testid={`version-${v.version}`}>
              <strong>v{v.version}</strong> <span className="muted">{formatDate(v.created_at)}</span>{" "}
              <span className={`badge ${v.valid ? "badge-succeeded" : "badge-failed"}`}>{v.valid ? "valid" : "draft"}</span>
              <span className="muted small"> · {v.graph.nodes?.length ?? 0} layers</span>
            </button>
          ))}
          {versions && versions.length === 0 && <div className="muted pad">No saved versions yet.</div>}
        </div>
      )}
    </div>
  );
}
