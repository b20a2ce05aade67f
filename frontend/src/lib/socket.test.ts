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

class FakeWebSocket {
  static made: FakeWebSocket[] = [];
  static OPEN = 1;
  static CONNECTING = 0;
  readyState = 0;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeWebSocket.made.push(this);
  }
  close() {}
}

describe("ReconnectingSocket backoff", () => {
  it("grows while sockets open and close without a message, and restarts after one delivered", async () => {
    const { vi } = await import("vitest");
    const { ReconnectingSocket } = await import("./socket");
    vi.useFakeTimers();
    vi.stubGlobal("WebSocket", FakeWebSocket);
    const delays: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms: number) => {
      delays.push(ms);
      return realSetTimeout(fn, ms);
    }) as typeof setTimeout);
    FakeWebSocket.made = [];
    const sock = new ReconnectingSocket("ws://x", { onMessage: () => {} });
    const acceptThenClose = (message: boolean) => {
      const ws = FakeWebSocket.made[FakeWebSocket.made.length - 1];
      ws.onopen?.();
      if (message) ws.onmessage?.({ data: "{}" });
      ws.onclose?.({});
      vi.runOnlyPendingTimers();
    };
    for (let i = 0; i < 4; i++) acceptThenClose(false); // e.g. the server's Redis is down
    acceptThenClose(true); // a working socket, then a normal drop
    acceptThenClose(false);
    sock.close();
    expect(delays).toEqual([500, 1000, 2000, 4000, 500, 1000]);
    vi.useRealTimers();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });
});
