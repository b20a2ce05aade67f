"""The processes of the load test's stack (daphne, Celery workers, Redis, optionally PostgreSQL and a
moto S3 server) on a fresh database, and what the test reads from its database."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

from modelbuilder.core.embedded_redis import (
    die_with_parent,
    free_port,
    start_embedded_redis,
    stop_process_group,
)
from scripts.launcher import DAPHNE_OPTIONS

ROOT = Path(__file__).resolve().parents[2]


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
