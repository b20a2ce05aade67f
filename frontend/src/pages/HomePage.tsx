import { useEffect, useState } from "react";
import { Link } from "react-router";
import type { Health } from "../api/types";
import { wsUrl } from "../api/client";
import { ReconnectingSocket, type SocketState } from "../lib/socket";
import { HealthCard } from "../components/HealthCard";
import { RecentWork } from "../components/RecentWork";

const PARTS = ["database", "redis", "worker", "engine"] as const;

async function fetchHealth(): Promise<Health> {
  // 503 still carries the per-part state, so read the body whatever the status.
  const res = await fetch("/api/health", { headers: { Accept: "application/json" } });
  return (await res.json()) as Health;
}

export function HomePage() {
  const [health, setHealth] = useState<Health | null>(null);
  const [healthError, setHealthError] = useState<string | null>(null);
  const [message, setMessage] = useState<string>("");
  const [socketState, setSocketState] = useState<SocketState>("connecting");

  useEffect(() => {
    let alive = true;
    const load = () =>
      fetchHealth()
        .then((h) => alive && (setHealth(h), setHealthError(null)))
        .catch(() => alive && setHealthError("Cannot reach /api/health."));
    load();
    const id = setInterval(load, 10_000);
    return () => {
      alive = false;
      clearInterval(id);
    };
  }, []);

  useEffect(() => {
    const sock = new ReconnectingSocket(wsUrl("/ws/health/"), {
      onOpen: (ws) => ws.send(JSON.stringify({ type: "ping" })),
      onMessage: (data) => {
        const msg = data as { type?: string; text?: string };
        if (msg.type === "worker_message" && typeof msg.text === "string") setMessage(msg.text);
      },
      onState: setSocketState,
    });
    return () => sock.close();
  }, []);

  return (
    <div className="page home">
      <section className="hero">
        <h1>Design, train and export neural networks</h1>
        <p className="muted">
          Compose layers on a canvas, see shapes as you go, train on your own data and download a Keras-compatible
          .h5.
        </p>
        <div className="row gap">
          <Link className="btn btn-primary" to="/designs/new" data-testid="home-new-design">
            New design
          </Link>
          <Link className="btn" to="/datasets">
            Upload a dataset
          </Link>
          <Link className="btn" to="/runs">
            Runs
          </Link>
        </div>
      </section>

      <RecentWork />

      <section>
        <h2>System status</h2>
        {healthError && <div className="banner banner-error">{healthError}</div>}
        <div className="health-grid">
          {PARTS.map((part) => (
            <HealthCard key={part} name={part} part={health?.[part]} />
          ))}
        </div>
        <div className="live-message">
          <span className={`dot dot-${socketState}`} title={`websocket ${socketState}`} />
          <span className="muted">Live from the worker:</span>{" "}
          <span data-testid="health-live-message">{message}</span>
          {!message && <span className="muted">{socketState === "open" ? "waiting…" : socketState}</span>}
        </div>
      </section>
    </div>
  );
}
