import type { Edge, Node } from "@xyflow/react";
import type { Params } from "../api/types";
import type { ParamSpecJson } from "../sweeps/types";

export interface LayerNodeData extends Record<string, unknown> {
  layer: string;
  params: Params;
  /** Id of the node whose layer object (and weights) this node reuses. */
  sharedWith?: string;
  /** Search marks (graph JSON `search`): param name → sweep spec; only on nodes that own their layer. */
  search?: Record<string, ParamSpecJson>;
}

export type LayerFlowNode = Node<LayerNodeData, "layer">;
export type FlowEdge = Edge;

/** The part of the editor state that undo/redo and saving care about. */
export interface GraphState {
  nodes: LayerFlowNode[];
  edges: FlowEdge[];
}

export const inputHandleId = (k: number) => `in-${k}`;
export const OUTPUT_HANDLE = "out";

/** "in-3" → 3; anything else → 0. */
export function handleIndex(handle: string | null | undefined): number {
  const m = /^in-(\d+)$/.exec(handle ?? "");
  return m ? Number(m[1]) : 0;
}
