// Editor state in one small zustand store: the graph, its undo history, catalog and validation.
import { applyEdgeChanges, applyNodeChanges, type Connection, type EdgeChange, type NodeChange } from "@xyflow/react";
import { create } from "zustand";
import type { Fix, Graph, LayerSpec, Params, Validation } from "../api/types";
import { addSharedUse, applyFix, connect, copySelection, pasteClip, removeNodes, type Clip } from "./edits";
import { createsCycle, fromGraph, makeNode, nextNodeId, toGraph } from "./graph";
import { emptyHistory, record, redo, undo, type History } from "./history";
import { layeredLayout } from "./layout";
import { defaultParams } from "./paramForm";
import { setMark } from "./searchMarks";
import type { ParamSpecJson } from "../sweeps/types";
import type { FlowEdge, GraphState, LayerFlowNode } from "./types";

export interface EditorState extends GraphState {
  designId: string | null;
  name: string;
  catalog: Map<string, LayerSpec>;
  validation: Validation | null;
  validating: boolean;
  /** Bumped on every change that can change validation (not on moves or selection). */
  graphRev: number;
  dirty: boolean;
  history: History<GraphState>;
  clipboard: Clip | null;
  /** Set when a change should bring the view to fit (load, layout). */
  fitRequest: number;

  load: (graph: Graph, name: string, designId: string | null, dirty?: boolean) => void;
  setCatalog: (layers: LayerSpec[]) => void;
  setName: (name: string) => void;
  setValidation: (v: Validation | null, validating: boolean) => void;
  markSaved: (designId: string, name: string) => void;

  onNodesChange: (changes: NodeChange<LayerFlowNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<FlowEdge>[]) => void;
  onConnect: (c: Connection) => void;
  isValidConnection: (c: { source: string | null; target: string | null }) => boolean;
  beginDrag: () => void;

  addLayer: (layer: string, position: { x: number; y: number }) => string;
  updateParam: (id: string, name: string, value: unknown) => void;
  /** Marks `name` of node `id` (its owner, for a shared copy) as searched with `spec`; undefined clears it. */
  setSearch: (id: string, name: string, spec: ParamSpecJson | undefined) => void;
  applyFix: (fix: Fix) => string | null;
  shareLayer: (id: string) => void;
  select: (ids: string[]) => void;
  deleteSelected: () => void;
  copy: () => void;
  paste: () => void;
  undo: () => void;
  redo: () => void;
  autoLayout: () => void;
}

const snapshot = (s: GraphState): GraphState => ({
  nodes: s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
  edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
});

export const useEditor = create<EditorState>()((set, get) => {
  /** Applies a graph change, recording the previous state for undo. */
  const change = (next: GraphState, tag: string | null = null, structural = true) =>
    set((s) => ({
      nodes: next.nodes,
      edges: next.edges,
      history: record(s.history, snapshot(s), tag),
      dirty: true,
      graphRev: structural ? s.graphRev + 1 : s.graphRev,
    }));

  const isMerge = (id: string) => get().catalog.get(get().nodes.find((n) => n.id === id)?.data.layer ?? "")?.inputs === "many";

  return {
    designId: null,
    name: "Untitled design",
    nodes: [],
    edges: [],
    catalog: new Map(),
    validation: null,
    validating: false,
    graphRev: 0,
    dirty: false,
    history: emptyHistory(),
    clipboard: null,
    fitRequest: 0,

    load: (graph, name, designId, dirty = false) => {
      const state = fromGraph(graph);
      set((s) => ({ ...state, name, designId, dirty, history: emptyHistory(), validation: null, graphRev: s.graphRev + 1, fitRequest: s.fitRequest + 1 }));
    },
    setCatalog: (layers) => set({ catalog: new Map(layers.map((l) => [l.name, l])) }),
    setName: (name) => set({ name, dirty: true }),
    setValidation: (validation, validating) => set({ validation, validating }),
    markSaved: (designId, name) => set({ designId, name, dirty: false }),

    onNodesChange: (changes) => {
      const removes = changes.filter((c) => c.type === "remove");
      if (removes.length) {
        change(removeNodes(get(), new Set(removes.map((c) => c.id))));
        return;
      }
      const moved = changes.some((c) => c.type === "position" && c.dragging === false);
      set((s) => ({ nodes: applyNodeChanges(changes, s.nodes), dirty: s.dirty || moved }));
    },
    onEdgesChange: (changes) => {
      const removes = changes.filter((c) => c.type === "remove");
      if (removes.length) change({ nodes: get().nodes, edges: applyEdgeChanges(changes, get().edges) });
      else set((s) => ({ edges: applyEdgeChanges(changes, s.edges) }));
    },
    onConnect: (c) => {
      if (!c.source || !c.target || !get().isValidConnection(c)) return;
      change(connect(get(), c.source, c.target, c.targetHandle, isMerge(c.target)));
    },
    isValidConnection: (c) => !!c.source && !!c.target && !createsCycle(get().edges, c.source, c.target),
    beginDrag: () => set((s) => ({ history: record(s.history, snapshot(s), null) })),

    addLayer: (layer, position) => {
      const spec = get().catalog.get(layer);
      const id = nextNodeId(layer, get().nodes.map((n) => n.id));
      const node = { ...makeNode(id, layer, spec ? defaultParams(spec) : {}, position), selected: true };
      const nodes = get().nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
      change({ nodes: [...nodes, node], edges: get().edges });
      return id;
    },
    updateParam: (id, name, value) => {
      const target = get().nodes.find((n) => n.id === id);
      if (!target) return;
      const root = target.data.sharedWith ?? id;
      // A shared layer is one object: its params change everywhere it is used.
      const nodes = get().nodes.map((n) => {
        if (n.id !== root && n.data.sharedWith !== root) return n;
        const params: Params = { ...n.data.params };
        if (value === undefined) delete params[name];
        else params[name] = value;
        return { ...n, data: { ...n.data, params } };
      });
      change({ nodes, edges: get().edges }, `param:${id}:${name}`);
    },
    setSearch: (id, name, spec) => {
      // Marks do not change the model, so validation is not re-run (structural = false). Typing into a
      // mark coalesces into one undo step; removing it is a step of its own.
      change({ nodes: setMark(get().nodes, id, name, spec), edges: get().edges }, spec ? `search:${id}:${name}` : null, false);
    },
    applyFix: (fix) => {
      const res = applyFix(get(), fix);
      if (!res) return null;
      change({ ...res.state, nodes: res.state.nodes.map((n) => ({ ...n, selected: n.id === res.added })) });
      return res.added;
    },
    shareLayer: (id) => {
      const res = addSharedUse(get(), id);
      if (res) change({ ...res.state, nodes: res.state.nodes.map((n) => ({ ...n, selected: n.id === res.added })) });
    },
    select: (ids) => {
      const want = new Set(ids);
      set((s) => ({ nodes: s.nodes.map((n) => ({ ...n, selected: want.has(n.id) })), edges: s.edges.map((e) => ({ ...e, selected: false })) }));
    },
    deleteSelected: () => {
      const s = get();
      const ids = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
      const edgeIds = new Set(s.edges.filter((e) => e.selected).map((e) => e.id));
      if (!ids.size && !edgeIds.size) return;
      const next = removeNodes(s, ids);
      change({ nodes: next.nodes, edges: next.edges.filter((e) => !edgeIds.has(e.id)) });
    },
    copy: () => {
      const s = get();
      const ids = new Set(s.nodes.filter((n) => n.selected).map((n) => n.id));
      if (ids.size) set({ clipboard: copySelection(s, ids) });
    },
    paste: () => {
      const clip = get().clipboard;
      if (!clip) return;
      const { state } = pasteClip(get(), clip);
      change(state);
      // Paste again → offset again.
      set({ clipboard: { ...clip, nodes: clip.nodes.map((n) => ({ ...n, position: { x: n.position.x + 40, y: n.position.y + 40 } })) } });
    },
    undo: () => {
      const res = undo(get().history, snapshot(get()));
      if (res) set((s) => ({ ...res.state, history: res.history, dirty: true, graphRev: s.graphRev + 1 }));
    },
    redo: () => {
      const res = redo(get().history, snapshot(get()));
      if (res) set((s) => ({ ...res.state, history: res.history, dirty: true, graphRev: s.graphRev + 1 }));
    },
    autoLayout: () => {
      change(layeredLayout(get()), null, false);
      set((s) => ({ fitRequest: s.fitRequest + 1 }));
    },
  };
});

export const graphOf = (s: GraphState): Graph => toGraph(s);
