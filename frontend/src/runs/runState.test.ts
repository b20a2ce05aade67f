import { describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { etaSeconds, fractionDone, initialView, metricSeries, reduce } from "./runState";

const run = (over: Partial<Run> = {}): Run => ({ id: 1, status: "queued", design: 1, dataset: 1, config: { epochs: 4 }, ...over });

describe("run dashboard state", () => {
  it("starts from the snapshot and appends live epochs without duplicates", () => {
    let v = reduce(initialView, { type: "snapshot", run: run({ status: "running" }), epochs: [{ epoch: 1, logs: { loss: 1 } }] }, 0);
    v = reduce(v, { type: "epoch", epoch: 2, logs: { loss: 0.5 } }, 1000);
    v = reduce(v, { type: "epoch", epoch: 2, logs: { loss: 0.5 } }, 1500);
    expect(v.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(fractionDone(v)).toBe(0.5);
  });

  it("a reconnect snapshot replaces the stored epochs", () => {
    let v = reduce(initialView, { type: "snapshot", run: run(), epochs: [] }, 0);
    v = reduce(v, { type: "epoch", epoch: 1, logs: { loss: 1 } }, 10);
    v = reduce(v, { type: "snapshot", run: run({ status: "running" }), epochs: [{ epoch: 1, logs: { loss: 1 } }, { epoch: 2, logs: { loss: 0.7 } }] }, 20);
    expect(v.epochs).toHaveLength(2);
    expect(v.run!.status).toBe("running");
  });

  it("tracks progress within an epoch, the status and the ETA", () => {
    let v = reduce(initialView, { type: "snapshot", run: run(), epochs: [] }, 0);
    v = reduce(v, { type: "progress", epoch: 1, batch: 5, batches: 10, epochs: 4 }, 1000);
    expect(v.run!.status).toBe("running");
    expect(fractionDone(v)).toBeCloseTo(0.125);
    v = reduce(v, { type: "progress", epoch: 2, batch: 5, batches: 10, epochs: 4 }, 3000);
    expect(fractionDone(v)).toBeCloseTo(0.375);
    // 0.25 of the run in 2 s → the remaining 0.625 takes 5 s
    expect(etaSeconds(v)).toBeCloseTo(5);
    v = reduce(v, { type: "status", status: "succeeded", device: "cpu", final_metrics: { loss: 0.1 } }, 4000);
    expect(v.run!.status).toBe("succeeded");
    expect(v.run!.device).toBe("cpu");
    expect(v.progress).toBeNull();
    expect(etaSeconds(v)).toBeNull();
    expect(fractionDone(v)).toBe(1);
  });

  it("builds train/val series per metric, loss first", () => {
    const s = metricSeries([
      { epoch: 1, logs: { loss: 1, accuracy: 0.5, val_loss: 1.2, val_accuracy: 0.4 } },
      { epoch: 2, logs: { loss: 0.5, accuracy: 0.7, val_loss: null, val_accuracy: 0.6 } },
    ]);
    expect(s.map((m) => m.name)).toEqual(["loss", "accuracy"]);
    expect(s[0]).toEqual({ name: "loss", x: [1, 2], train: [1, 0.5], val: [1.2, null] });
    expect(metricSeries([{ epoch: 1, logs: { mae: 2 } }])[0].val).toBeNull();
  });
});
