import { beforeEach, describe, expect, it } from "vitest";
import type { LayerSpec } from "../api/types";
import { graphOf, useEditor } from "./store";

const catalog: LayerSpec[] = [
  { name: "Input", group: "input", inputs: 0, params: [{ name: "shape", type: "shape", default: null, required: true }] },
  { name: "Dense", group: "core", inputs: 1, params: [{ name: "units", type: "int", default: null, required: true, min: 1 }] },
  { name: "Add", group: "merge", inputs: "many", params: [] },
];

const ed = () => useEditor.getState();

describe("editor store", () => {
  beforeEach(() => {
    ed().setCatalog(catalog);
    ed().load({ nodes: [], edges: [] }, "t", null);
  });

  it("adds, connects, edits and undoes/redoes", () => {
    const a = ed().addLayer("Input", { x: 0, y: 0 });
    const b = ed().addLayer("Dense", { x: 0, y: 100 });
    expect([a, b]).toEqual(["input", "dense"]);
    expect(ed().nodes.find((n) => n.id === "dense")!.data.params).toEqual({ units: 32 });
    ed().onConnect({ source: a, target: b, sourceHandle: "out", targetHandle: "in-0" });
    ed().updateParam(b, "units", 8);
    ed().updateParam(b, "units", 16); // coalesced with the previous edit
    expect(graphOf(ed()).nodes[1].params).toEqual({ units: 16 });
    ed().undo();
    expect(graphOf(ed()).nodes[1].params).toEqual({ units: 32 });
    expect(graphOf(ed()).edges).toHaveLength(1);
    ed().undo();
    expect(graphOf(ed()).edges).toHaveLength(0);
    ed().redo();
    ed().redo();
    expect(graphOf(ed()).nodes[1].params).toEqual({ units: 16 });
    expect(ed().dirty).toBe(true);
  });

  it("refuses cycles", () => {
    const a = ed().addLayer("Dense", { x: 0, y: 0 });
    const b = ed().addLayer("Dense", { x: 0, y: 0 });
    ed().onConnect({ source: a, target: b, sourceHandle: null, targetHandle: null });
    ed().onConnect({ source: b, target: a, sourceHandle: null, targetHandle: null });
    expect(graphOf(ed()).edges).toEqual([{ source: a, target: b }]);
  });

  it("deletes the selection, copies and pastes", () => {
    const a = ed().addLayer("Input", { x: 0, y: 0 });
    const b = ed().addLayer("Dense", { x: 0, y: 100 });
    ed().onConnect({ source: a, target: b, sourceHandle: null, targetHandle: null });
    ed().select([a, b]);
    ed().copy();
    ed().paste();
    expect(ed().nodes.map((n) => n.id)).toEqual(["input", "dense", "input_1", "dense_1"]);
    expect(graphOf(ed()).edges).toHaveLength(2);
    ed().select(["dense_1"]);
    ed().deleteSelected();
    expect(ed().nodes).toHaveLength(3);
    expect(graphOf(ed()).edges).toHaveLength(1);
  });

  it("applies a fix and keeps shared params in sync", () => {
    ed().load(
      {
        nodes: [
          { id: "in", layer: "Input", params: { shape: [4] }, position: { x: 0, y: 0 } },
          { id: "d", layer: "Dense", params: { units: 4 }, position: { x: 0, y: 100 } },
        ],
        edges: [{ source: "in", target: "d" }],
      },
      "t",
      "1",
    );
    expect(ed().applyFix({ action: "insert", layer: "Dense", params: { units: 2 }, before: "d" })).toBe("dense");
    ed().shareLayer("d");
    ed().updateParam("d", "units", 9);
    expect(graphOf(ed()).nodes.filter((n) => n.layer === "Dense" && n.id !== "dense").map((n) => n.params.units)).toEqual([9, 9]);
  });
});
