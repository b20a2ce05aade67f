import { describe, expect, it } from "vitest";
import { backoffDelay } from "./socket";

describe("backoffDelay", () => {
  it("doubles and caps", () => {
    expect(backoffDelay(0)).toBe(500);
    expect(backoffDelay(1)).toBe(1000);
    expect(backoffDelay(3)).toBe(4000);
    expect(backoffDelay(20)).toBe(10_000);
  });
});
