// When a live page (a run, a sweep) stops trusting its websocket and reads the object over HTTP
// instead.
//
// A socket counts as working only once it delivered a message (the snapshot comes first): a server
// whose Redis is down may still accept the handshake and then close it, and an "open" alone must not
// reset the failure count or the silence clock, or the page would retry forever and never look.

/** Connections in a row that delivered nothing before we ask HTTP why; every later one asks again. */
export const FAILURES_BEFORE_CHECK = 4;
/** A live object whose socket says nothing for this long is re-read over HTTP (events can be lost:
 * a Redis restart forgets the server's subscriptions). A run's progress comes several times a
 * second; a sweep's events are rarer, so a quiet sweep is re-read at most every SILENCE_MS. */
export const SILENCE_MS = 20_000;

export class StreamWatch {
  private failures = 0;
  private delivered = false;
  private lastMessage: number;

  constructor(now: number) {
    this.lastMessage = now;
  }

  /** A message arrived: the socket works. */
  message(now: number): void {
    this.delivered = true;
    this.failures = 0;
    this.lastMessage = now;
  }

  /** The object was read over HTTP: the page is up to date as of now. */
  refreshed(now: number): void {
    this.lastMessage = now;
  }

  /** The socket closed (or never opened): true when it is time to ask HTTP. */
  closed(): boolean {
    const failed = !this.delivered;
    this.delivered = false;
    return failed && ++this.failures >= FAILURES_BEFORE_CHECK;
  }

  /** True when a live object's socket has said nothing for SILENCE_MS. */
  silent(now: number): boolean {
    return now - this.lastMessage > SILENCE_MS;
  }
}
