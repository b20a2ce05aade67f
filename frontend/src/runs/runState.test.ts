import { describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { etaSeconds, fractionDone, initialView, isTerminal, metricSeries, reduce } from "./runState";

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

  it("a resumed event records where the run resumed and why; the snapshot's row fields do too", () => {
    let v = reduce(initialView, { type: "snapshot", run: run({ status: "queued" }), epochs: [{ epoch: 1, logs: { loss: 1 } }] }, 0);
    expect(v.resumed).toBeNull();
    v = reduce(v, { type: "progress", epoch: 2, batch: 3, batches: 10, epochs: 4 }, 100);
    v = reduce(v, { type: "resumed", epoch: 2, batch: 0, reason: "worker_lost", attempts: 1 }, 200);
    expect(v.resumed).toEqual({ epoch: 2, batch: 0, reason: "worker_lost", attempts: 1 });
    expect(v.run!.status).toBe("running");
    expect(v.run!.resumed_from_epoch).toBe(2);
    expect(v.progress).toBeNull(); // the lost attempt's batch position is gone
    v = reduce(v, { type: "resumed", epoch: 3, reason: "paused" }, 300);
    expect(v.resumed!.reason).toBe("paused");
    expect(v.resumed!.epoch).toBe(3);

    const s = reduce(initialView, { type: "snapshot", run: run({ status: "running", resumed_from_epoch: 4, resume_reason: "paused", attempts: 0 }), epochs: [] }, 0);
    expect(s.resumed).toEqual({ epoch: 4, reason: "paused", attempts: 0 });
    const plain = reduce(initialView, { type: "snapshot", run: run({ status: "running", resumed_from_epoch: null, resume_reason: "" }), epochs: [] }, 0);
    expect(plain.resumed).toBeNull();
  });

  it("the run fetched after the final status fills in an epoch the socket missed", () => {
    let v = reduce(initialView, { type: "snapshot", run: run({ status: "running" }), epochs: [{ epoch: 1, logs: { loss: 1 } }] }, 0);
    v = reduce(v, { type: "epoch", epoch: 2, logs: { loss: 0.8 } }, 10);
    v = reduce(v, { type: "epoch", epoch: 3, logs: { loss: 0.6 } }, 20);
    // epoch 4's event was lost under load; the final status still arrives
    v = reduce(v, { type: "status", status: "succeeded", final_metrics: { loss: 0.5 } }, 30);
    expect(v.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    const stored = [1, 2, 3, 4].map((epoch) => ({ epoch, logs: { loss: 1 - epoch / 10 } }));
    v = reduce(v, { type: "refetched", run: run({ status: "succeeded", wall_time: 12, final_metrics: { loss: 0.6 }, epochs: stored }) }, 40);
    expect(v.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(v.epochs[3].logs.loss).toBeCloseTo(0.6);
    expect(v.epochs[1].logs.loss).toBeCloseTo(0.8); // the server's stored values win
    expect(v.run!.wall_time).toBe(12);
    expect(v.run!.status).toBe("succeeded");
    expect("epochs" in v.run!).toBe(false); // epochs live in view.epochs only
    expect(fractionDone(v)).toBe(1);
    // read over HTTP while the socket was down: an ended run drops the last live progress
    let w = reduce(initialView, { type: "snapshot", run: run({ status: "running" }), epochs: [] }, 0);
    w = reduce(w, { type: "progress", epoch: 3, batch: 5, batches: 10, epochs: 4 }, 10);
    expect(reduce(w, { type: "refetched", run: run({ status: "running", epochs: stored }) }, 20).progress).not.toBeNull();
    expect(reduce(w, { type: "refetched", run: run({ status: "succeeded", epochs: stored }) }, 20).progress).toBeNull();
    // before any snapshot (the socket could not open): the run read over HTTP is shown
    const early = reduce(initialView, { type: "refetched", run: run({ status: "running", epochs: stored }) }, 0);
    expect(early.run!.status).toBe("running");
    expect(early.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect("epochs" in early.run!).toBe(false);
  });

  it("paused is not an end: the socket stays and progress is kept", () => {
    let v = reduce(initialView, { type: "snapshot", run: run({ status: "running" }), epochs: [] }, 0);
    v = reduce(v, { type: "progress", epoch: 1, batch: 5, batches: 10, epochs: 4 }, 10);
    v = reduce(v, { type: "status", status: "paused" }, 20);
    expect(v.run!.status).toBe("paused");
    expect(isTerminal(v.run!.status)).toBe(false);
    expect(v.progress).not.toBeNull();
  });
});
