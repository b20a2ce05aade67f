"""Redis restarts mid-run (kill -9, back on the same port up to 2 s later): the run finishes and the run's
dashboard in the browser ends `succeeded` with every epoch in its table and chart.

The server (daphne) and the worker get a Redis of their own (broker, results and channel layer), so
the test can kill it without touching the session's; loopback only, every process bounded in time.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from modelbuilder.core.embedded_redis import (
    die_with_parent,
    free_port,
    redis_answers,
    redis_server_binary,
    stop_process_group,
)
from modelbuilder.training.models import EpochMetric, Run
from scripts.launcher import DAPHNE_OPTIONS  # the web server's options, as `make run` starts it
from tests.e2e.helpers import base_url, console, screenshot, sign_up, upload_dataset  # noqa: F401
from tests.e2e.test_training import make_csv
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
EPOCHS = 10


class OwnRedis:
    """A redis-server on a free loopback port, no persistence: a restart forgets everything."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self) -> None:
        argv = [redis_server_binary(), "--bind", "127.0.0.1", "--port", str(self.port),
                "--save", "", "--appendonly", "no", "--daemonize", "no"]  # fmt: skip
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True, preexec_fn=die_with_parent)  # fmt: skip
        wait_for(lambda: redis_answers(self.url, timeout=0.3), 15, "redis to answer")

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process_group(self.proc)


def _spawn(argv, env, log_path: Path) -> subprocess.Popen:
    with open(log_path, "wb") as log:
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=die_with_parent)  # fmt: skip


@pytest.fixture
def own_redis_stack(subprocess_env, frontend_dist):
    """(redis, base_url, logs): daphne + a Celery worker on a Redis of their own."""
    redis = OwnRedis()
    redis.start()
    env = dict(subprocess_env, REDIS_URL=redis.url, ALLOWED_HOSTS="127.0.0.1,localhost")
    logs = {name: Path(tempfile.mkstemp(prefix=f"mb-redis-restart-{name}-", suffix=".log")[1])
            for name in ("daphne", "worker")}  # fmt: skip
    port = free_port()
    daphne = Path(sys.executable).parent / "daphne"
    procs = []
    try:
        procs.append(_spawn([str(daphne), "-b", "127.0.0.1", "-p", str(port), *DAPHNE_OPTIONS,
                             "modelbuilder.asgi:application"], env, logs["daphne"]))  # fmt: skip
        procs.append(_spawn([sys.executable, "-m", "celery", "-A", "modelbuilder", "worker",
                             "--pool=solo", "-Q", "cpu,celery", "-n", f"redis-restart-{port}@%h",
                             "--without-gossip", "--without-mingle", "--without-heartbeat",
                             "--loglevel=INFO"], env, logs["worker"]))  # fmt: skip
        url = f"http://127.0.0.1:{port}"

        def daphne_answers():
            try:
                urllib.request.urlopen(url + "/api/health", timeout=5).close()
            except urllib.error.HTTPError:
                return True
            except OSError:
                return False
            return True

        wait_for(daphne_answers, 60, "daphne")
        wait_for(lambda: b"ready" in logs["worker"].read_bytes(), 60, "the worker")
        yield redis, url, logs
    finally:
        for proc in procs:
            stop_process_group(proc)
        redis.stop()
        for path in logs.values():
            path.unlink(missing_ok=True)


def start_run(page, server: str, tmp_path) -> int:
    """Sign up, upload a CSV, train the MLP template for EPOCHS epochs; the run page is open."""
    sign_up(page, server)
    make_csv(tmp_path / "slow.csv", rows=8000)  # 400 training batches an epoch: about 1 s each
    upload_dataset(page, tmp_path / "slow.csv")
    page.goto(server + "/designs/new?template=mlp")
    expect(page.get_by_test_id("summary-status")).to_have_text(re.compile("Valid"))
    page.get_by_test_id("open-train").click()
    page.get_by_test_id("train-epochs").fill(str(EPOCHS))
    page.get_by_test_id("train-batch").fill("16")
    page.get_by_test_id("train-submit").click()
    expect(page).to_have_url(re.compile(r"/runs/\d+$"), timeout=30_000)
    return int(page.url.rsplit("/", 1)[1])


def epochs_stored(run_id: int) -> int:
    return EpochMetric.objects.filter(run_id=run_id).count()


def assert_page_shows_every_epoch(page, run_id: int, name: str) -> None:
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "succeeded", timeout=60_000
    )
    expect(page.get_by_test_id("epoch-row")).to_have_count(EPOCHS)
    expect(page.get_by_test_id("chart-loss")).to_have_attribute("data-points", str(EPOCHS))
    screenshot(page, name)
    run = Run.objects.get(pk=run_id)
    assert run.status == "succeeded", run.error
    assert list(run.epochs.values_list("epoch", flat=True)) == list(range(1, EPOCHS + 1))


def run_sockets(urls: list[str]) -> int:
    return len([u for u in urls if "/ws/runs/" in u])


def test_the_dashboard_shows_every_epoch_although_redis_restarted(
    page,
    own_redis_stack,
    console,  # noqa: F811
    tmp_path,
):
    """Down up to 2 s mid-run: the server drops the page's socket, the page reconnects once Redis is back
    (a fresh snapshot) and ends with every epoch."""
    redis, server, _ = own_redis_stack
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    run_id = start_run(page, server, tmp_path)
    wait_for(lambda: epochs_stored(run_id) >= 2, 60, "epoch 2")
    started = time.monotonic()
    wait_for(lambda: epochs_stored(run_id) >= 3, 60, "epoch 3")
    epoch_s = time.monotonic() - started
    # Down for 2 s, or less on a machine fast enough that the run would end meanwhile: Redis must be
    # back while the run still has epochs to go (a quarter of the time left), whatever the speed.
    down_s = min(2.0, (EPOCHS - 3) * epoch_s / 4)
    redis.kill()
    killed_after = epochs_stored(run_id)
    time.sleep(down_s)
    redis.start()
    back_after = epochs_stored(run_id)
    print(f"Redis killed after epoch {killed_after}, down {down_s:.1f} s, back after epoch {back_after}")
    # still running when Redis is back (else this is the test below): if not, slow the epochs down
    assert back_after < EPOCHS, "the run ended while Redis was down: make epochs slower"
    assert_page_shows_every_epoch(page, run_id, "run-after-redis-restart")
    assert run_sockets(sockets) >= 2, sockets  # it reconnected
    console.assert_clean(expected=("WebSocket",))  # the handshakes refused while Redis was down


def test_the_dashboard_ends_while_redis_is_still_down(
    page,
    own_redis_stack,
    console,  # noqa: F811
    tmp_path,
):
    """Killed mid-run and not restarted: the run ends, its final status broadcast is lost, no socket
    can open; the page, reading the run over HTTP after failed handshakes, still ends `succeeded`
    with every epoch before Redis comes back."""
    redis, server, _ = own_redis_stack
    run_id = start_run(page, server, tmp_path)
    wait_for(lambda: epochs_stored(run_id) >= 3, 60, "epoch 3")
    redis.kill()
    down_at = time.monotonic()
    assert epochs_stored(run_id) < EPOCHS, "the run ended before Redis was killed"
    assert_page_shows_every_epoch(page, run_id, "run-ended-while-redis-down")
    assert redis.proc.poll() is not None  # all of it while Redis was down
    print(f"the page showed the end {time.monotonic() - down_at:.1f} s after Redis was killed")
    redis.start()  # the teardown stops the worker and server cleanly
    console.assert_clean(expected=("WebSocket",))


def test_a_run_that_cannot_be_shown_is_still_refused(page, base_url):  # noqa: F811
    """The page asks HTTP why the socket fails (above); a run that is not there is refused."""
    sign_up(page, base_url)
    page.goto(base_url + "/runs/999999")
    expect(page.get_by_text("This run cannot be shown")).to_be_visible(timeout=30_000)
