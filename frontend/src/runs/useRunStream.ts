import { useEffect, useReducer, useState } from "react";
import { wsUrl } from "../api/client";
import { runsApi } from "../api/resources";
import { checkOverHttp } from "../lib/checkOverHttp";
import { ReconnectingSocket, type SocketState } from "../lib/socket";
import { SILENCE_MS, StreamWatch } from "../lib/streamWatch";
import { initialView, isTerminal, reduce, type RunMessage, type RunView } from "./runState";

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
    let refetched = false;
    let disposed = false;
    let checking = false;
    const watch = new StreamWatch(Date.now());

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
        if (!result.value) return;
        watch.refreshed(Date.now());
        dispatch({ type: "refetched", run: result.value });
        if (isTerminal(result.value.status)) {
          ended = true; // the stored truth has every epoch: nothing more to stream
          sock.close();
          setSocket("closed");
        }
      });
    };

    const sock = new ReconnectingSocket(wsUrl(`/ws/runs/${id}/`), {
      onMessage: (data) => {
        watch.message(Date.now());
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
        // From the 4th connection in a row that delivered nothing, each one (the backoff spaces
        // them out to 10 s) asks HTTP.
        if (watch.closed()) readOverHttp();
        return true;
      },
    });
    const watchdog = setInterval(() => {
      if (!ended && watch.silent(Date.now())) readOverHttp();
    }, SILENCE_MS / 4);
    return () => {
      disposed = true;
      clearInterval(watchdog);
      sock.close();
    };
  }, [id]);

  return { view, socket, refused };
}
