"""A burst of websocket viewers against a real daphne process (started as `make run` starts it) and a
real worker: 50 viewers of one run open at the same instant, with 10 more on a short run that ends
first, so that those 10 leave while the big run's first epochs are being delivered (the moment
channels_redis could lose a message: modelbuilder/core/channel_layer.py). Every handshake
completes; every viewer of the big run gets every epoch exactly once, by the websocket alone.
"""

import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest
import websockets
from asgiref.sync import sync_to_async

from modelbuilder.core.embedded_redis import die_with_parent, free_port, stop_process_group
from modelbuilder.training import services
from modelbuilder.training.models import EpochMetric
from scripts.launcher import DAPHNE_OPTIONS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("worker_settles")]
ROOT = Path(__file__).resolve().parents[3]
VIEWERS, LEAVERS, EPOCHS = 50, 10, 8
TERMINAL = {"succeeded", "failed", "cancelled"}


@pytest.fixture
def daphne_url(subprocess_env, tmp_path):
    port = free_port()
    log = tmp_path / "daphne.log"
    argv = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), *DAPHNE_OPTIONS,
            "modelbuilder.asgi:application"]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=subprocess_env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=die_with_parent,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, f"daphne exited:\n{log.read_text()}"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"daphne did not listen:\n{log.read_text()}"
                time.sleep(0.1)
        yield f"ws://127.0.0.1:{port}"
    finally:
        stop_process_group(proc, timeout=5)


async def watch(url: str, token: str, ready_one) -> dict:
    """One viewer; ``ready_one()`` once it holds its snapshot (or failed): only then may the runs start, or
    an epoch stored before a late snapshot is read would come in the snapshot instead of live."""
    began = time.time()
    try:
        ws = await websockets.connect(
            url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=30
        )
    except BaseException:
        ready_one()
        raise
    async with ws:
        opened = time.time()
        try:
            snapshot = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
        finally:
            ready_one()
        epochs, final = (
            [],
            snapshot["run"]["status"] if snapshot["run"]["status"] in TERMINAL else None,
        )
        while final is None:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
            if message["type"] == "epoch":
                epochs.append((message["epoch"], time.time()))
            elif message["type"] == "status" and message["status"] in TERMINAL:
                final = message["status"]
    return {"handshake_s": opened - began, "snapshot": snapshot, "epochs": epochs, "final": final}


async def test_a_burst_of_viewers_on_a_real_daphne(
    celery_worker_proc, daphne_url, alice, bearer, run_body, monkeypatch
):
    held, real = [], services._enqueue
    monkeypatch.setattr(services, "_enqueue", lambda *args: held.append(args))
    token = bearer["HTTP_AUTHORIZATION"].split()[1]
    create = sync_to_async(alice.post)
    big = (await create("/api/runs", run_body(epochs=EPOCHS, batch_size=8),
                        content_type="application/json")).json()["id"]  # fmt: skip
    short = (await create("/api/runs", run_body(epochs=2, batch_size=8),
                          content_type="application/json")).json()["id"]  # fmt: skip

    all_ready = asyncio.Event()
    pending = [VIEWERS + LEAVERS]

    def ready_one():
        pending[0] -= 1
        if not pending[0]:
            all_ready.set()

    # One viewer first: a web process serving its first websocket imports and connects lazily.
    async with websockets.connect(
        f"{daphne_url}/ws/runs/{short}/", additional_headers={"Authorization": f"Bearer {token}"}
    ) as ws:
        assert json.loads(await ws.recv())["type"] == "snapshot"
    viewers = [watch(f"{daphne_url}/ws/runs/{big}/", token, ready_one) for _ in range(VIEWERS)]
    leavers = [watch(f"{daphne_url}/ws/runs/{short}/", token, ready_one) for _ in range(LEAVERS)]
    tasks = [asyncio.ensure_future(v) for v in viewers + leavers]  # all in one instant
    await asyncio.wait_for(all_ready.wait(), timeout=40)
    # Then the runs, the short one first (one solo worker, FIFO): its viewers leave as the big
    # run's first events go out. Every epoch of the big run comes as a live event.
    await sync_to_async(lambda: [real(*args) for args in reversed(held)])()
    results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=90)

    failures = [r for r in results if isinstance(r, BaseException)]
    assert not failures, f"{len(failures)} of {len(results)} viewers failed: {failures[:3]!r}"
    stored = await sync_to_async(
        lambda: {e.epoch: e.created_at.timestamp() for e in EpochMetric.objects.filter(run_id=big)}
    )()
    assert sorted(stored) == list(range(1, EPOCHS + 1))
    delays = []
    for result in results[:VIEWERS]:
        assert result["final"] == "succeeded"
        seen = [e["epoch"] for e in result["snapshot"]["epochs"]] + [e for e, _ in result["epochs"]]
        assert seen == list(range(1, EPOCHS + 1)), seen  # every epoch, once, in order
        delays += [at - stored[epoch] for epoch, at in result["epochs"]]
    assert all(r["final"] == "succeeded" for r in results[VIEWERS:])
    handshakes = sorted(r["handshake_s"] for r in results)
    delays.sort()
    print(f"\n{len(results)} handshakes at once on daphne: p50 {statistics.median(handshakes):.3f} s, "
          f"max {handshakes[-1]:.3f} s; {len(delays)} live epochs, stored -> received p50 "
          f"{statistics.median(delays) * 1000:.0f} ms, p99 "
          f"{delays[int(0.99 * (len(delays) - 1))] * 1000:.0f} ms")  # fmt: skip
    assert len(delays) == VIEWERS * EPOCHS  # none came in a snapshot: the stream alone is whole
