import { useEffect, useReducer, useState } from "react";
import { wsUrl } from "../api/client";
import { sweepsApi } from "./api";
import { ReconnectingSocket, type SocketState } from "../lib/socket";
import { initialSweepView, isSettled, reduce, type SweepMessage, type SweepView } from "./sweepState";

/**
 * Live state of a sweep: the websocket's snapshot, then trial and status events. Reconnects after a
 * drop (a fresh snapshot each time); stops once the sweep ended and no trial is still stopping.
 */
export function useSweepStream(id: string): { view: SweepView; socket: SocketState; refused: boolean } {
  const [view, dispatch] = useReducer((v: SweepView, m: SweepMessage) => reduce(v, m), initialSweepView);
  const [socket, setSocket] = useState<SocketState>("connecting");
  const [refused, setRefused] = useState(false);

  useEffect(() => {
    // A GET also lets the server notice trials whose runs ended without it (e.g. cancelled elsewhere).
    sweepsApi.get(id).catch(() => undefined);
    let current = initialSweepView;
    let opened = false;
    let failures = 0;
    const sock = new ReconnectingSocket(wsUrl(`/ws/sweeps/${id}/`), {
      onOpen: () => {
        opened = true;
        failures = 0;
      },
      onMessage: (data) => {
        const msg = data as SweepMessage;
        current = reduce(current, msg);
        dispatch(msg);
      },
      onState: setSocket,
      shouldReconnect: () => {
        if (isSettled(current)) return false;
        if (!opened && ++failures >= 4) {
          setRefused(true);
          return false;
        }
        opened = false;
        return true;
      },
    });
    return () => sock.close();
  }, [id]);

  return { view, socket, refused };
}
