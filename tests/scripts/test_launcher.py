"""`make run`'s launcher on a fresh var dir: embedded Redis, worker, daphne; Ctrl-C stops all."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from modelbuilder.core.embedded_redis import free_port

ROOT = Path(__file__).resolve().parents[2]


def start(tmp_path, port, log):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        PORT=str(port),
        MODELBUILDER_VAR_DIR=str(tmp_path / "var"),
        MEDIA_ROOT=str(tmp_path / "var" / "media"),
        MODELBUILDER_WORKER_CONCURRENCY="1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("MODELBUILDER_ADMIN_PASSWORD", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "launcher.py")],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # like a terminal: the test sends SIGINT to this group only
    )


def read_until_ready(proc, log, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = log.read_text()
        if "ready in" in text:
            return text
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail("launcher did not become ready:\n" + log.read_text())


def descendants(pid):
    return [p.pid for p in psutil.Process(pid).children(recursive=True)]


def stop(proc, tree, sig=signal.SIGINT):
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)  # what Ctrl-C in a terminal does
    else:
        proc.send_signal(sig)  # only the launcher: its children must follow it
    proc.wait(timeout=60)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alive = [p for p in tree if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
        if not alive:
            return
        time.sleep(0.2)
    for pid in alive:  # clean up for the next run, then report
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    pytest.fail(f"orphans left behind: {alive}")


def health(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=10) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def test_run_starts_everything_green_and_ctrl_c_leaves_no_orphans(tmp_path):
    port = free_port()
    proc = start(tmp_path, port, tmp_path / "first.log")
    try:
        output = read_until_ready(proc, tmp_path / "first.log")
        tree = descendants(proc.pid)
        status, body = health(port)
    except BaseException:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    stop(proc, tree)

    assert status == 200, body
    assert {part: body[part]["ok"] for part in body} == dict.fromkeys(body, True)
    assert len(tree) >= 4  # redis, worker (+ its pool process), daphne
    password = re.search(r"created the admin user 'admin' with password: (\S+)", output)
    assert password, output
    assert f"http://127.0.0.1:{port}/" in output

    # A second start reuses the database: no new admin, no password printed. This time the
    # launcher itself is SIGKILLed (no clean-up code runs): its children still go away.
    second = start(tmp_path, port, tmp_path / "second.log")
    try:
        again = read_until_ready(second, tmp_path / "second.log")
        tree = descendants(second.pid)
    except BaseException:
        os.killpg(second.pid, signal.SIGKILL)
        raise
    stop(second, tree, signal.SIGKILL)
    assert "created the admin user" not in again
