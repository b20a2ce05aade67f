// Keras model JSON (model.to_json(), or the model_config of a Keras .h5) → our graph JSON (pure).
// Understands Sequential and Functional models from Keras 2 and Keras 3. Parameters are kept where the
// engine's catalog knows them; anything else takes the layer's default.
import type { Graph, GraphEdge, GraphNode, LayerSpec, Params } from "../api/types";

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

export class KerasImportError extends Error {}

function snake(name: string): string {
  return name.replace(/(.)([A-Z][a-z]+)/g, "$1_$2").replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

function isPlain(v: unknown): boolean {
  if (v === null || ["number", "string", "boolean"].includes(typeof v)) return true;
  return Array.isArray(v) && v.every((x) => x === null || typeof x === "number");
}

/** The catalog's params found in a Keras layer config. */
export function keepParams(layer: string, config: Json, catalog: Map<string, LayerSpec>): Params {
  const spec = catalog.get(layer);
  const out: Params = {};
  if (!spec) return out;
  for (const p of spec.params) {
    let v = config[p.name];
    if (v === undefined) continue;
    // Keras 3 serializes initializers etc. as {"class_name": "GlorotUniform", ...}.
    if (isObj(v) && typeof v.class_name === "string" && p.type === "choice") v = snake(v.class_name);
    if (!isPlain(v)) continue;
    if (p.type === "choice" && p.choices && (typeof v !== "string" || !p.choices.includes(v))) continue;
    if (v === null && p.required) continue;
    if (v !== null && p.default !== undefined && JSON.stringify(v) === JSON.stringify(p.default)) continue;
    out[p.name] = v;
  }
  return out;
}

function inputShape(config: Json): (number | null)[] | null {
  const shape = (config.batch_shape ?? config.batch_input_shape) as (number | null)[] | undefined;
  if (Array.isArray(shape)) return shape.slice(1);
  if (Array.isArray(config.shape)) return config.shape as (number | null)[];
  return null;
}

function inputNode(id: string, shape: (number | null)[]): GraphNode {
  return { id, layer: "Input", params: { shape } };
}

function modelConfig(json: unknown): { className: string; config: unknown } {
  let root = json;
  if (typeof root === "string") root = JSON.parse(root);
  if (isObj(root) && root.model_config !== undefined) root = typeof root.model_config === "string" ? JSON.parse(root.model_config) : root.model_config;
  if (!isObj(root) || typeof root.class_name !== "string") throw new KerasImportError("This is not a Keras model config (no “class_name”).");
  return { className: root.class_name, config: root.config };
}

function fromSequential(config: unknown, catalog: Map<string, LayerSpec>): Graph {
  const layers = (Array.isArray(config) ? config : isObj(config) ? config.layers : null) as Json[] | null;
  if (!Array.isArray(layers)) throw new KerasImportError("The Sequential model has no layer list.");
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const add = (node: GraphNode) => {
    if (nodes.length) edges.push({ source: nodes[nodes.length - 1].id, target: node.id });
    nodes.push(node);
  };
  const build = isObj(config) && Array.isArray(config.build_input_shape) ? (config.build_input_shape as (number | null)[]).slice(1) : null;
  layers.forEach((l, i) => {
    const cfg = (isObj(l.config) ? l.config : {}) as Json;
    const name = String(cfg.name ?? `${snake(String(l.class_name))}_${i}`);
    if (l.class_name === "InputLayer") return add(inputNode(name, inputShape(cfg) ?? []));
    if (!nodes.length) {
      const shape = inputShape(cfg) ?? build;
      if (!shape) throw new KerasImportError("The model does not say its input shape.");
      add(inputNode("input", shape));
    }
    add({ id: name, layer: String(l.class_name), params: keepParams(String(l.class_name), cfg, catalog) });
  });
  return { nodes, edges };
}

/** Source (layer name, call index) pairs of one Keras inbound node, in argument order. */
function callSources(inbound: unknown): [string, number][] {
  if (Array.isArray(inbound)) {
    // Keras 2: [["dense", 0, 0, {}], ...]
    return inbound.filter(Array.isArray).map((t) => [String(t[0]), Number(t[1] ?? 0)]);
  }
  // Keras 3: {"args": [...], "kwargs": {...}} with tensors {"class_name": "__keras_tensor__", "config": {"keras_history": [name, node, tensor]}}
  const out: [string, number][] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObj(v)) {
      const hist = isObj(v.config) ? v.config.keras_history : undefined;
      if (v.class_name === "__keras_tensor__" && Array.isArray(hist)) out.push([String(hist[0]), Number(hist[1] ?? 0)]);
      else Object.values(v).forEach(walk);
    }
  };
  if (isObj(inbound)) walk(inbound.args);
  return out;
}

function fromFunctional(config: unknown, catalog: Map<string, LayerSpec>): Graph {
  if (!isObj(config) || !Array.isArray(config.layers)) throw new KerasImportError("The functional model has no layer list.");
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const idOf = (name: string, call: number) => (call === 0 ? name : `${name}_call${call}`);
  for (const l of config.layers as Json[]) {
    const cfg = (isObj(l.config) ? l.config : {}) as Json;
    const name = String(l.name ?? cfg.name);
    const cls = String(l.class_name);
    if (cls === "InputLayer") {
      nodes.push(inputNode(name, inputShape(cfg) ?? []));
      continue;
    }
    const calls = Array.isArray(l.inbound_nodes) ? l.inbound_nodes : [];
    const params = keepParams(cls, cfg, catalog);
    calls.forEach((inbound, k) => {
      const id = idOf(name, k);
      nodes.push(k === 0 ? { id, layer: cls, params } : { id, layer: cls, params: { ...params }, shared_with: name });
      const sources = callSources(inbound);
      sources.forEach(([src, call], i) => edges.push(sources.length > 1 ? { source: idOf(src, call), target: id, target_index: i } : { source: idOf(src, call), target: id }));
    });
  }
  return { nodes, edges };
}

export function fromKerasConfig(json: unknown, catalog: Map<string, LayerSpec>): Graph {
  const { className, config } = modelConfig(json);
  if (className === "Sequential") return fromSequential(config, catalog);
  if (className === "Functional" || className === "Model") return fromFunctional(config, catalog);
  throw new KerasImportError(`Cannot import a “${className}” model; Sequential and Functional models can be imported.`);
}

/** Our own graph JSON, a design ({graph}), or a Keras model config. */
export function graphFromFile(json: unknown, catalog: Map<string, LayerSpec>): Graph {
  if (isObj(json)) {
    const g = (isObj(json.graph) ? json.graph : json) as Json;
    if (Array.isArray(g.nodes) && Array.isArray(g.edges)) return g as unknown as Graph;
  }
  return fromKerasConfig(json, catalog);
}
