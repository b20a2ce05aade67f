import { useCallback, useState } from "react";
import { useNavigate } from "react-router";
import { designsApi } from "../api/resources";
import { toGraph } from "./graph";
import { useEditor } from "./store";

/** Save (create or update), and duplicate; errors are returned for the page to show. */
export function useSaveDesign() {
  const navigate = useNavigate();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [savedAt, setSavedAt] = useState<number | null>(null);

  const save = useCallback(async (): Promise<string | null> => {
    const s = useEditor.getState();
    setSaving(true);
    setError(null);
    try {
      const graph = toGraph(s);
      const design = s.designId ? await designsApi.update(s.designId, s.name, graph) : await designsApi.create(s.name, graph);
      const id = String(design.id);
      useEditor.getState().markSaved(id, design.name ?? s.name);
      if (design.validation) useEditor.getState().setValidation(design.validation, false);
      setSavedAt(Date.now());
      // A new design gets its address; a restored old version becomes the current one.
      if (!s.designId || new URLSearchParams(window.location.search).has("version")) navigate(`/designs/${id}`, { replace: true });
      return id;
    } catch (err) {
      setError(err);
      return null;
    } finally {
      setSaving(false);
    }
  }, [navigate]);

  const duplicate = useCallback(async () => {
    const s = useEditor.getState();
    setError(null);
    try {
      const copy = await designsApi.create(`Copy of ${s.name}`, toGraph(s));
      useEditor.getState().markSaved(String(copy.id), copy.name);
      navigate(`/designs/${copy.id}`);
    } catch (err) {
      setError(err);
    }
  }, [navigate]);

  return { save, duplicate, saving, error, setError, savedAt };
}
