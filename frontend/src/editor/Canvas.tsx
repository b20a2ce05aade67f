import { Background, Controls, MiniMap, ReactFlow, useReactFlow, type Edge } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, type DragEvent } from "react";
import { formatShape } from "./format";
import { LayerNode } from "./LayerNode";
import { useEditor } from "./store";
import { EmptyCanvas } from "./EmptyCanvas";
import type { LayerFlowNode } from "./types";

// Module scope: React Flow must not see a new object per render.
const nodeTypes = { layer: LayerNode };
export const DRAG_MIME = "application/x-modelbuilder-layer";

const GROUP_COLORS: Record<string, string> = {
  input: "#7dd3fc", core: "#93c5fd", convolution: "#c4b5fd", pooling: "#d8b4fe", normalization: "#5eead4",
  regularization: "#cbd5e1", recurrent: "#fdba74", merge: "#f9a8d4", reshaping: "#fde68a", embedding: "#86efac",
};
const miniMapColor = (n: LayerFlowNode) => GROUP_COLORS[useEditor.getState().catalog.get(n.data.layer)?.group ?? ""] ?? "#e5e7eb";

export function Canvas() {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const shapes = useEditor((s) => s.validation?.shapes);
  const errorNodes = useEditor((s) => s.validation?.errors);
  const fitRequest = useEditor((s) => s.fitRequest);
  const { onNodesChange, onEdgesChange, onConnect, isValidConnection, beginDrag, addLayer } = useEditor.getState();
  const { screenToFlowPosition, fitView } = useReactFlow();

  // Fit once per request (load, auto-layout); fitView's identity changes with the nodes.
  const fitted = useRef(0);
  useEffect(() => {
    if (fitRequest === fitted.current) return;
    fitted.current = fitRequest;
    // React Flow queues a fit asked for with no nodes and applies it to the first drop: don't ask.
    if (useEditor.getState().nodes.length === 0) return;
    requestAnimationFrame(() => fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 }));
  }, [fitRequest, fitView]);

  // Edges carry the shape flowing through them; edges into a failing node turn red.
  const shownEdges: Edge[] = useMemo(() => {
    const bad = new Set((errorNodes ?? []).map((e) => e.node));
    return edges.map((e) => ({
      ...e,
      label: formatShape(shapes?.[e.source]) || undefined,
      className: bad.has(e.target) ? "edge-error" : undefined,
    }));
  }, [edges, shapes, errorNodes]);

  const onDragOver = useCallback((ev: DragEvent) => {
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "copy";
  }, []);
  const onDrop = useCallback(
    (ev: DragEvent) => {
      ev.preventDefault();
      const layer = ev.dataTransfer.getData(DRAG_MIME) || ev.dataTransfer.getData("text/plain");
      if (!layer) return;
      const p = screenToFlowPosition({ x: ev.clientX, y: ev.clientY });
      addLayer(layer, { x: p.x - 90, y: p.y - 25 });
    },
    [screenToFlowPosition, addLayer],
  );

  return (
    <div className="canvas" data-testid="canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow
        nodes={nodes}
        edges={shownEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={(c) => isValidConnection(c)}
        onNodeDragStart={beginDrag}
        deleteKeyCode={null}
        multiSelectionKeyCode={["Shift", "Meta", "Control"]}
        defaultEdgeOptions={{ type: "smoothstep" }}
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} size={1} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable nodeColor={miniMapColor} nodeStrokeWidth={3} data-testid="minimap" />
      </ReactFlow>
      {nodes.length === 0 && <EmptyCanvas />}
    </div>
  );
}
