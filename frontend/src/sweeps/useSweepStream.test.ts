import { describe, expect, it } from "vitest";
import { initialSweepView, isSettled, reduce } from "./sweepState";
import type { Sweep, Trial } from "./types";
import { snapshotOf } from "./useSweepStream";

const trial = (number: number, status: Trial["status"]): Trial => ({ number, status, params: {} }) as Trial;
const sweep = (status: Sweep["status"], trials?: Trial[]): Sweep =>
  ({ id: 3, status, trial_count: 2, ...(trials ? { trials } : {}) }) as Sweep;

describe("snapshotOf: a sweep read over HTTP stands in for the socket's snapshot", () => {
  it("splits the trials off the sweep, as the socket's snapshot does", () => {
    const trials = [trial(2, "running"), trial(1, "succeeded")];
    const msg = snapshotOf(sweep("running", trials));
    expect(msg).toEqual({ type: "snapshot", sweep: sweep("running"), trials });
    const view = reduce(initialSweepView, msg);
    expect(view.trials.map((t) => t.number)).toEqual([1, 2]);
    expect(view.sweep).not.toHaveProperty("trials");
  });

  it("a sweep without trials in the answer shows none", () => {
    expect(snapshotOf(sweep("running"))).toEqual({ type: "snapshot", sweep: sweep("running"), trials: [] });
  });

  it("the page stops once the stored sweep ended and no trial is still stopping", () => {
    const settled = (s: Sweep) => isSettled(reduce(initialSweepView, snapshotOf(s)));
    expect(settled(sweep("succeeded", [trial(1, "succeeded"), trial(2, "pruned")]))).toBe(true);
    expect(settled(sweep("cancelled", [trial(1, "succeeded"), trial(2, "running")]))).toBe(false);
    expect(settled(sweep("running", [trial(1, "succeeded")]))).toBe(false);
  });
});
