import { useEffect, useReducer, useState } from "react";
import { ApiError, wsUrl } from "../api/client";
import { runsApi } from "../api/resources";
import type { Run } from "../api/types";
import { ReconnectingSocket, type SocketState } from "../lib/socket";
import { initialView, isTerminal, reduce, type RunMessage, type RunView } from "./runState";

/** Handshakes failing in a row before we ask HTTP why (refused, or the server's Redis is down);
 * every later failure asks again. */
export const FAILURES_BEFORE_CHECK = 4;
/** A live run whose socket says nothing for this long is re-read over HTTP (events can be lost:
 * a Redis restart forgets the server's subscriptions). Progress comes several times a second. */
export const SILENCE_MS = 20_000;

export type HttpCheck = { refused: true } | { refused: false; run: Run | null };

/**
 * Why the stream cannot be opened, asked over HTTP: the server refuses a websocket it cannot
 * serve for two reasons it cannot tell the browser apart (both close the handshake): the run is
 * not visible (signed out, not yours, gone: refused, stop), or the server cannot subscribe (its
 * Redis restarting: keep trying; the run, read from the database, shows meanwhile).
 */
export async function checkOverHttp(get: () => Promise<Run>): Promise<HttpCheck> {
  try {
    return { refused: false, run: await get() };
  } catch (err) {
    if (err instanceof ApiError && (err.needsLogin || err.status === 404)) return { refused: true };
    return { refused: false, run: null }; // the server itself is unreachable: keep trying
  }
}

/**
 * Live state of a run: the websocket's snapshot, then its events. Reconnects with backoff after a
 * drop (each reconnect starts with a fresh snapshot, so nothing is missed); stops once the run ended.
 * When the final status arrives live, the run is fetched once over HTTP and any epoch the socket
 * missed (a viewer under heavy load can drop the last epoch event) is merged in. A socket that
 * keeps failing, or a live run whose socket stays silent, is also read over HTTP (see above).
 */
export function useRunStream(id: string): { view: RunView; socket: SocketState; refused: boolean } {
  const [view, dispatch] = useReducer((v: RunView, m: RunMessage) => reduce(v, m), initialView);
  const [socket, setSocket] = useState<SocketState>("connecting");
  const [refused, setRefused] = useState(false);

  useEffect(() => {
    let ended = false;
    let opened = false;
    let failures = 0;
    let refetched = false;
    let disposed = false;
    let checking = false;
    let lastMessage = Date.now();

    const readOverHttp = () => {
      if (checking) return;
      checking = true;
      void checkOverHttp(() => runsApi.get(id)).then((result) => {
        checking = false;
        if (disposed) return;
        if (result.refused) {
          setRefused(true);
          sock.close();
          return;
        }
        if (!result.run) return;
        lastMessage = Date.now();
        dispatch({ type: "refetched", run: result.run });
        if (isTerminal(result.run.status)) {
          ended = true; // the stored truth has every epoch: nothing more to stream
          sock.close();
          setSocket("closed");
        }
      });
    };

    const sock = new ReconnectingSocket(wsUrl(`/ws/runs/${id}/`), {
      onOpen: () => {
        opened = true;
        failures = 0;
        lastMessage = Date.now();
      },
      onMessage: (data) => {
        lastMessage = Date.now();
        const msg = data as RunMessage;
        if (msg.type === "snapshot") ended = isTerminal(msg.run?.status);
        if (msg.type === "status") ended = isTerminal(msg.status);
        dispatch(msg);
        if (msg.type === "status" && ended && !refetched) {
          refetched = true;
          runsApi
            .get(id)
            .then((run) => {
              if (!disposed) dispatch({ type: "refetched", run });
            })
            .catch(() => {}); // the socket's view stands
        }
      },
      onState: setSocket,
      shouldReconnect: () => {
        if (ended) return false;
        // From the 4th failure on, each one (the backoff spaces them out to 10 s) asks HTTP.
        if (!opened && ++failures >= FAILURES_BEFORE_CHECK) readOverHttp();
        opened = false;
        return true;
      },
    });
    const watchdog = setInterval(() => {
      if (!ended && Date.now() - lastMessage > SILENCE_MS) readOverHttp();
    }, SILENCE_MS / 4);
    return () => {
      disposed = true;
      clearInterval(watchdog);
      sock.close();
    };
  }, [id]);

  return { view, socket, refused };
}
