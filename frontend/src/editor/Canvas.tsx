import { Background, Controls, MiniMap, ReactFlow, useReactFlow, type Edge } from "@xyflow/react";
import { useCallback, useEffect, useMemo, type DragEvent } from "react";
import { formatShape } from "./format";
import { LayerNode } from "./LayerNode";
import { useEditor } from "./store";
import { EmptyCanvas } from "./EmptyCanvas";

// Module scope: React Flow must not see a new object per render.
const nodeTypes = { layer: LayerNode };
export const DRAG_MIME = "application/x-modelbuilder-layer";

export function Canvas() {
  const nodes = useEditor((s) => s.nodes);
  const edges = useEditor((s) => s.edges);
  const shapes = useEditor((s) => s.validation?.shapes);
  const errorNodes = useEditor((s) => s.validation?.errors);
  const fitRequest = useEditor((s) => s.fitRequest);
  const { onNodesChange, onEdgesChange, onConnect, isValidConnection, beginDrag, addLayer } = useEditor.getState();
  const { screenToFlowPosition, fitView } = useReactFlow();

  useEffect(() => {
    if (fitRequest) requestAnimationFrame(() => fitView({ padding: 0.2, maxZoom: 1.2, duration: 200 }));
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
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.2 }}
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={16} size={1} />
        <Controls showInteractive={false} />
        <MiniMap pannable zoomable nodeStrokeWidth={3} data-testid="minimap" />
      </ReactFlow>
      {nodes.length === 0 && <EmptyCanvas />}
    </div>
  );
}
