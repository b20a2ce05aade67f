import { describe, expect, it } from "vitest";
import { emptyHistory, LIMIT, record, redo, undo } from "./history";

describe("undo stack", () => {
  it("undoes and redoes in order", () => {
    let h = emptyHistory<number>();
    h = record(h, 0, null, 0);
    h = record(h, 1, null, 10);
    const u1 = undo(h, 2)!;
    expect(u1.state).toBe(1);
    const u2 = undo(u1.history, u1.state)!;
    expect(u2.state).toBe(0);
    expect(undo(u2.history, 0)).toBeNull();
    const r1 = redo(u2.history, 0)!;
    expect(r1.state).toBe(1);
    const r2 = redo(r1.history, 1)!;
    expect(r2.state).toBe(2);
    expect(redo(r2.history, 2)).toBeNull();
  });
  it("a new change clears the redo future", () => {
    let h = record(emptyHistory<number>(), 0, null, 0);
    const u = undo(h, 1)!;
    h = record(u.history, 0, null, 5);
    expect(h.future).toEqual([]);
  });
  it("coalesces a burst of edits with the same tag", () => {
    let h = emptyHistory<string>();
    h = record(h, "a", "units", 0);
    h = record(h, "ab", "units", 300);
    h = record(h, "abc", "units", 600);
    expect(h.past).toEqual(["a"]);
    h = record(h, "abcd", "units", 5000);
    expect(h.past).toEqual(["a", "abcd"]);
    h = record(h, "x", "rate", 5001);
    expect(h.past.length).toBe(3);
  });
  it("is bounded", () => {
    let h = emptyHistory<number>();
    for (let i = 0; i < LIMIT + 20; i++) h = record(h, i, null, i * 10_000);
    expect(h.past.length).toBe(LIMIT);
    expect(h.past[0]).toBe(20);
  });
});
