import { useReactFlow } from "@xyflow/react";
import { useRef } from "react";
import { Link } from "react-router";
import { designsApi } from "../api/resources";
import { downloadText, slug } from "./download";
import { toGraph } from "./graph";
import { graphFromFile } from "./kerasImport";
import { toKerasScript } from "./kerasScript";
import { useEditor } from "./store";
import { VersionsMenu } from "./VersionsMenu";

interface Props {
  onSave: () => void;
  onDuplicate: () => void;
  onTrain: () => void;
  saving: boolean;
  onError: (err: unknown) => void;
}

export function Toolbar({ onSave, onDuplicate, onTrain, saving, onError }: Props) {
  const name = useEditor((s) => s.name);
  const designId = useEditor((s) => s.designId);
  const canUndo = useEditor((s) => s.history.past.length > 0);
  const canRedo = useEditor((s) => s.history.future.length > 0);
  const valid = useEditor((s) => s.validation?.ok === true);
  const { setName, undo, redo, autoLayout, load } = useEditor.getState();
  const { fitView } = useReactFlow();
  const fileRef = useRef<HTMLInputElement>(null);

  const exportPy = () => downloadText(`${slug(name)}.py`, toKerasScript(toGraph(useEditor.getState()), slug(name)), "text/x-python");
  const exportJson = () => downloadText(`${slug(name)}.json`, JSON.stringify(toGraph(useEditor.getState()), null, 2), "application/json");
  const importFile = async (file: File) => {
    try {
      if (/\.keras$/i.test(file.name))
        throw new Error("A .keras (zip) file cannot be imported: save the model as .h5 or export model.to_json().");
      const json = /\.(h5|hdf5)$/i.test(file.name) ? await designsApi.importH5(file) : JSON.parse(await file.text());
      const graph = graphFromFile(json, useEditor.getState().catalog);
      load(graph, useEditor.getState().name, useEditor.getState().designId, true);
    } catch (err) {
      onError(err instanceof SyntaxError ? new Error(`Cannot read ${file.name}: it is not JSON.`) : err);
    }
  };

  return (
    <div className="toolbar" data-testid="editor-toolbar">
      <input className="design-name" value={name} onChange={(e) => setName(e.target.value)} aria-label="Design name" data-testid="design-name" />
      <button className="btn btn-primary" onClick={onSave} disabled={saving} data-testid="save-design" title="Save (Ctrl S)">
        {saving ? "Saving…" : "Save"}
      </button>
      <button className="btn" onClick={onDuplicate} disabled={!designId} title="Save a copy as a new design" data-testid="duplicate-design">
        Duplicate
      </button>
      <VersionsMenu />
      <span className="sep" />
      <button className="btn" onClick={undo} disabled={!canUndo} title="Undo (Ctrl Z)" data-testid="undo">
        ↶
      </button>
      <button className="btn" onClick={redo} disabled={!canRedo} title="Redo (Ctrl Shift Z)" data-testid="redo">
        ↷
      </button>
      <button className="btn" onClick={autoLayout} title="Arrange layers top to bottom" data-testid="auto-layout">
        Auto-layout
      </button>
      <button className="btn" onClick={() => fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 })} title="Zoom to fit" data-testid="zoom-fit">
        Fit
      </button>
      <span className="sep" />
      <button className="btn" onClick={exportPy} title="Download a Keras functional-API script" data-testid="export-keras">
        Export .py
      </button>
      <button className="btn" onClick={exportJson} title="Download the graph JSON" data-testid="export-json">
        Export JSON
      </button>
      <button className="btn" onClick={() => fileRef.current?.click()} title="Load a design JSON, a Keras model JSON config or a Keras .h5 file onto the canvas" data-testid="import-json">
        Import
      </button>
      <input
        ref={fileRef}
        type="file"
        accept=".json,application/json,.h5,.hdf5"
        hidden
        data-testid="import-file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = "";
          if (f) void importFile(f);
        }}
      />
      <span className="spacer" />
      {designId && (
        <Link className="btn" to={`/runs?design=${designId}`} data-testid="design-runs">
          Runs
        </Link>
      )}
      <button
        className="btn btn-primary"
        onClick={onTrain}
        disabled={!valid}
        title={valid ? "Train this design on a dataset" : "Fix the design's problems first"}
        data-testid="open-train"
      >
        Train ▸
      </button>
    </div>
  );
}
