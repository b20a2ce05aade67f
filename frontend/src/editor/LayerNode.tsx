// The ONE node component: every layer is drawn from its catalog entry.
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { useShallow } from "zustand/react/shallow";
import { formatCount, formatShape } from "./format";
import { inputHandleCount } from "./graph";
import { keyParamSummary } from "./paramForm";
import { markSummary } from "./searchMarks";
import { errorsFor, shapeOf, warningsFor } from "./selectors";
import { useEditor } from "./store";
import { inputHandleId, OUTPUT_HANDLE, type LayerFlowNode } from "./types";
import { FixButton } from "./FixButton";

function LayerNodeView({ id, data, selected }: NodeProps<LayerFlowNode>) {
  const spec = useEditor((s) => s.catalog.get(data.layer));
  const handles = useEditor((s) => inputHandleCount(spec?.inputs ?? (data.layer === "Input" ? 0 : 1), s.edges, id));
  const errors = useEditor(useShallow((s) => errorsFor(s, id)));
  const warnings = useEditor(useShallow((s) => warningsFor(s, id)));
  const shape = useEditor((s) => shapeOf(s, id));
  const params = useEditor((s) => s.validation?.params?.[id]);
  const unknown = useEditor((s) => s.catalog.size > 0 && !spec);
  const summary = keyParamSummary(spec, data.params);
  // A shared copy is varied with its owner: show the owner's marks on it too.
  const marks = useEditor((s) => (data.sharedWith ? s.nodes.find((n) => n.id === data.sharedWith)?.data.search : data.search));
  const searched = Object.entries(marks ?? {}).map(([param, m]) => markSummary(param, m));
  const hasError = errors.length > 0 || unknown;

  return (
    <div
      className={`layer-node group-${spec?.group ?? "unknown"}${hasError ? " has-error" : warnings.length ? " has-warning" : ""}${selected ? " selected" : ""}`}
      data-testid="layer-node"
      data-node-id={id}
      data-layer={data.layer}
      data-error={hasError ? "true" : "false"}
      title={spec?.help}
    >
      {Array.from({ length: handles }, (_, k) => (
        <Handle
          key={k}
          type="target"
          id={inputHandleId(k)}
          position={Position.Top}
          style={{ left: `${((k + 1) / (handles + 1)) * 100}%` }}
          data-testid={`handle-in-${k}`}
        />
      ))}
      <div className="ln-head">
        <span className="ln-title">{data.layer}</span>
        <span className="ln-id">{id}</span>
      </div>
      {data.sharedWith && <div className="ln-shared">shares weights with {data.sharedWith}</div>}
      {summary.length > 0 && <div className="ln-params">{summary.join(" · ")}</div>}
      {searched.length > 0 && (
        <div className="ln-search" data-testid="node-search-badge" title={`A sweep varies: ${searched.join("; ")}`}>
          <span className="ln-search-tag">search</span> {searched.join(" · ")}
        </div>
      )}
      <div className="ln-foot">
        <span className="ln-shape" data-testid="node-shape">
          {formatShape(shape)}
        </span>
        {params !== undefined && params > 0 && <span className="ln-count">{formatCount(params)} params</span>}
      </div>
      {unknown && !errors.length && <div className="ln-error">Unknown layer “{data.layer}”.</div>}
      {errors.map((e, i) => (
        <div className="ln-error" key={i} data-testid="node-error">
          <span>{e.message}</span>
          {e.fix && <FixButton fix={e.fix} />}
        </div>
      ))}
      {warnings.map((w, i) => (
        <div className="ln-warning" key={`w${i}`} data-testid="node-warning">
          <span>{w.message}</span>
          {w.fix && <FixButton fix={w.fix} />}
        </div>
      ))}
      <Handle type="source" id={OUTPUT_HANDLE} position={Position.Bottom} data-testid="handle-out" />
    </div>
  );
}

export const LayerNode = memo(LayerNodeView);
