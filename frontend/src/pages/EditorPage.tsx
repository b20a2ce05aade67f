import "@xyflow/react/dist/style.css";
import { ReactFlowProvider } from "@xyflow/react";
import { useEffect, useState } from "react";
import { useParams, useSearchParams } from "react-router";
import { loadCatalog } from "../api/catalog";
import { designsApi } from "../api/resources";
import { ErrorBanner } from "../components/ErrorBanner";
import { Canvas } from "../editor/Canvas";
import { Inspector } from "../editor/Inspector";
import { Palette } from "../editor/Palette";
import { useEditor } from "../editor/store";
import { SummaryBar } from "../editor/SummaryBar";
import { resolveTemplate, TEMPLATES } from "../editor/templates";
import { Toolbar } from "../editor/Toolbar";
import { useSaveDesign } from "../editor/useSaveDesign";
import { useShortcuts } from "../editor/useShortcuts";
import { useUnsavedWarning } from "../editor/useUnsavedWarning";
import { useValidation } from "../editor/useValidation";
import { TrainDialog } from "../runs/TrainDialog";

export function EditorPage() {
  return (
    <ReactFlowProvider>
      <Editor />
    </ReactFlowProvider>
  );
}

function Editor() {
  const { id = "new" } = useParams();
  const [search] = useSearchParams();
  const [loadError, setLoadError] = useState<unknown>(null);
  const [training, setTraining] = useState(false);
  const [shownVersion, setShownVersion] = useState<number | null>(null);
  const dirty = useEditor((s) => s.dirty);
  const designId = useEditor((s) => s.designId);
  const { save, duplicate, saving, error: saveError, setError: setSaveError } = useSaveDesign();
  const validationError = useValidation();
  useShortcuts(save);
  useUnsavedWarning(dirty);

  useEffect(() => {
    loadCatalog()
      .then((layers) => useEditor.getState().setCatalog(layers))
      .catch(setLoadError);
  }, []);

  useEffect(() => {
    const ed = useEditor.getState();
    if (id !== "new" && ed.designId === id && !search.get("version")) return; // just saved this one
    setLoadError(null);
    if (id === "new") {
      const template = TEMPLATES.find((t) => t.id === search.get("template"));
      const apply = (available: Set<string>) =>
        ed.load(template ? resolveTemplate(template.graph, available) : { nodes: [], edges: [] }, template ? template.name : "Untitled design", null, !!template);
      apply(new Set());
      if (template) loadCatalog().then((layers) => apply(new Set(layers.map((l) => l.name))), () => undefined);
      return;
    }
    let alive = true;
    const version = Number(search.get("version")) || null;
    designsApi
      .get(id)
      .then(async (d) => {
        if (!alive) return;
        // ?version=N (from a run): that saved version of the graph, on the canvas as unsaved changes.
        const old = version && version !== d.version ? (await designsApi.versions(id)).find((v) => v.version === version) : undefined;
        if (!alive) return;
        useEditor.getState().load(old ? old.graph : d.graph, d.name, String(d.id), !!old);
        if (d.validation && !old) useEditor.getState().setValidation(d.validation, false);
        setShownVersion(old ? version : null);
      })
      .catch((err: unknown) => alive && setLoadError(err));
    return () => {
      alive = false;
    };
  }, [id, search]);

  return (
    <div className="editor" data-testid="editor">
      <Toolbar onSave={save} onDuplicate={duplicate} onTrain={() => setTraining(true)} saving={saving} onError={setSaveError} />
      <div className="editor-banners">
        <ErrorBanner error={loadError} />
        <ErrorBanner error={saveError} onDismiss={() => setSaveError(null)} />
        <ErrorBanner error={validationError} />
        {shownVersion && (
          <div className="banner banner-info" data-testid="version-banner">
            <span>Showing version {shownVersion} of this design (the one a run trained). Save to make it the current version.</span>
            <button className="btn-icon" onClick={() => setShownVersion(null)} aria-label="Dismiss">
              ×
            </button>
          </div>
        )}
      </div>
      <div className="editor-main">
        <Palette />
        <Canvas />
        <Inspector />
      </div>
      <SummaryBar />
      {training && <TrainDialog designId={designId} onClose={() => setTraining(false)} beforeTrain={dirty ? save : undefined} />}
    </div>
  );
}
