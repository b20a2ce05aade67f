// A websocket that reconnects by itself with exponential backoff. The backoff restarts only once a
// socket delivered a message: a server that accepts and then closes at once (its Redis down) is
// retried less and less often, not every 0.5 s.

export function backoffDelay(attempt: number, baseMs = 500, maxMs = 10_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
}

export type SocketState = "connecting" | "open" | "closed";

export interface SocketHandlers {
  onOpen?: (ws: WebSocket) => void;
  onMessage: (data: unknown) => void;
  onState?: (state: SocketState) => void;
  /** Return false to stop reconnecting (e.g. the run is over). */
  shouldReconnect?: (ev: CloseEvent) => boolean;
}

export class ReconnectingSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {
    this.connect();
  }

  private connect() {
    if (this.stopped) return;
    this.handlers.onState?.("connecting");
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.handlers.onState?.("open");
      this.handlers.onOpen?.(ws);
    };
    ws.onmessage = (ev) => {
      this.attempt = 0;
      try {
        this.handlers.onMessage(JSON.parse(String(ev.data)));
      } catch {
        /* ignore non-JSON frames */
      }
    };
    ws.onclose = (ev) => {
      this.handlers.onState?.("closed");
      if (this.stopped) return;
      if (this.handlers.shouldReconnect && !this.handlers.shouldReconnect(ev)) return;
      this.timer = setTimeout(() => this.connect(), backoffDelay(this.attempt++));
    };
  }

  send(data: unknown) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(data));
  }

  close() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const ws = this.ws;
    if (ws) {
      ws.onclose = null;
      // Closing while CONNECTING makes browsers log an error; close once it opens instead.
      if (ws.readyState === WebSocket.CONNECTING) ws.onopen = () => ws.close();
      else ws.close();
    }
  }
}
