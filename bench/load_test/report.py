"""The load test's figures: percentiles, websocket delivery, the server-side handshake probe, and the
whole report with its `nothing_lost` verdict."""

from __future__ import annotations

import json
from pathlib import Path

from bench.load_test.clients import TERMINAL
from scripts.launcher import DAPHNE_OPTIONS


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def rnd(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def delivery_report(results: list, stored_at: dict[int, dict[int, float]]) -> dict:
    """Handshakes, and epoch stored -> received over the websocket (live events only)."""
    ok = [v for v in results if isinstance(v, dict) and "handshake_error" not in v]
    latencies = [
        at - stored_at[v["run"]][epoch]
        for v in ok
        for epoch, at in v["received_at"].items()
        if epoch in stored_at.get(v["run"], {})
    ]
    handshakes = [v["handshake_s"] for v in ok]
    return {
        "handshakes_completed": len(ok),
        "handshake_s": {
            "p50": rnd(pct(handshakes, 50)),
            "p99": rnd(pct(handshakes, 99)),
            "max": rnd(max(handshakes, default=None)),
        },  # fmt: skip
        "epochs_via_snapshot": sum(v["snapshot_epochs"] for v in ok),
        "epochs_via_live_events": sum(len(v["received_at"]) for v in ok),
        "delivery_s": {
            "n": len(latencies),
            "p50": rnd(pct(latencies, 50)),
            "p99": rnd(pct(latencies, 99)),
            "max": rnd(max(latencies, default=None)),
            "min": rnd(min(latencies, default=None)),
        },  # fmt: skip
    }


def probe_report(path: Path, results: list) -> dict:
    """Server-side marks (bench/web_ws_probe.py) per handshake, as percentiles over the viewers."""
    lines = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    lags = [line["lag"] for line in lines if "lag" in line]
    conns = [line for line in lines if "path" in line and line["path"].startswith("/ws/runs/")]
    first_client = min((v["began"] for v in results if isinstance(v, dict)), default=None)
    stages: dict[str, list[float]] = {}

    def add(name, value):
        stages.setdefault(name, []).append(value)

    for c in conns:
        if first_client is not None:
            add("daphne: burst start -> application called", c["app"] - first_client)
        for call in c["db"]:
            if "end" in call:  # (a call cut short by a closing connection has no end)
                add(f"db {call['fn']}: wait for the thread", call["start"] - call["submit"])
                add(f"db {call['fn']}: run", call["end"] - call["start"])
        if "group_add" in c:
            add("redis group_add", c["group_add"][1] - c["group_add"][0])
        if "accept" in c:
            add("application called -> accept", c["accept"] - c["app"])
        if "snapshot_sent" in c and "accept" in c:
            add("accept -> snapshot sent", c["snapshot_sent"] - c["accept"])
    threads = sorted({call.get("thread", "?") for c in conns for call in c["db"]})
    return {
        "connections": len(conns),
        "db_threads": threads,
        "stages_s": {
            k: {
                "p50": rnd(pct(v, 50)),
                "p99": rnd(pct(v, 99)),
                "max": rnd(max(v)),
                "sum": rnd(sum(v)),
            }
            for k, v in stages.items()
        },  # fmt: skip
        "loop_lag_s": {
            "p50": rnd(pct(lags, 50)),
            "p99": rnd(pct(lags, 99)),
            "max": rnd(max(lags, default=None)),
        },  # fmt: skip
    }


def build_report(args, runs, results, traffic, downloads_ok, setup_s, submit_s, load_s) -> dict:
    from datetime import datetime

    def ts(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None

    waits = [
        (ts(r["started_at"]) - ts(r["created_at"])).total_seconds() for r in runs if r["started_at"]
    ]
    walls = [r["wall_time"] for r in runs if r.get("wall_time")]
    ok_views = [v for v in results if isinstance(v, dict) and "handshake_error" not in v]
    failures = [v["handshake_error"] if isinstance(v, dict) else repr(v)
                for v in results if v not in ok_views]  # fmt: skip
    epochs_stored = [len(r.get("epochs") or []) for r in runs]
    api = traffic.all_latencies()
    api_no_health = [
        x for k, values in traffic.latencies.items() if k != "/api/health" for x in values
    ]
    report = {
        "config": {
            k: getattr(args, k) for k in ("workers", "runs", "viewers", "epochs", "api_rps", "ramp")
        }
        | {
            "database": "postgresql" if args.postgres else "sqlite",
            "redis": "server" if args.redis else "embedded",
            "websocket_stack": "legacy" if args.legacy else "current",
            "daphne": " ".join(args.daphne_args.split() or DAPHNE_OPTIONS),
            "storage": "s3 (moto)" if args.s3 else "local",
        },
        "setup_s": round(setup_s, 2),
        "submit_s": round(submit_s, 3),
        "load_s": round(load_s, 2),
        "runs": {
            "succeeded": sum(r["status"] == "succeeded" for r in runs),
            "other": {
                str(r["id"]): f"{r['status']}: {r.get('error')}"
                for r in runs
                if r["status"] != "succeeded"
            },
            "epochs_stored_complete": sum(n == args.epochs for n in epochs_stored),
            "throughput_runs_per_min": round(len(runs) / load_s * 60, 1) if load_s else None,
            "queue_wait_s": {  # created -> started
                "p50": rnd(pct(waits, 50)),
                "p95": rnd(pct(waits, 95)),
                "max": rnd(max(waits, default=None)),
            },
            "train_wall_s": {"p50": rnd(pct(walls, 50)), "max": rnd(max(walls, default=None))},
            "models_downloaded": downloads_ok,
        },
        "viewers": {
            "connected": len(ok_views),
            "failed": failures[:5],
            "saw_final_status": sum(v["final"] in TERMINAL for v in ok_views),
            "saw_every_epoch_once": sum(v["complete"] and v["duplicates"] == 0 for v in ok_views),
            "duplicates": sum(v["duplicates"] for v in ok_views),
            "incomplete": [
                {k: v[k] for k in ("run", "final", "seen", "snapshot_epochs", "snapshot_status")}
                for v in ok_views
                if not v["complete"] or v["duplicates"]
            ][:5],
            "snapshot_latency_s": {
                "p50": pct([v["snapshot_latency"] for v in ok_views], 50),
                "p95": pct([v["snapshot_latency"] for v in ok_views], 95),
            },
        },
        "api": {
            "requests": len(api),
            "achieved_rps": round(len(api) / load_s, 1) if load_s else None,
            "errors": len(traffic.errors),
            "error_samples": traffic.errors[:5],
            "latency_s": {
                "p50": pct(api, 50),
                "p95": pct(api, 95),
                "p99": pct(api, 99),
                "max": max(api, default=None),
            },
            "latency_s_without_health": {  # /api/health waits for the workers' ping answers
                "p50": rnd(pct(api_no_health, 50)),
                "p99": rnd(pct(api_no_health, 99)),
            },
            "per_endpoint_s": {
                k: {"p50": rnd(pct(v, 50)), "p95": rnd(pct(v, 95))}
                for k, v in traffic.latencies.items()
            },
        },
    }
    report["nothing_lost"] = (
        report["runs"]["succeeded"] == args.runs
        and report["runs"]["epochs_stored_complete"] == args.runs
        and downloads_ok == args.runs
        and len(ok_views) == args.viewers
        and report["viewers"]["saw_every_epoch_once"] == args.viewers
        and report["viewers"]["saw_final_status"] == args.viewers
        and not traffic.errors
    )
    return report
