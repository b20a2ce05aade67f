import { useEffect, useReducer, useState } from "react";
import { wsUrl } from "../api/client";
import { runsApi } from "../api/resources";
import { ReconnectingSocket, type SocketState } from "../lib/socket";
import { initialView, isTerminal, reduce, type RunMessage, type RunView } from "./runState";

/**
 * Live state of a run: the websocket's snapshot, then its events. Reconnects with backoff after a
 * drop (each reconnect starts with a fresh snapshot, so nothing is missed); stops once the run ended.
 * When the final status arrives live, the run is fetched once over HTTP and any epoch the socket
 * missed (a viewer under heavy load can drop the last epoch event) is merged in.
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
    const sock = new ReconnectingSocket(wsUrl(`/ws/runs/${id}/`), {
      onOpen: () => {
        opened = true;
        failures = 0;
      },
      onMessage: (data) => {
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
        // Refused at the handshake again and again (not signed in / not yours): stop and say so.
        if (!opened && ++failures >= 4) {
          setRefused(true);
          return false;
        }
        opened = false;
        return true;
      },
    });
    return () => {
      disposed = true;
      sock.close();
    };
  }, [id]);

  return { view, socket, refused };
}
