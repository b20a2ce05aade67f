"""The whole path through a real Celery worker, Redis and the websocket.

upload iris CSV -> design -> run -> websocket snapshot, progress, epochs -> succeeded -> download
the .h5 -> engine.models.load_model predicts what the worker's model predicted. Also: cancelling
a running and a queued run, a diverging run failing, and who may open a run's websocket.
"""

import asyncio

import numpy as np
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from modelbuilder.asgi import application
from modelbuilder.training import services
from modelbuilder.training.models import Run
from tests.conftest import wait_worker_idle

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("worker_settles")]
TERMINAL = {"succeeded", "failed", "cancelled"}


def headers_for(client=None, token: str | None = None) -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", b"http://testserver")]
    if client is not None and "sessionid" in client.cookies:
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return headers


async def open_socket(run_id, **auth) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, f"/ws/runs/{run_id}/", headers=headers_for(**auth))
    connected, _ = await socket.connect(timeout=10)
    assert connected
    return socket


async def receive_until_end(socket, timeout=60) -> list[dict]:
    messages = []
    while True:
        message = await socket.receive_json_from(timeout=timeout)
        messages.append(message)
        if message["type"] == "status" and message["status"] in TERMINAL:
            return messages


def epochs_seen(snapshot: dict, live: list[dict]) -> list[int]:
    return [e["epoch"] for e in snapshot["epochs"]] + [
        m["epoch"] for m in live if m["type"] == "epoch"
    ]


@pytest.fixture
def deferred_queue(monkeypatch):
    """Hold the (after-commit) queueing until the test says so, to open sockets first."""
    held, real = [], services._enqueue
    monkeypatch.setattr(services, "_enqueue", lambda *args: held.append(args))
    return lambda: [real(*args) for args in held]


async def post_run(client, body) -> int:
    response = await sync_to_async(client.post)("/api/runs", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


async def test_the_whole_path(celery_worker_proc, alice, run_body, deferred_queue, tmp_path):
    from engine.models import load_model

    epochs = 12
    run_id = await post_run(alice, run_body(epochs=epochs, batch_size=8, standardize=True))
    first = await open_socket(run_id, client=alice)
    snapshot = await first.receive_json_from(timeout=10)
    assert snapshot["type"] == "snapshot" and snapshot["run"]["status"] == "queued"
    assert snapshot["epochs"] == []
    await sync_to_async(deferred_queue)()
    live = []
    while sum(m["type"] == "epoch" for m in live) < 3:  # a page that connects mid-run ...
        live.append(await first.receive_json_from(timeout=60))
    second = await open_socket(run_id, client=alice)
    second_snapshot = await second.receive_json_from(timeout=10)
    live += await receive_until_end(first)
    second_live = await receive_until_end(second)
    await first.disconnect()
    await second.disconnect()

    types = [m["type"] for m in live]
    assert types[0] == "status" and live[0]["status"] == "running"
    assert "progress" in types and types.count("epoch") == epochs >= 5
    assert live[-1] == {**live[-1], "type": "status", "status": "succeeded"}
    progress = next(m for m in live if m["type"] == "progress")
    assert set(progress) >= {"epoch", "batch", "batches"}
    assert epochs_seen(snapshot, live) == list(range(1, epochs + 1))
    # ... misses nothing and gets nothing twice:
    assert epochs_seen(second_snapshot, second_live) == list(range(1, epochs + 1))
    assert second_live[-1]["status"] == "succeeded"
    epoch_event = next(m for m in live if m["type"] == "epoch")
    assert set(epoch_event["logs"]) >= {"loss", "accuracy", "val_loss", "val_accuracy"}

    run = await sync_to_async(Run.objects.get)(pk=run_id)
    assert run.status == "succeeded" and run.wall_time > 0 and run.device == "cpu"
    assert types.count("progress") <= 5 * run.wall_time + 1  # throttled to at most 5 per second
    response = await sync_to_async(alice.get)(f"/api/runs/{run_id}/model.h5")
    assert response.status_code == 200
    content = await sync_to_async(lambda: b"".join(response.streaming_content))()
    (tmp_path / "m.h5").write_bytes(content)
    model = load_model(str(tmp_path / "m.h5"))
    check = run.sample_predictions
    np.testing.assert_allclose(
        model.predict(np.array(check["x"], dtype=np.float32), verbose=0),
        np.array(check["y"]),
        rtol=1e-5,
        atol=1e-6,
    )


async def test_cancel_while_running_and_while_queued(celery_worker_proc, alice, run_body):
    long_id = await post_run(alice, run_body(epochs=10000, batch_size=4))
    socket = await open_socket(long_id, client=alice)
    await socket.receive_json_from(timeout=10)  # snapshot
    while (await socket.receive_json_from(timeout=60))["type"] != "epoch":
        pass
    queued_id = await post_run(alice, run_body())  # the solo worker is busy: this one waits
    cancelled = await sync_to_async(alice.post)(f"/api/runs/{queued_id}/cancel")
    assert cancelled.json()["status"] == "cancelled"

    response = await sync_to_async(alice.post)(f"/api/runs/{long_id}/cancel")
    assert response.json()["cancel_requested"] is True
    rest = await receive_until_end(socket, timeout=30)
    await socket.disconnect()
    assert rest[-1]["status"] == "cancelled"
    run = await sync_to_async(Run.objects.get)(pk=long_id)
    kept = await sync_to_async(run.epochs.count)()
    assert run.status == "cancelled" and 1 <= kept < 10000 and not run.artifact

    for _ in range(100):  # the queued run's task reaches the worker and is skipped
        queued = await sync_to_async(Run.objects.get)(pk=queued_id)
        if not await sync_to_async(Run.objects.filter(status="running").exists)():
            break
        await asyncio.sleep(0.1)
    assert queued.status == "cancelled" and queued.started_at is None
    await sync_to_async(wait_worker_idle)(celery_worker_proc)  # the skipped task too, before the flush


async def test_a_diverging_run_ends_failed_with_its_message(
    celery_worker_proc, alice, iris_dataset, make_design, mb
):
    design = await sync_to_async(make_design)(
        mb.mlp_graph(inputs=3, outputs=1, activation="linear"), "reg"
    )
    body = {
        "design": design["id"],
        "dataset": iris_dataset["id"],
        "target": "petal_width_cm",
        "features": ["sepal_length_cm", "sepal_width_cm", "petal_length_cm"],
        "config": {
            "loss": "mse",
            "optimizer": "sgd",
            "learning_rate": 100,
            "epochs": 30,
            "batch_size": 150,
            "validation_split": 0,
            "metrics": [],
        },
    }
    run_id = await post_run(alice, body)
    socket = await open_socket(run_id, client=alice)
    messages = await receive_until_end(socket)
    await socket.disconnect()
    assert messages[-1]["status"] == "failed" and "loss became" in messages[-1]["error"]


async def test_who_may_open_a_runs_websocket(alice, bob, anon, staff_user, bearer, mb, run_body):
    run_id = await post_run(alice, run_body())
    token = bearer["HTTP_AUTHORIZATION"].split()[1]
    staff = await sync_to_async(mb.logged_in)(staff_user)
    for auth in ({"client": alice}, {"token": token}, {"client": staff}):
        socket = await open_socket(run_id, **auth)
        assert (await socket.receive_json_from(timeout=10))["run"]["id"] == run_id
        await socket.disconnect()
    for auth, url in [
        ({"client": bob}, run_id),
        ({"client": anon}, run_id),
        ({"token": "mb_wrong"}, run_id),
        ({"client": alice}, 987654),
    ]:
        socket = WebsocketCommunicator(application, f"/ws/runs/{url}/", headers=headers_for(**auth))
        connected, _ = await socket.connect(timeout=10)
        assert not connected, auth
