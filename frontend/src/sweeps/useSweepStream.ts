import { useEffect, useReducer, useState } from "react";
import { wsUrl } from "../api/client";
import { checkOverHttp } from "../lib/checkOverHttp";
import { ReconnectingSocket, type SocketState } from "../lib/socket";
import { SILENCE_MS, StreamWatch } from "../lib/streamWatch";
import { sweepsApi } from "./api";
import { initialSweepView, isSettled, reduce, type SweepMessage, type SweepView } from "./sweepState";
import type { Sweep } from "./types";

/** A sweep read over HTTP (GET /api/sweeps/{id} holds its trials) as the snapshot its socket sends. */
export function snapshotOf(sweep: Sweep): SweepMessage {
  const { trials = [], ...rest } = sweep;
  return { type: "snapshot", sweep: rest, trials };
}

/**
 * Live state of a sweep: the websocket's snapshot, then trial and status events. Reconnects after a
 * drop (a fresh snapshot each time); stops once the sweep ended and no trial is still stopping.
 * As on the run page (lib/streamWatch.ts), a socket that keeps failing (from the 4th connection in
 * a row that delivered nothing: the server's Redis may be down) or a live sweep whose socket stays
 * silent for SILENCE_MS is read over HTTP: the stored sweep shows meanwhile, and the page gives up
 * only when HTTP refuses too (signed out, not yours, gone).
 */
export function useSweepStream(id: string): { view: SweepView; socket: SocketState; refused: boolean } {
  const [view, dispatch] = useReducer((v: SweepView, m: SweepMessage) => reduce(v, m), initialSweepView);
  const [socket, setSocket] = useState<SocketState>("connecting");
  const [refused, setRefused] = useState(false);

  useEffect(() => {
    // A GET also lets the server notice trials whose runs ended without it (e.g. cancelled elsewhere).
    sweepsApi.get(id).catch(() => undefined);
    let current = initialSweepView;
    let disposed = false;
    let stopped = false; // refused, or the sweep settled as read over HTTP
    let checking = false;
    let messages = 0;
    const watch = new StreamWatch(Date.now());
    const apply = (msg: SweepMessage) => {
      current = reduce(current, msg);
      dispatch(msg);
    };

    const stop = () => {
      stopped = true;
      sock.close();
      setSocket("closed");
    };

    const readOverHttp = () => {
      if (checking || stopped) return;
      checking = true;
      const seen = messages;
      void checkOverHttp(() => sweepsApi.get(id)).then((result) => {
        checking = false;
        if (disposed || stopped) return;
        if (result.refused) {
          setRefused(true);
          stop();
          return;
        }
        if (!result.value) return; // the server is unreachable: the socket keeps trying
        watch.refreshed(Date.now());
        // A message that came meanwhile is from a working socket: its snapshot and events stand
        // (a snapshot read earlier must not undo a later event).
        if (messages !== seen) return;
        apply(snapshotOf(result.value));
        if (isSettled(current)) stop(); // the stored sweep is final: nothing more to stream
      });
    };

    const sock = new ReconnectingSocket(wsUrl(`/ws/sweeps/${id}/`), {
      onMessage: (data) => {
        messages++;
        watch.message(Date.now());
        apply(data as SweepMessage);
      },
      onState: setSocket,
      shouldReconnect: () => {
        if (isSettled(current) || stopped) return false;
        // From the 4th connection in a row that delivered nothing, each one asks HTTP.
        if (watch.closed()) readOverHttp();
        return true;
      },
    });
    const watchdog = setInterval(() => {
      if (!isSettled(current) && watch.silent(Date.now())) readOverHttp();
    }, SILENCE_MS / 4);
    return () => {
      disposed = true;
      clearInterval(watchdog);
      sock.close();
    };
  }, [id]);

  return { view, socket, refused };
}
