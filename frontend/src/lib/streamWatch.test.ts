import { describe, expect, it } from "vitest";
import { FAILURES_BEFORE_CHECK, SILENCE_MS, StreamWatch } from "./streamWatch";

describe("StreamWatch: when a live page reads its object over HTTP", () => {
  it("asks from the 4th connection in a row that delivered nothing, and at every later one", () => {
    const watch = new StreamWatch(0);
    const asks = Array.from({ length: FAILURES_BEFORE_CHECK + 2 }, () => watch.closed());
    expect(asks).toEqual([false, false, false, true, true, true]);
  });

  it("a handshake accepted and then closed without a message still counts as a failure", () => {
    const watch = new StreamWatch(0);
    // (the server's Redis is down: it accepts, cannot subscribe, closes) - no message() in between
    for (let i = 1; i < FAILURES_BEFORE_CHECK; i++) expect(watch.closed()).toBe(false);
    expect(watch.closed()).toBe(true);
  });

  it("a connection that delivered a message resets the count", () => {
    const watch = new StreamWatch(0);
    watch.closed();
    watch.closed();
    watch.closed();
    watch.message(10);
    expect(watch.closed()).toBe(false); // that socket worked: a normal drop
    expect(watch.closed()).toBe(false);
  });

  it("silence is measured from the last message or HTTP read, not from a reconnect", () => {
    const watch = new StreamWatch(0);
    expect(watch.silent(SILENCE_MS)).toBe(false);
    expect(watch.silent(SILENCE_MS + 1)).toBe(true);
    watch.closed(); // reconnects do not refresh it
    expect(watch.silent(SILENCE_MS + 1)).toBe(true);
    watch.refreshed(SILENCE_MS + 1);
    expect(watch.silent(SILENCE_MS + 2)).toBe(false);
    watch.message(3 * SILENCE_MS);
    expect(watch.silent(4 * SILENCE_MS)).toBe(false);
  });
});
