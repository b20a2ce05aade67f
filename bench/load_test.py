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

    .venv/bin/python bench/load_test.py        # 3 workers, 20 runs x 40 epochs, 50 viewers, 20 req/s
    .venv/bin/python bench/load_test.py --postgres postgres://postgres@127.0.0.1:5432/postgres \
        --redis redis://127.0.0.1:6379/9 --s3
    .venv/bin/python bench/load_test.py --probe     # + where each handshake spent its time (server)
    .venv/bin/python bench/load_test.py --legacy --daphne-args "--websocket_connect_timeout 5"
                                                    # the websocket stack before the fix, to compare
    .venv/bin/python bench/load_test.py --json var/load.json

Exit status 0 when nothing was lost and no API request failed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from modelbuilder.core.embedded_redis import (  # noqa: E402
    die_with_parent,
    free_port,
    start_embedded_redis,
    stop_process_group,
)
from scripts.launcher import DAPHNE_OPTIONS  # noqa: E402

TERMINAL = {"succeeded", "failed", "cancelled"}
GRAPH = {
    "nodes": [
        {"id": "in", "layer": "Input", "params": {"shape": [4]}, "position": {"x": 0, "y": 0}},
        {"id": "d1", "layer": "Dense", "params": {"units": 16, "activation": "relu"}},
        {"id": "out", "layer": "Dense", "params": {"units": 3, "activation": "softmax"}},
    ],
    "edges": [{"source": "in", "target": "d1"}, {"source": "d1", "target": "out"}],
}


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def rnd(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f} ms"


class Stack:
    """The processes this script starts; all stopped (process groups) by close()."""

    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="modelbuilder-load-"))
        self.procs: list[subprocess.Popen] = []
        self.named: dict[str, subprocess.Popen] = {}
        self.moto = None
        self.pg_admin_url = None
        self.pg_db = None
        self.probe_log = self.tmp / "ws-probe.jsonl"
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MODELBUILDER_"))
        }

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time daphne used so far, from /proc (a worker's pool child is not its own)."""
        out = {}
        for name, proc in self.named.items():
            if name != "daphne":
                continue
            try:
                fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
            out[name] = round(ticks / os.sysconf("SC_CLK_TCK"), 1)
        return out

    def spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent,
        )  # fmt: skip
        self.procs.append(proc)
        self.named[name] = proc
        return proc

    def start(self) -> str:
        args = self.args
        redis_url = args.redis
        if not redis_url:
            redis_proc, redis_url = start_embedded_redis()
            self.procs.append(redis_proc)
        self.env.update(
            DJANGO_SETTINGS_MODULE=args.settings,
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            MODELBUILDER_VAR_DIR=str(self.tmp),
            MEDIA_ROOT=str(self.tmp / "media"),
            REDIS_URL=redis_url,
            DEBUG="1",
            MODELBUILDER_MAX_CONCURRENT_RUNS=str(args.runs + 10),
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        self.env.pop("DATABASE_URL", None)
        if args.postgres:
            self._create_postgres(args.postgres)
        if args.s3:
            self._start_s3()
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                       cwd=ROOT, env=self.env, check=True)  # fmt: skip
        self.iris = self.tmp / "iris.csv"
        token = subprocess.run(
            [sys.executable, "-c", TOKEN_SCRIPT], cwd=ROOT, check=True,
            env={**self.env, "LOAD_IRIS_PATH": str(self.iris)},
            capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        app = "modelbuilder.asgi:application"
        if args.probe:  # the instrumented copy (bench/web_ws_probe.py)
            app = "bench.web_ws_probe:application"
            self.env["MODELBUILDER_WS_PROBE_LOG"] = str(self.probe_log)
            if args.legacy:
                self.env["MODELBUILDER_WS_PROBE_LEGACY"] = "1"
        self.spawn("daphne", [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                              *(args.daphne_args.split() or DAPHNE_OPTIONS), app])  # fmt: skip
        for i in range(args.workers):
            self.spawn(f"worker{i}", [sys.executable, "-m", "celery", "-A", "modelbuilder",
                                      "worker", "--pool=prefork", "--concurrency=1", "-Q", "cpu,celery",
                                      "-n", f"load{i}-{uuid.uuid4().hex[:6]}@%h",
                                      "--without-gossip", "--without-mingle",
                                      "--loglevel=WARNING"])  # fmt: skip
        self._wait_healthy()
        return token

    def _create_postgres(self, server_url: str) -> None:
        import psycopg

        self.pg_admin_url = server_url
        self.pg_db = f"modelbuilder_load_{os.getpid()}"
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.pg_db}"')
        base = server_url.rsplit("/", 1)[0]
        self.env["DATABASE_URL"] = f"{base}/{self.pg_db}"

    def _start_s3(self) -> None:
        import boto3
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
        port = free_port()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.moto.start()
        creds = {"AWS_ACCESS_KEY_ID": "load", "AWS_SECRET_ACCESS_KEY": "load-secret"}
        endpoint = f"http://127.0.0.1:{port}"
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                     aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
                     aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"],
                     ).create_bucket(Bucket="load")  # fmt: skip
        self.env.update(MODELBUILDER_S3_BUCKET="load", AWS_S3_ENDPOINT_URL=endpoint,
                        AWS_S3_REGION_NAME="us-east-1", **creds)  # fmt: skip

    def _wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"a process exited early; logs in {self.tmp}")
            try:
                health = requests.get(f"{self.base}/api/health", timeout=5).json()
                if len(health.get("worker", {}).get("workers", [])) >= self.args.workers:
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the stack did not become healthy; logs in {self.tmp}")

    def epoch_stored_at(self, run_ids: list[int]) -> dict[int, dict[int, float]]:
        """When each epoch row was stored (the database's created_at), per run."""
        out = subprocess.run(
            [sys.executable, "-c", EPOCHS_SCRIPT, json.dumps(run_ids)], cwd=ROOT, env=self.env,
            check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        return {int(r): {int(e): t for e, t in eps.items()} for r, eps in json.loads(out).items()}

    def close(self) -> None:
        for proc in reversed(self.procs):
            stop_process_group(proc, timeout=5)
        if self.moto is not None:
            self.moto.stop()
        if self.pg_db:
            import psycopg

            with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.pg_db}" WITH (FORCE)')
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


TOKEN_SCRIPT = """
import django; django.setup()
from django.contrib.auth import get_user_model
import os
from modelbuilder.accounts.services import token_create
from modelbuilder.datasets.samples import sample_csv
open(os.environ["LOAD_IRIS_PATH"], "wb").write(sample_csv("iris"))
user = get_user_model().objects.create_user(username="load", password="load-pw-123456")
print(token_create(user=user, name="load")[1])
"""


EPOCHS_SCRIPT = """
import django, json, sys; django.setup()
from modelbuilder.training.models import EpochMetric
out = {}
for e in EpochMetric.objects.filter(run_id__in=json.loads(sys.argv[1])):
    out.setdefault(e.run_id, {})[e.epoch] = e.created_at.timestamp()
print(json.dumps(out))
"""


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


class ApiTraffic(threading.Thread):
    """Steady GETs at `rps` (runs list, one run, datasets, health) until stopped: an open-loop
    schedule (a slow answer does not slow the next request) on a pool of client threads."""

    def __init__(self, base: str, headers: dict, rps: float, run_ids: list[int]):
        super().__init__(daemon=True)
        self.base, self.headers, self.rps, self.run_ids = base, headers, rps, run_ids
        self.latencies: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.local = threading.local()

    def _get(self, key: str, path: str) -> None:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
            session.headers.update(self.headers)
        began = time.monotonic()
        error = None
        try:
            response = session.get(self.base + path, timeout=30)
            if response.status_code != 200:
                error = f"{path}: {response.status_code}"
        except requests.RequestException as exc:
            error = f"{path}: {exc}"
        with self.lock:
            self.latencies.setdefault(key, []).append(time.monotonic() - began)
            if error:
                self.errors.append(error)

    def run(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        paths = ["/api/runs", "/api/runs/{id}", "/api/datasets", "/api/health"]
        i, start = 0, time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            while not self.stop_event.is_set():
                key = paths[i % len(paths)]
                pool.submit(self._get, key, key.format(id=self.run_ids[i % len(self.run_ids)]))
                i += 1
                delay = start + i / self.rps - time.monotonic()  # open loop, no drift
                if delay > 0:
                    self.stop_event.wait(delay)

    def all_latencies(self) -> list[float]:
        return [v for values in self.latencies.values() for v in values]


async def viewer(
    base: str, token: str, run_id: int, epochs: int, deadline: float, delay: float = 0.0
) -> dict:
    """One viewer: everything it knows comes through its websocket (the snapshot, then live events);
    it never asks the REST API. Wall-clock marks (time.time()) compare with the server's."""
    import websockets

    await asyncio.sleep(delay)  # 0 for all: the burst of viewers in one instant

    url = base.replace("http://", "ws://") + f"/ws/runs/{run_id}/"
    seen: list[int] = []
    received_at: dict[int, float] = {}  # live epoch -> when it arrived
    final = None
    began = time.time()
    try:
        socket = await websockets.connect(
            url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=60
        )
    except Exception as exc:
        return {"run": run_id, "handshake_error": repr(exc), "began": began,
                "failed_after": time.time() - began}  # fmt: skip
    opened = time.time()
    async with socket:
        snapshot = json.loads(await asyncio.wait_for(socket.recv(), timeout=60))
        snapshot_at = time.time()
        seen += [e["epoch"] for e in snapshot["epochs"]]
        if snapshot["run"]["status"] in TERMINAL:
            final = snapshot["run"]["status"]
        while final is None:
            message = json.loads(
                await asyncio.wait_for(socket.recv(), timeout=max(1.0, deadline - time.monotonic()))
            )
            if message["type"] == "epoch":
                seen.append(message["epoch"])
                received_at.setdefault(message["epoch"], time.time())
            elif message["type"] == "status" and message["status"] in TERMINAL:
                final = message["status"]
    return {
        "run": run_id,
        "final": final,
        "complete": sorted(set(seen)) == list(range(1, epochs + 1)),
        "in_order": seen == sorted(seen),
        "duplicates": len(seen) - len(set(seen)),
        "began": began,
        "handshake_s": opened - began,
        "snapshot_latency": snapshot_at - began,
        "seen": seen,
        "received_at": received_at,
        "snapshot_epochs": len(snapshot["epochs"]),
        "snapshot_status": snapshot["run"]["status"],
    }


async def viewers(base, token, run_ids, n, epochs, deadline, ramp) -> list[dict | BaseException]:
    tasks = [
        viewer(base, token, run_ids[i % len(run_ids)], epochs, deadline, ramp * i / n)
        for i in range(n)
    ]
    return await asyncio.gather(*tasks, return_exceptions=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
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


def print_report(r: dict) -> None:
    c, runs, v, api = r["config"], r["runs"], r["viewers"], r["api"]
    print(f"load test: {c['workers']} workers, {c['runs']} runs x {c['epochs']} epochs, "
          f"{c['viewers']} viewers, {c['api_rps']} req/s, "
          f"{c['database']}, {c['redis']} Redis, storage {c['storage']}; websocket stack "
          f"{c['websocket_stack']}, daphne {c['daphne']}")  # fmt: skip
    print(
        f"  setup {r['setup_s']} s; {c['runs']} runs queued in {r['submit_s']} s; all ended after {r['load_s']} s"
    )
    print(f"  runs: {runs['succeeded']}/{c['runs']} succeeded, {runs['epochs_stored_complete']} with every epoch "
          f"stored, {runs['models_downloaded']} models downloaded; {runs['throughput_runs_per_min']} runs/min; "
          f"queue wait p50 {runs['queue_wait_s']['p50']} s, p95 {runs['queue_wait_s']['p95']} s; "
          f"training p50 {runs['train_wall_s']['p50']} s")  # fmt: skip
    print(f"  viewers: {v['connected']}/{c['viewers']} connected, {v['saw_every_epoch_once']} saw every epoch "
          f"exactly once, {v['saw_final_status']} saw the final status, {v['duplicates']} duplicates; "
          f"snapshot p50 {ms(v['snapshot_latency_s']['p50'])}, p95 {ms(v['snapshot_latency_s']['p95'])}")  # fmt: skip
    d = v["delivery_s"]
    print(f"  handshakes: {v['handshakes_completed']}/{c['viewers']} completed, p50 "
          f"{ms(v['handshake_s']['p50'])}, p99 {ms(v['handshake_s']['p99'])}, max "
          f"{ms(v['handshake_s']['max'])}; epochs by websocket: {v['epochs_via_snapshot']} in "
          f"snapshots + {v['epochs_via_live_events']} live; epoch stored -> received p50 "
          f"{ms(d['p50'])}, p99 {ms(d['p99'])}, max {ms(d['max'])}")  # fmt: skip
    for failure in v["failed"]:
        print(f"    failed: {failure}")
    for missing in v["incomplete"]:
        print(f"    incomplete: {missing}")
    if "handshake_probe" in r:
        probe = r["handshake_probe"]
        print(f"  server side ({probe['connections']} handshakes; db threads {probe['db_threads']}; "
              f"loop lag p99 {ms(probe['loop_lag_s']['p99'])}, max {ms(probe['loop_lag_s']['max'])}):")  # fmt: skip
        for stage, q in probe["stages_s"].items():
            print(f"    {stage}: p50 {ms(q['p50'])}, p99 {ms(q['p99'])}, max {ms(q['max'])}, "
                  f"sum {q['sum']} s")  # fmt: skip
    lat = api["latency_s"]
    print(f"  api: {api['requests']} requests ({api['achieved_rps']}/s), {api['errors']} errors; latency p50 "
          f"{ms(lat['p50'])}, p95 {ms(lat['p95'])}, p99 {ms(lat['p99'])}, max {ms(lat['max'])}")  # fmt: skip
    q = api["latency_s_without_health"]
    print(f"    all but /api/health: p50 {ms(q['p50'])}, p99 {ms(q['p99'])}")
    for path, q in api["per_endpoint_s"].items():
        print(f"    {path}: p50 {ms(q['p50'])}, p95 {ms(q['p95'])}")
    if "machine" in r:
        m = r["machine"]
        print(f"  machine: load average {m['load_average_1m_at_end']} on {m['cpus']} CPUs; CPU s "
              f"used during the load: {m['cpu_s_during_load']}")  # fmt: skip
    print(f"  nothing lost: {r['nothing_lost']}")


if __name__ == "__main__":
    sys.exit(main())
