// Why a live page's websocket keeps failing, asked over HTTP (used with StreamWatch).
import { ApiError } from "../api/client";

export type HttpCheck<T> = { refused: true } | { refused: false; value: T | null };

/**
 * Why the stream cannot be opened, asked over HTTP: the server refuses a websocket it cannot
 * serve for two reasons it cannot tell the browser apart (both close the handshake): the object is
 * not visible (signed out, not yours, gone: refused, stop), or the server cannot subscribe (its
 * Redis restarting: keep trying; the object, read from the database, shows meanwhile).
 */
export async function checkOverHttp<T>(get: () => Promise<T>): Promise<HttpCheck<T>> {
  try {
    return { refused: false, value: await get() };
  } catch (err) {
    if (err instanceof ApiError && (err.needsLogin || err.status === 404)) return { refused: true };
    return { refused: false, value: null }; // the server itself is unreachable: keep trying
  }
}
