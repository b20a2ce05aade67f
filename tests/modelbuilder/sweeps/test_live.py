"""A sweep through the real Celery worker: each trial's run ends, the run-ended hook queues
`sweeps.tasks.advance`, which tells the oracle and queues the next trials; the websocket sends a
snapshot, then trial and status events. Only the owner (or staff) may open the socket."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from modelbuilder.asgi import application
from modelbuilder.sweeps.models import Sweep

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]
TERMINAL = {"succeeded", "failed", "cancelled"}


def headers_for(client=None, token: str | None = None) -> list[tuple[bytes, bytes]]:
    headers = [(b"origin", b"http://testserver")]
    if client is not None and "sessionid" in client.cookies:
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return headers


async def connect(sweep_id, **auth):
    socket = WebsocketCommunicator(
        application, f"/ws/sweeps/{sweep_id}/", headers=headers_for(**auth)
    )
    connected, _ = await socket.connect(timeout=10)
    return socket, connected


async def test_a_random_sweep_on_the_real_worker(celery_worker_proc, alice, sweep_body):
    space = {
        "units@d1": {"type": "int", "min": 4, "max": 16, "step": 4},
        "learning_rate": {"type": "float", "min": 1e-3, "max": 5e-2, "log": True},
    }
    body = sweep_body(space, strategy="random", max_trials=3, parallelism=2)
    response = await sync_to_async(alice.post)("/api/sweeps", body, content_type="application/json")
    assert response.status_code == 201, response.content
    sweep_id = response.json()["id"]
    socket, connected = await connect(sweep_id, client=alice)
    assert connected
    snapshot = await socket.receive_json_from(timeout=10)
    assert snapshot["type"] == "snapshot" and snapshot["sweep"]["id"] == sweep_id
    trials = {t["number"]: t for t in snapshot["trials"]}
    status, events = snapshot["sweep"]["status"], []
    while status not in TERMINAL or any(t["status"] not in TERMINAL for t in trials.values()):
        event = await socket.receive_json_from(timeout=90)
        events.append(event)
        if event["type"] == "trial":
            trials[event["trial"]["number"]] = event["trial"]
        elif event["type"] == "status":
            status = event["status"]
    await socket.disconnect()

    assert status == "succeeded", events
    assert sorted(trials) == [1, 2, 3] and {t["status"] for t in trials.values()} == {"succeeded"}
    assert any(e["type"] == "trial" and e["trial"]["number"] == 3 for e in events)  # queued live
    final = events[-1] if events[-1]["type"] == "status" else None
    assert final and final["best_trial"] in trials and final["finished_at"]
    best = min(trials.values(), key=lambda t: t["objective"])
    assert final["best_trial"] == best["number"] and final["best_params"] == best["params"]

    sweep = await sync_to_async(Sweep.objects.select_related("best_trial").get)(pk=sweep_id)
    assert sweep.status == "succeeded" and sweep.best_trial.number == best["number"]
    runs = await sync_to_async(lambda: [t.run for t in sweep.trials.select_related("run")])()
    assert all(r.status == "succeeded" and r.artifact for r in runs)
    assert {r.config["epochs"] for r in runs} == {2}
    download = await sync_to_async(alice.get)(best["model_url"])
    assert download.status_code == 200


async def test_only_the_owner_or_staff_may_open_the_socket(
    alice, bob, anon, staff_user, sweep_body, mb
):
    response = await sync_to_async(alice.post)(
        "/api/sweeps", sweep_body(), content_type="application/json"
    )
    sweep_id = response.json()["id"]
    for auth in ({"client": bob}, {"client": anon}, {"token": "not-a-token"}, {}):
        socket, connected = await connect(sweep_id, **auth)
        assert not connected, auth
    socket, connected = await connect(sweep_id + 1000, client=alice)
    assert not connected
    staff = await sync_to_async(mb.logged_in)(staff_user)
    socket, connected = await connect(sweep_id, client=staff)
    assert connected
    assert (await socket.receive_json_from(timeout=10))["type"] == "snapshot"
    await socket.disconnect()
    await sync_to_async(alice.post)(f"/api/sweeps/{sweep_id}/cancel")
