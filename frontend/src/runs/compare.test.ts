import { describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { metricKeys, overlay } from "./compare";

const r = (id: number, losses: number[]): Run => ({
  id, status: "succeeded", design: 1, dataset: 1,
  epochs: losses.map((loss, i) => ({ epoch: i + 1, logs: { loss, val_loss: loss + 1, accuracy: 0.5 } })),
});

describe("compare runs", () => {
  it("lists metric keys loss first", () => {
    expect(metricKeys([r(1, [1])])).toEqual(["loss", "val_loss", "accuracy"]);
  });
  it("aligns runs of different lengths on one epoch axis", () => {
    const o = overlay([r(1, [3, 2, 1]), r(2, [5, 4])], "loss");
    expect(o.x).toEqual([1, 2, 3]);
    expect(o.series.map((s) => s.values)).toEqual([[3, 2, 1], [5, 4, null]]);
  });
});
