import { useShallow } from "zustand/react/shallow";
import { formatCount, formatShape } from "./format";
import { fieldsFor } from "./paramForm";
import { ParamField } from "./ParamField";
import { errorsFor, selectedNodes, shapeOf, warningsFor } from "./selectors";
import { useEditor } from "./store";
import { FixButton } from "./FixButton";
import { DesignOverview } from "./DesignOverview";
import { layerCandidate } from "../sweeps/searchSpace";
import { markOwner } from "./searchMarks";

export function Inspector() {
  const selected = useEditor(useShallow(selectedNodes));
  const node = selected.length === 1 ? selected[0] : null;
  return (
    <aside className="inspector" data-testid="inspector">
      {node ? <NodeInspector id={node.id} /> : <DesignOverview count={selected.length} />}
    </aside>
  );
}

function NodeInspector({ id }: { id: string }) {
  const node = useEditor((s) => s.nodes.find((n) => n.id === id)!);
  const spec = useEditor((s) => s.catalog.get(node.data.layer));
  const shape = useEditor((s) => shapeOf(s, id));
  const count = useEditor((s) => s.validation?.params?.[id]);
  const errors = useEditor(useShallow((s) => errorsFor(s, id)));
  const warnings = useEditor(useShallow((s) => warningsFor(s, id)));
  // A shared copy's marks live on the node that owns the layer (the sweep API searches owners only).
  const owner = useEditor((s) => markOwner(s.nodes, id));
  const { updateParam, setSearch, shareLayer, deleteSelected } = useEditor.getState();
  const searchFor = (name: string) => {
    const p = spec?.params.find((x) => x.name === name);
    const candidate = p && owner && node.data.layer !== "Input" ? layerCandidate(owner.id, p, node.data.params[name], spec?.key_params) : null;
    if (!candidate) return undefined;
    return {
      candidate,
      spec: owner?.data.search?.[name],
      // An invalid draft keeps the last valid mark (the field shows the error), like a parameter value.
      onCommit: (next: Parameters<typeof setSearch>[2], error?: string) => !error && setSearch(id, name, next),
    };
  };

  return (
    <div className="inspector-body" data-testid="node-inspector" data-node-id={id}>
      <div className="inspector-head">
        <h3>{node.data.layer}</h3>
        <code>{id}</code>
      </div>
      {spec?.help && <p className="muted small">{spec.help}</p>}
      <dl className="facts">
        <dt>Output shape</dt>
        <dd className="mono" data-testid="inspector-shape">{formatShape(shape) || "–"}</dd>
        <dt>Parameters</dt>
        <dd className="mono">{formatCount(count)}</dd>
      </dl>
      {errors.map((e, i) => (
        <div className="banner banner-error small" key={i}>
          <span>{e.message}</span>
          {e.fix && <FixButton fix={e.fix} />}
        </div>
      ))}
      {warnings.map((w, i) => (
        <div className="banner banner-warn small" key={`w${i}`}>
          <span>{w.message}</span>
          {w.fix && <FixButton fix={w.fix} />}
        </div>
      ))}
      {node.data.sharedWith && (
        <div className="banner banner-info small">Shares its layer and weights with {node.data.sharedWith}; edits apply to both.</div>
      )}
      {!spec && <div className="banner banner-error small">“{node.data.layer}” is not in the engine's layer catalog.</div>}
      <form className="param-form" onSubmit={(e) => e.preventDefault()} key={id}>
        {spec && fieldsFor(spec).map((f) => <ParamField key={f.name} field={f} value={node.data.params[f.name]} onCommit={(v) => updateParam(id, f.name, v)} search={searchFor(f.name)} />)}
        {spec && spec.params.length === 0 && <p className="muted">This layer has no parameters.</p>}
      </form>
      <div className="row gap wrap">
        {node.data.layer !== "Input" && (
          <button className="btn btn-small" onClick={() => shareLayer(id)} title="Add another use of this layer with the same weights">
            Reuse layer (shared weights)
          </button>
        )}
        <button className="btn btn-small btn-danger" onClick={deleteSelected} data-testid="delete-node">
          Delete <span className="kbd">Del</span>
        </button>
      </div>
    </div>
  );
}
