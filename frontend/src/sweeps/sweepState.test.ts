import { describe, expect, it } from "vitest";
import { initialSweepView, isSettled, objectiveSeries, pruningText, reduce, trialStatusLabel } from "./sweepState";
import type { Sweep, Trial } from "./types";

const sweep = { id: 1, status: "running", trial_count: 1, space: { "units@d1": { type: "int", min: 1, max: 4 } }, direction: "min" } as unknown as Sweep;
const trial = (number: number, status: Trial["status"], objective: number | null = null) => ({ number, status, objective, params: { "units@d1": number } }) as unknown as Trial;

describe("sweep state", () => {
  it("takes the snapshot, then upserts trials by number and merges status", () => {
    let v = reduce(initialSweepView, { type: "snapshot", sweep, trials: [trial(1, "running")] });
    v = reduce(v, { type: "trial", trial: trial(2, "queued") });
    v = reduce(v, { type: "trial", trial: trial(1, "succeeded", 0.5) });
    expect(v.trials.map((t) => [t.number, t.status])).toEqual([[1, "succeeded"], [2, "queued"]]);
    expect(v.sweep?.trial_count).toBe(2);
    v = reduce(v, { type: "status", status: "cancelled", best_trial: 1 });
    expect(v.sweep).toMatchObject({ status: "cancelled", best_trial: 1, id: 1 });
    expect(isSettled(v)).toBe(false); // trial 2 still stopping
    v = reduce(v, { type: "trial", trial: trial(2, "cancelled") });
    expect(isSettled(v)).toBe(true);
  });

  it("charts succeeded objectives and the best so far", () => {
    const s = objectiveSeries([trial(3, "succeeded", 0.4), trial(1, "succeeded", 0.9), trial(2, "failed"), trial(4, "succeeded", 0.6)], "min");
    expect(s).toEqual({ x: [1, 2, 3, 4], values: [0.9, null, 0.4, 0.6], pruned: [null, null, null, null], bestSoFar: [0.9, 0.9, 0.4, 0.4] });
    expect(objectiveSeries([trial(1, "succeeded", 0.5), trial(2, "succeeded", 0.7)], "max").bestSoFar).toEqual([0.5, 0.7]);
  });

  it("shows a pruned trial: stopping, then ended, charted apart and never the best", () => {
    const reason = "pruned at epoch 2: val_loss 1.27 worse than the median 0.76 of 2 trials";
    let v = reduce(initialSweepView, { type: "snapshot", sweep, trials: [trial(1, "succeeded", 0.6), trial(2, "running")] });
    // The median rule decided; the run stops after its current batch.
    v = reduce(v, { type: "trial", trial: { ...trial(2, "running"), pruned_epoch: 2, prune_reason: reason } });
    expect(trialStatusLabel(v.trials[1])).toBe("pruning");
    v = reduce(v, { type: "status", status: "succeeded", best_trial: 1 });
    expect(isSettled(v)).toBe(false);
    v = reduce(v, { type: "trial", trial: { ...trial(2, "pruned", 0.55), pruned_epoch: 2, prune_reason: reason } });
    expect(trialStatusLabel(v.trials[1])).toBe("pruned");
    expect(v.trials[1].prune_reason).toBe(reason);
    expect(isSettled(v)).toBe(true); // pruned is an end
    // Its partial objective is lower than trial 1's, yet the best so far stays trial 1's.
    expect(objectiveSeries(v.trials, "min")).toEqual({ x: [1, 2], values: [0.6, null], pruned: [null, 0.55], bestSoFar: [0.6, 0.6] });
  });

  it("says how the sweep prunes", () => {
    expect(pruningText({ ...sweep, pruning: "median", pruning_warmup_epochs: 1, pruning_startup_trials: 3 })).toBe(
      "median pruning after 1 epoch and 3 succeeded trials",
    );
    expect(pruningText({ ...sweep, pruning: "none", pruning_warmup_epochs: 1, pruning_startup_trials: 3 })).toBe("no pruning");
  });
});
