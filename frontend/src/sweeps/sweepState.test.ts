import { describe, expect, it } from "vitest";
import { initialSweepView, isSettled, objectiveSeries, reduce } from "./sweepState";
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
    expect(s).toEqual({ x: [1, 2, 3, 4], values: [0.9, null, 0.4, 0.6], bestSoFar: [0.9, 0.9, 0.4, 0.4] });
    expect(objectiveSeries([trial(1, "succeeded", 0.5), trial(2, "succeeded", 0.7)], "max").bestSoFar).toEqual([0.5, 0.7]);
  });
});
