"""A sweep through the real Celery worker: each trial's run ends, the run-ended hook queues
`sweeps.tasks.advance`, which tells the oracle and queues the next trials; the websocket sends a
snapshot, then trial and status events. A hopeless trial is pruned by the median rule in the
worker, right after it stored an epoch. Only the owner (or staff) may open the socket."""

import asyncio
import re
import time

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from modelbuilder.asgi import application
from modelbuilder.sweeps import selectors
from modelbuilder.sweeps.events import sweep_group
from modelbuilder.sweeps.models import Sweep

# Every test here queues trial runs, and the session's worker takes them (even for the tests that only
# watch the socket): worker_settles waits for it before the flush.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio, pytest.mark.usefixtures("worker_settles")]
TERMINAL = {"succeeded", "failed", "cancelled", "pruned"}


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


async def follow(socket, sweep_id: int) -> tuple[dict, list[dict], str]:
    """Every event until the sweep ended and no trial is still running: the last trial states, the
    events, the sweep's final status."""
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
    return trials, events, status


async def test_a_hopeless_trial_is_pruned_and_the_sweep_goes_on(
    celery_worker_proc, alice, sweep_body
):
    """One trial at a time, in grid order: two learning trials, then one whose learning rate is too
    small to move its (seeded, identical) initial weights, then a fast learner. At epoch 2 the third
    one's val_loss is still the untrained one, certainly above the median of the two learners'
    epoch-2 values: it is stopped there (warm-up 1 epoch, 2 succeeded trials needed). The fourth
    is below that median at every epoch and completes."""
    rates = [0.01, 0.02, 1e-7, 0.05]
    body = sweep_body(
        {"learning_rate": {"type": "choice", "values": rates}},
        max_trials=4,
        # Standardised features, batch 32: smooth curves (epoch-2 val_loss about 0.88, 0.64, 1.27
        # (untrained), 0.38): the margins are wide, the outcome is not a matter of noise.
        config={"epochs": 4, "batch_size": 32, "standardize": True},
        pruning_warmup_epochs=1,
        pruning_startup_trials=2,
    )
    started = time.monotonic()
    response = await sync_to_async(alice.post)("/api/sweeps", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["pruning"] == "median"
    sweep_id = response.json()["id"]
    socket, connected = await connect(sweep_id, client=alice)
    assert connected
    trials, events, _ = await follow(socket, sweep_id)
    await socket.disconnect()
    elapsed = time.monotonic() - started

    sweep = await sync_to_async(Sweep.objects.select_related("best_trial").get)(pk=sweep_id)
    rows = await sync_to_async(
        lambda: {
            t.number: (t.run.status, [e.logs["val_loss"] for e in t.run.epochs.all()])
            for t in sweep.trials.select_related("run")
        }
    )()
    assert [trials[n]["status"] for n in (1, 2, 3, 4)] == [
        "succeeded",
        "succeeded",
        "pruned",
        "succeeded",
    ], rows
    pruned = trials[3]
    assert pruned["params"] == {"learning_rate": 1e-7} and pruned["pruned_epoch"] == 2
    assert re.fullmatch(
        r"pruned at epoch 2: val_loss [0-9.]+ worse than the median [0-9.]+ of 2 trials",
        pruned["prune_reason"],
    ), pruned["prune_reason"]
    assert pruned["error"] is None and pruned["model_url"] is None
    # Live: first the decision while the run is still stopping, then the trial's end.
    live = [e["trial"] for e in events if e["type"] == "trial" and e["trial"]["number"] == 3]
    assert any(t["status"] == "running" and t["prune_reason"] for t in live), live
    assert live[-1]["status"] == "pruned"

    run_status, losses = rows[3]
    # Stopped like a cancel, at the end of epoch 2 where it was pruned (the flag is read right after
    # the epoch is stored): no part of epoch 3 is trained.
    assert run_status == "cancelled" and len(losses) == 2, rows[3]
    assert pruned["objective"] == min(losses)  # its best epoch so far
    medians = sorted(rows[n][1][1] for n in (1, 2))
    assert losses[1] > sum(medians) / 2  # the rule, checked on the stored numbers
    assert all(rows[n][0] == "succeeded" and len(rows[n][1]) == 4 for n in (1, 2, 4))
    assert sweep.status == "succeeded" and sweep.best_trial.number != 3
    assert trials[4]["based_on"] == 3  # proposed after the pruned trial was told
    print(f"pruned sweep: 4 trials in {elapsed:.1f} s; losses {rows}")


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
    trials, events, status = await follow(socket, sweep_id)
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


async def test_the_handshake_does_not_wait_for_the_group_join(alice, sweep_body, monkeypatch):
    """Accepted right after the access check: a slow group join (Redis busy under a burst of
    viewers) delays the snapshot, not the handshake, and nothing is sent before the snapshot."""
    response = await sync_to_async(alice.post)(
        "/api/sweeps", sweep_body(), content_type="application/json"
    )
    sweep_id = response.json()["id"]
    layer = get_channel_layer()
    join, release = layer.group_add, asyncio.Event()

    async def held_join(group, channel):
        await release.wait()
        await join(group, channel)

    monkeypatch.setattr(layer, "group_add", held_join)
    socket = WebsocketCommunicator(
        application, f"/ws/sweeps/{sweep_id}/", headers=headers_for(client=alice)
    )
    connected, _ = await socket.connect(timeout=3)  # joining first would never get here
    assert connected
    assert await socket.receive_nothing(timeout=0.3)  # no snapshot while the join is held
    release.set()
    assert (await socket.receive_json_from(timeout=10))["type"] == "snapshot"
    await socket.disconnect()
    await sync_to_async(alice.post)(f"/api/sweeps/{sweep_id}/cancel")


async def test_an_event_sent_while_the_snapshot_is_read_follows_it(alice, sweep_body, monkeypatch):
    """The group is joined before the snapshot is read: a trial event broadcast in between (a trial
    the snapshot does not hold yet) is delivered, right after the snapshot."""
    response = await sync_to_async(alice.post)(
        "/api/sweeps", sweep_body(), content_type="application/json"
    )
    sweep_id = response.json()["id"]
    read = selectors.sweep_snapshot
    trial = {"number": 99, "status": "running", "params": {"units@d1": 8}}

    def snapshot_with_an_event_before(*, sweep_id):
        layer = get_channel_layer()
        event = {"type": "trial", "trial": trial}
        async_to_sync(layer.group_send)(
            sweep_group(sweep_id), {"type": "sweep.event", "event": event}
        )
        return read(sweep_id=sweep_id)

    monkeypatch.setattr(selectors, "sweep_snapshot", snapshot_with_an_event_before)
    socket, connected = await connect(sweep_id, client=alice)
    assert connected
    snapshot = await socket.receive_json_from(timeout=10)
    assert snapshot["type"] == "snapshot" and snapshot["sweep"]["status"] == "running"
    assert 99 not in {t["number"] for t in snapshot["trials"]}
    assert await socket.receive_json_from(timeout=10) == {"type": "trial", "trial": trial}
    await socket.disconnect()
    await sync_to_async(alice.post)(f"/api/sweeps/{sweep_id}/cancel")
