import { describe, expect, it } from "vitest";
import type { RunConfig } from "../api/types";
import { clampCount, DEFAULT_OPTIONS, sweepBlocker, sweepRequest, trainMarksFrom } from "./sweepRequest";

const config: RunConfig = { loss: "categorical_crossentropy", optimizer: "adam", learning_rate: 0.01, epochs: 2, batch_size: 32, validation_split: 0.2, metrics: ["accuracy"], seed: 1 };
const space = { "units@d1": { type: "choice" as const, values: [4, 8] }, learning_rate: { type: "float" as const, min: 0.001, max: 0.1, log: true } };

describe("sweep request", () => {
  it("builds the POST /api/sweeps body from the marks and the options", () => {
    const body = sweepRequest({ design: 3, dataset: 5, target: "y", features: ["a"], config, space, options: { ...DEFAULT_OPTIONS, strategy: "grid", maxTrials: 3, parallelism: 2, objective: "val_accuracy", pruning: "none" } });
    expect(body).toEqual({ design: 3, dataset: 5, target: "y", features: ["a"], config, space, strategy: "grid", max_trials: 3, parallelism: 2, objective: "val_accuracy", pruning: "none" });
    expect(DEFAULT_OPTIONS.pruning).toBe("median");
  });

  it("falls back to val_loss when the objective's metric is no longer in the config", () => {
    const body = sweepRequest({ design: 1, dataset: 1, target: null, features: null, config: { ...config, metrics: [] }, space, options: { ...DEFAULT_OPTIONS, objective: "val_accuracy" } });
    expect(body.objective).toBe("val_loss");
  });

  it("says why a sweep cannot start", () => {
    expect(sweepBlocker({}, {})).toMatch(/Mark at least one/);
    expect(sweepBlocker(space, { learning_rate: "A log scale needs min > 0." })).toBe("Fix the search mark of learning_rate: A log scale needs min > 0.");
    expect(sweepBlocker(space, {})).toBeNull();
  });

  it("clamps counts typed into the form", () => {
    expect(clampCount("0", 16)).toBe(1);
    expect(clampCount("2.6", 16)).toBe(3);
    expect(clampCount("99", 16)).toBe(16);
    expect(clampCount("x", 16)).toBe(1);
  });

  it("reads remembered training marks defensively", () => {
    expect(trainMarksFrom(JSON.stringify({ learning_rate: space.learning_rate, "units@d1": space["units@d1"], epochs: 3 }))).toEqual({ learning_rate: space.learning_rate });
    expect(trainMarksFrom("not json")).toEqual({});
    expect(trainMarksFrom(null)).toEqual({});
  });
});
