"""A bounded load test on one machine, loopback only (a script, not part of `make test`).

Starts daphne (with the launcher's options) and several Celery workers (prefork, one process each)
on a fresh database (SQLite in a temporary directory, or a throwaway PostgreSQL database with
--postgres), an embedded Redis unless --redis names a server, optionally the files in a moto S3
server (--s3). Then: uploads iris, queues --runs runs at once, opens --viewers websockets on them
all in the same instant (--ramp spreads them), and keeps --api-rps of steady API traffic going until
every run has ended. Reports throughput, queue wait, API latency percentiles, websocket handshakes,
epoch delivery latency (epoch row stored -> message received), and that nothing was lost: every run
succeeded with all its epochs stored, every viewer saw each epoch exactly once and the final status
through its websocket alone (the snapshot, then live events; it never asks the REST API), every
model downloads.

    .venv/bin/python -m bench.load_test        # 3 workers, 20 runs x 40 epochs, 50 viewers, 20 req/s
    .venv/bin/python -m bench.load_test --postgres postgres://postgres@127.0.0.1:5432/postgres \
        --redis redis://127.0.0.1:6379/9 --s3
    .venv/bin/python -m bench.load_test --probe     # + where each handshake spent its time (server)
    .venv/bin/python -m bench.load_test --legacy --daphne-args "--websocket_connect_timeout 5"
                                                    # the websocket stack before the fix, to compare
    .venv/bin/python -m bench.load_test --json var/load.json

Exit status 0 when nothing was lost and no API request failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path

import requests

from bench.load_test.clients import TERMINAL, ApiTraffic, viewers
from bench.load_test.console import print_report
from bench.load_test.report import build_report, delivery_report, probe_report
from bench.load_test.stack import Stack

GRAPH = {
    "nodes": [
        {"id": "in", "layer": "Input", "params": {"shape": [4]}, "position": {"x": 0, "y": 0}},
        {"id": "d1", "layer": "Dense", "params": {"units": 16, "activation": "relu"}},
        {"id": "out", "layer": "Dense", "params": {"units": 3, "activation": "softmax"}},
    ],
    "edges": [{"source": "in", "target": "d1"}, {"source": "d1", "target": "out"}],
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.load_test",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=40)  # long enough to train during the burst
    parser.add_argument("--api-rps", type=float, default=20.0)
    parser.add_argument(
        "--ramp",
        type=float,
        default=0.0,
        help="viewers connect spread over this many s (0: all in one instant)",
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="bound for the whole test (s)")
    parser.add_argument(
        "--postgres", help="server URL; a throwaway database is created and dropped"
    )
    parser.add_argument(
        "--redis",
        help="a Redis server URL (use a database number nothing else "
        "uses, e.g. redis://127.0.0.1:6379/9); an embedded Redis otherwise",
    )
    parser.add_argument("--s3", action="store_true", help="files in a moto S3 server on loopback")
    parser.add_argument("--settings", default="modelbuilder.settings", help="settings module")
    parser.add_argument("--json", help="write the report here too")
    parser.add_argument(
        "--probe",
        action="store_true",
        help="serve bench/web_ws_probe.py: where each handshake spends its time",
    )
    parser.add_argument(
        "--legacy",
        action="store_true",
        help="with --probe: the websocket stack before the fix (single-thread database calls)",
    )
    parser.add_argument(
        "--daphne-args",
        default="",
        help="extra daphne options, e.g. "
        "'--websocket_connect_timeout 5' (the launcher's are used otherwise)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = parser.parse_args(argv)
    args.probe = args.probe or args.legacy

    started = time.monotonic()
    deadline = started + args.timeout
    stack = Stack(args)
    try:
        token = stack.start()
        base = stack.base
        auth = {"Authorization": f"Bearer {token}"}
        setup_s = time.monotonic() - started
        upload = requests.post(f"{base}/api/datasets", headers=auth, data={"name": "iris"},
                               files={"file": ("iris.csv", stack.iris.read_bytes())}, timeout=60)  # fmt: skip
        upload.raise_for_status()
        design = requests.post(f"{base}/api/designs", headers=auth, timeout=30,
                               json={"name": "load mlp", "graph": GRAPH})  # fmt: skip
        design.raise_for_status()
        config = {"loss": "categorical_crossentropy", "optimizer": "adam", "learning_rate": 0.01,
                  "epochs": args.epochs, "batch_size": 16, "validation_split": 0.2,
                  "metrics": ["accuracy"], "seed": 1}  # fmt: skip
        body = {"design": design.json()["id"], "dataset": upload.json()["id"],
                "target": "species", "config": config}  # fmt: skip

        load_start = time.monotonic()
        cpu_before = stack.cpu_seconds()
        run_ids = []
        for _ in range(args.runs):
            created = requests.post(f"{base}/api/runs", headers=auth, json=body, timeout=30)
            created.raise_for_status()
            run_ids.append(created.json()["id"])
        submit_s = time.monotonic() - load_start
        traffic = ApiTraffic(base, auth, args.api_rps, run_ids)
        traffic.start()
        results = asyncio.run(
            viewers(base, token, run_ids, args.viewers, args.epochs, deadline, args.ramp)
        )
        # Viewers end when their run ends; wait for the rest (runs nobody watched).
        runs = []
        while time.monotonic() < deadline:
            runs = [
                requests.get(f"{base}/api/runs/{i}", headers=auth, timeout=30).json()
                for i in run_ids
            ]
            if all(r["status"] in TERMINAL for r in runs):
                break
            time.sleep(0.5)
        load_s = time.monotonic() - load_start
        cpu_after = stack.cpu_seconds()
        traffic.stop_event.set()
        traffic.join(timeout=30)

        downloads_ok = 0
        for run in runs:
            if run["status"] != "succeeded":
                continue
            model = requests.get(f"{base}/api/runs/{run['id']}/model.h5", headers=auth, timeout=60)
            if model.status_code == 200 and model.content[:8] == b"\x89HDF\r\n\x1a\n":
                downloads_ok += 1
        stored_at = stack.epoch_stored_at(run_ids)
        load_avg = os.getloadavg()
        report = build_report(args, runs, results, traffic, downloads_ok, setup_s, submit_s, load_s)
        report["viewers"].update(delivery_report(results, stored_at))
        report["machine"] = {  # the share of the CPUs the stack got while under load
            "load_average_1m_at_end": round(load_avg[0], 2),
            "cpus": os.cpu_count(),
            "cpu_s_during_load": {
                k: round(cpu_after[k] - cpu_before.get(k, 0.0), 1) for k in cpu_after
            },
        }
        if args.probe:
            report["handshake_probe"] = probe_report(stack.probe_log, results)
    finally:
        stack.close()

    print_report(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0 if report["nothing_lost"] else 1
