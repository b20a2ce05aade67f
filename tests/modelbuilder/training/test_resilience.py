"""Runs survive lost workers: kill -9 mid-epoch, the reaper, pause/resume, the concurrency limit and
memory admission (modelbuilder/training/resilience/, engine/checkpoint.py)."""

import os
import signal
import threading
import time
from datetime import timedelta

import numpy as np
import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from modelbuilder.training import resilience
from modelbuilder.training.execution import run_execute
from modelbuilder.training.models import EpochMetric, Run
from modelbuilder.training.resilience import checkpoints, session
from tests.waiting import wait_for

TERMINAL = {"succeeded", "failed", "cancelled"}


def npz_dataset(client, mb, rows: int) -> dict:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 8)).astype(np.float32)
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] + x[:, 2] > 0.5).astype(int)  # classes 0, 1, 2
    response = mb.upload(client, mb.npz_upload(x=x, y=y), "big")
    assert response.status_code == 201, response.content
    return response.json()


def body_for(dataset, design, **config) -> dict:
    base = {"loss": "sparse_categorical_crossentropy", "optimizer": "adam", "learning_rate": 0.01,
            "epochs": 4, "batch_size": 16, "validation_split": 0.2, "seed": 7}  # fmt: skip
    return {"design": design["id"], "dataset": dataset["id"], "config": {**base, **config}}


def create(client, body) -> int:
    response = client.post("/api/runs", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def final_weights(run: Run) -> list[np.ndarray]:
    from engine.models import load_model

    return load_model(run.artifact.path).get_weights()


# ---------------------------------------------------------------- kill -9 a worker mid-epoch
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_epoch_is_replaced_and_the_run_ends_as_if_uninterrupted(
    subprocess_env, own_cpu_queue, alice, mb, make_design
):
    from modelbuilder.core.embedded_redis import stop_process_group
    from tests.conftest import start_worker

    env = {
        **subprocess_env,
        "MODELBUILDER_HEARTBEAT_S": "0.3",
        "MODELBUILDER_CHECKPOINT_EVERY_S": "0.3",
    }
    dataset = npz_dataset(alice, mb, rows=12000)  # 600 batches an epoch
    design = make_design(mb.mlp_graph(inputs=8, hidden=16), name="big")
    epochs = 5
    first = start_worker(env)
    second = None
    try:
        run_id = create(alice, body_for(dataset, design, epochs=epochs))
        wait_for(lambda: EpochMetric.objects.filter(run_id=run_id).exists(), 60, "epoch 1")
        time.sleep(0.5)  # into the next epoch, past a mid-epoch checkpoint
        os.killpg(first.proc.pid, signal.SIGKILL)
        first.proc.wait(timeout=10)
        killed_at = time.monotonic()
        run = Run.objects.get(pk=run_id)
        stored = list(run.epochs.values_list("epoch", flat=True))
        assert run.status == "running" and 1 <= len(stored) < epochs, (run.status, stored)
        ckpt = resilience.checkpoint_path(run_id)
        from engine.checkpoint import read_checkpoint

        meta = read_checkpoint(ckpt)["meta"]
        print(
            f"killed after epochs {stored}; checkpoint at epoch {meta['epoch']} batch {meta['batch']}"
        )

        second = start_worker(env)
        assert resilience.run_reap_lost(stale_after=60)["requeued"] == []  # heartbeat still fresh
        time.sleep(max(0.0, 1.0 - (time.monotonic() - killed_at)))
        assert resilience.run_reap_lost(stale_after=1.0)["requeued"] == [run_id]
        wait_for(
            lambda: Run.objects.get(pk=run_id).status in TERMINAL, 120, "the resumed run to end"
        )
        run = Run.objects.get(pk=run_id)
        assert run.status == "succeeded", (run.error, second.log()[-3000:])
        assert list(run.epochs.values_list("epoch", flat=True)) == list(range(1, epochs + 1))
        assert run.attempts == 1 and run.resume_reason == "worker_lost"
        assert run.resumed_from_epoch == meta["epoch"] + 1
        body = alice.get(f"/api/runs/{run_id}").json()
        assert body["resumed_from_epoch"] == meta["epoch"] + 1 and body["attempts"] == 1

        # the same run, never interrupted, on the second worker
        ref_id = create(alice, body_for(dataset, design, epochs=epochs))
        wait_for(lambda: Run.objects.get(pk=ref_id).status in TERMINAL, 120, "the reference run")
        reference = Run.objects.get(pk=ref_id)
        assert reference.status == "succeeded", reference.error
        diffs = [
            float(np.max(np.abs(a - b)))
            for a, b in zip(final_weights(run), final_weights(reference))
        ]
        print(f"max |weight difference| resumed vs uninterrupted: {max(diffs):.3g}")
        for a, b in zip(final_weights(run), final_weights(reference), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        resumed_logs = [e.logs for e in run.epochs.all()]
        reference_logs = [e.logs for e in reference.epochs.all()]
        for got, want in zip(resumed_logs, reference_logs, strict=True):
            assert got == pytest.approx(want, rel=1e-5, abs=1e-6)
    finally:
        stop_process_group(first.proc)
        if second is not None:
            stop_process_group(second.proc)


# ---------------------------------------------------------------- the reaper
@pytest.mark.django_db
def test_the_reaper_requeues_a_run_whose_heartbeat_is_stale(
    alice, run_body, captured_queue, django_capture_on_commit_callbacks, settings
):
    settings.MODELBUILDER_MAX_RUN_ATTEMPTS = 2
    ids = [create(alice, run_body()) for _ in range(3)]
    captured_queue.clear()
    old = timezone.now() - timedelta(seconds=120)
    Run.objects.filter(pk=ids[0]).update(status="running", heartbeat_at=old, task_id="t0")
    Run.objects.filter(pk=ids[1]).update(status="running", heartbeat_at=timezone.now())
    Run.objects.filter(pk=ids[2]).update(status="running", heartbeat_at=old, attempts=2)
    with django_capture_on_commit_callbacks(execute=True):
        found = resilience.run_reap_lost(stale_after=60)
    assert found == {"requeued": [ids[0]], "failed": [ids[2]]}
    lost = Run.objects.get(pk=ids[0])
    assert (lost.status, lost.attempts, lost.resume_reason) == ("queued", 1, "worker_lost")
    assert lost.task_id != "t0" and captured_queue == [(ids[0], "cpu", lost.task_id)]
    assert Run.objects.get(pk=ids[1]).status == "running"  # alive: untouched
    failed = Run.objects.get(pk=ids[2])
    assert failed.status == "failed" and "lost 3 times" in failed.error and failed.finished_at

    # a task delivered again: takes over only a lost run, drops a duplicate of a live one
    assert not resilience.run_take_over(run=Run.objects.get(pk=ids[1]), stale_after=60)
    Run.objects.filter(pk=ids[1]).update(heartbeat_at=old)
    assert resilience.run_take_over(run=Run.objects.get(pk=ids[1]), stale_after=60)
    assert Run.objects.get(pk=ids[1]).status == "queued"

    # the management command and the Celery task do the same
    Run.objects.filter(pk=ids[1]).update(status="running", heartbeat_at=old)
    call_command("reap_runs", stale_after=60)
    assert Run.objects.get(pk=ids[1]).status == "queued"
    from modelbuilder.training.reaper_tasks import reap_lost_runs

    assert reap_lost_runs(stale_after=60) == {"requeued": [], "failed": []}


# ---------------------------------------------------------------- pause / resume
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("storage", ["local", "remote"])
def test_pause_then_resume_continues_from_the_checkpoint(
    alice, mb, make_design, captured_queue, settings, storage, monkeypatch
):
    if storage == "remote":  # checkpoints without a local path: uploaded, fetched back
        import modelbuilder.core.files as files

        real = files.local_path
        monkeypatch.setattr(
            files,
            "local_path",
            lambda st, name: None if name.startswith("checkpoints/") else real(st, name),
        )
        assert not checkpoints._storage_is_local()
    dataset = npz_dataset(alice, mb, rows=3000)  # 150 batches an epoch
    design = make_design(mb.mlp_graph(inputs=8, hidden=16), name="big")
    epochs = 4
    run_id = create(alice, body_for(dataset, design, epochs=epochs))

    # Deterministic on any machine speed: the worker holds after storing epoch 1 until the user's
    # pause request is in, and reads pause_requested at every batch (not every 0.5 s).
    monkeypatch.setattr(session, "POLL_INTERVAL_S", 0.0)  # the module that reads it
    epoch_stored, pause_sent = threading.Event(), threading.Event()

    def hold_after_first_epoch(sender, instance, created, **kwargs):
        if created and instance.run_id == run_id and instance.epoch == 1:
            transaction.on_commit(lambda: (epoch_stored.set(), pause_sent.wait(30)))

    def pause_after_first_epoch():
        assert epoch_stored.wait(60), "epoch 1 was never stored"
        try:
            response = alice.post(f"/api/runs/{run_id}/pause")
            assert response.status_code == 200 and response.json()["pause_requested"]
        finally:
            pause_sent.set()

    post_save.connect(hold_after_first_epoch, sender=EpochMetric, weak=False)
    pauser = threading.Thread(target=pause_after_first_epoch)
    pauser.start()
    try:
        run = run_execute(run_id=run_id)
    finally:
        post_save.disconnect(hold_after_first_epoch, sender=EpochMetric)
        pause_sent.set()
        pauser.join()
    assert run.status == "paused", run.error
    stored = list(run.epochs.values_list("epoch", flat=True))
    assert 1 <= len(stored) < epochs and stored == list(range(1, len(stored) + 1))
    from engine.checkpoint import read_checkpoint

    meta = read_checkpoint(resilience.checkpoint_path(run_id))["meta"]
    assert meta["reason"] == "pause" and meta["epoch"] == len(stored)
    if storage == "remote":
        from django.core.files.storage import default_storage

        assert default_storage.exists(resilience.checkpoint_name(run_id))
        resilience.checkpoint_path(run_id).unlink()  # another machine resumes it

    response = alice.post(f"/api/runs/{run_id}/resume")
    assert response.status_code == 200 and response.json()["status"] == "queued"
    assert captured_queue[-1][0] == run_id
    run = run_execute(run_id=run_id)
    assert run.status == "succeeded", run.error
    assert list(run.epochs.values_list("epoch", flat=True)) == list(range(1, epochs + 1))
    assert (run.resumed_from_epoch, run.resume_reason) == (meta["epoch"] + 1, "paused")

    reference = run_execute(run_id=create(alice, body_for(dataset, design, epochs=epochs)))
    for a, b in zip(final_weights(run), final_weights(reference), strict=True):
        np.testing.assert_array_equal(a, b)  # same process: bit for bit
    assert [e.logs for e in run.epochs.all()] == [e.logs for e in reference.epochs.all()]


@pytest.mark.django_db
def test_pause_and_resume_through_the_api(
    alice, bob, run_body, captured_queue, mb, django_capture_on_commit_callbacks
):
    run_id = create(alice, run_body())
    response = alice.post(f"/api/runs/{run_id}/pause")
    assert response.status_code == 200 and response.json()["status"] == "paused"
    mb.assert_error(bob.post(f"/api/runs/{run_id}/resume"), 404, "not_found")
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.post(f"/api/runs/{run_id}/resume")
    assert response.status_code == 200 and response.json()["status"] == "queued"
    run = Run.objects.get(pk=run_id)
    assert captured_queue[-1] == (run_id, "cpu", run.task_id)
    error = mb.assert_error(alice.post(f"/api/runs/{run_id}/resume"), 400, "not_paused")
    assert "queued" in error["message"]
    alice.post(f"/api/runs/{run_id}/pause")
    response = alice.post(f"/api/runs/{run_id}/cancel")  # a paused run can be cancelled
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    error = mb.assert_error(alice.post(f"/api/runs/{run_id}/pause"), 400, "run_ended")
    assert "cancelled" in error["message"]
    Run.objects.filter(pk=run_id).update(status="succeeded")
    error = mb.assert_error(alice.post(f"/api/runs/{run_id}/pause"), 400, "run_ended")
    assert "succeeded" in error["message"]


# ---------------------------------------------------------------- limits
@pytest.mark.django_db
def test_the_concurrent_run_limit_is_a_429_with_a_clear_message(
    alice, run_body, captured_queue, mb, settings
):
    settings.MODELBUILDER_MAX_CONCURRENT_RUNS = 2
    first = create(alice, run_body())
    create(alice, run_body())
    error = mb.assert_error(
        alice.post("/api/runs", run_body(), content_type="application/json"), 429, "too_many_runs"
    )
    assert "2 run(s) queued or running" in error["message"] and "limit is 2" in error["message"]
    assert error["details"] == {"active": 2, "limit": 2} and Run.objects.count() == 2
    alice.post(f"/api/runs/{first}/pause")  # a paused run does not count ...
    create(alice, run_body())
    mb.assert_error(
        alice.post(f"/api/runs/{first}/resume"), 429, "too_many_runs"
    )  # ... until resumed


@pytest.mark.django_db
def test_a_run_that_cannot_fit_in_memory_is_refused_with_the_figure(
    alice, iris_dataset, make_design, run_body, captured_queue, mb, settings
):
    huge = make_design(mb.mlp_graph(hidden=100_000), name="huge")
    body = {**run_body(batch_size=1_000_000), "design": huge["id"]}
    error = mb.assert_error(
        alice.post("/api/runs", body, content_type="application/json"), 400, "insufficient_memory"
    )
    estimate = error["details"]["estimate_bytes"]
    assert estimate["total"] > error["details"]["limit_bytes"] and estimate["activations"] > 7e11
    assert "needs about" in error["message"] and "GiB" in error["message"]
    assert "batch of 1000000" in error["message"] and Run.objects.count() == 0

    settings.MODELBUILDER_DEVICE_MEMORY_BYTES = {"cpu": 1000}  # a tiny worker: even iris is refused
    error = mb.assert_error(
        alice.post("/api/runs", run_body(), content_type="application/json"),
        400,
        "insufficient_memory",
    )
    figure = resilience.memory_estimate(
        validation=alice.post("/api/designs/validate", {"graph": mb.mlp_graph()},
                              content_type="application/json").json(),
        optimizer="adam", batch_size=16,
    )["total"]  # fmt: skip
    assert error["details"]["estimate_bytes"]["total"] == figure > 1000
    assert f"needs about {figure / 1024:.1f} KiB" in error["message"]
    assert (
        "a cpu worker has 1000 bytes" not in error["message"] and "has 1.0 KiB" in error["message"]
    )
    settings.MODELBUILDER_DEVICE_MEMORY_BYTES = {"cpu": 10**9}
    create(alice, run_body())


@pytest.mark.django_db
def test_queue_position_and_eta(alice, bob, run_body, captured_queue, mb):
    ids = [create(alice, run_body(epochs=5)) for _ in range(3)]
    info = alice.get(f"/api/runs/{ids[2]}/queue").json()
    assert (info["queue"], info["position"], info["ahead"], info["eta_seconds"]) == (
        "cpu",
        3,
        2,
        None,
    )
    mb.assert_error(bob.get(f"/api/runs/{ids[2]}/queue"), 404, "not_found")
    # history: 2 s per epoch; one run running with 2 of 5 epochs done, one queued ahead
    done = Run.objects.get(pk=ids[0])
    Run.objects.filter(pk=ids[0]).update(
        status="succeeded", wall_time=10.0, finished_at=timezone.now()
    )
    Run.objects.filter(pk=ids[1]).update(status="running")
    for epoch in (1, 2):
        EpochMetric.objects.create(run_id=ids[1], epoch=epoch, logs={})
    info = alice.get(f"/api/runs/{ids[2]}/queue").json()
    assert (info["position"], info["running"], info["eta_seconds"]) == (1, 1, 6.0)
    assert alice.get(f"/api/runs/{done.pk}/queue").json()["position"] is None


@pytest.mark.django_db
def test_the_reaper_deletes_checkpoints_of_ended_runs(alice, run_body, captured_queue):
    live, ended = create(alice, run_body()), create(alice, run_body())
    Run.objects.filter(pk=ended).update(status="succeeded")
    for run_id in (live, ended, 999999):
        path = resilience.checkpoint_path(run_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    resilience.run_reap_lost(stale_after=60)
    assert resilience.checkpoint_path(live).exists()
    assert not resilience.checkpoint_path(ended).exists()
    assert not resilience.checkpoint_path(999999).exists()


# ---------------------------------------------------------------- 10 runs onto 2 workers
@pytest.mark.django_db(transaction=True)
def test_ten_runs_on_two_workers_all_finish_in_queue_order(
    subprocess_env, own_cpu_queue, alice, run_body, mb
):
    from modelbuilder.core.embedded_redis import stop_process_group
    from tests.conftest import start_worker

    ids = [create(alice, run_body(epochs=3)) for _ in range(10)]
    positions = [alice.get(f"/api/runs/{i}/queue").json()["position"] for i in ids]
    workers = []
    try:
        assert positions == list(range(1, 11))
        workers = [start_worker(subprocess_env), start_worker(subprocess_env)]
        seen = {i: [] for i in ids}  # positions shown while queued: never grow

        def all_ended():
            for i in ids:
                info = alice.get(f"/api/runs/{i}/queue").json()
                if info["position"] is not None:
                    seen[i].append(info["position"])
            return all(Run.objects.get(pk=i).status in TERMINAL for i in ids)

        wait_for(all_ended, 120, "10 runs to end")
    finally:
        for w in workers:
            stop_process_group(w.proc)
    runs = [Run.objects.get(pk=i) for i in ids]
    assert [r.status for r in runs] == ["succeeded"] * 10
    assert all(seq == sorted(seq, reverse=True) for seq in seen.values()), seen
    starts = [r.started_at for r in runs]
    # FIFO: a run starts before every run queued two places after it (two workers may swap neighbours)
    assert all(starts[k] <= starts[k + 2] for k in range(8)), starts
    assert len({r.device for r in runs}) == 1 and all(r.epochs.count() == 3 for r in runs)


# ---------------------------------------------------------------- Redis restarting mid-run
@pytest.mark.django_db(transaction=True)
def test_redis_restarting_mid_run_does_not_stop_the_run(
    subprocess_env, alice, mb, make_design, captured_queue, tmp_path
):
    """A Redis of its own (broker, results, channel layer of the worker), killed after epoch 1 and
    started again on the same port: the run goes on (broadcasts that fail are logged), and ends
    succeeded with epochs 1..N."""
    import subprocess
    import sys

    from modelbuilder.celery import app
    from modelbuilder.core.embedded_redis import (
        die_with_parent,
        free_port,
        redis_answers,
        redis_server_binary,
        stop_process_group,
    )

    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"

    def start_redis():
        argv = [redis_server_binary(), "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                "--appendonly", "no", "--daemonize", "no"]  # fmt: skip
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True, preexec_fn=die_with_parent)  # fmt: skip
        wait_for(lambda: redis_answers(url, timeout=0.3), 15, "redis")
        return proc

    redis_proc = start_redis()
    log = tmp_path / "worker.log"
    env = {**subprocess_env, "REDIS_URL": url}
    argv = [sys.executable, "-m", "celery", "-A", "modelbuilder", "worker", "--pool=solo", "-Q", "cpu,celery",
            "-n", f"redis-restart-{port}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--loglevel=INFO"]  # fmt: skip
    with open(log, "wb") as out:
        worker = subprocess.Popen(argv, cwd=subprocess_env["PYTHONPATH"].split(os.pathsep)[0], env=env,
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                  preexec_fn=die_with_parent)  # fmt: skip
    try:
        wait_for(lambda: b"ready" in log.read_bytes(), 60, "the worker")
        dataset = npz_dataset(alice, mb, rows=6000)
        design = make_design(mb.mlp_graph(inputs=8, hidden=16), name="big")
        epochs = 5
        run_id = create(alice, body_for(dataset, design, epochs=epochs))
        run = Run.objects.get(pk=run_id)
        with app.connection_for_write(url) as connection:
            from modelbuilder.training.tasks import train

            train.apply_async(
                args=[run_id], queue="cpu", task_id=run.task_id, connection=connection
            )
        wait_for(lambda: EpochMetric.objects.filter(run_id=run_id).exists(), 60, "epoch 1")
        os.killpg(redis_proc.pid, signal.SIGKILL)
        redis_proc.wait(timeout=10)
        during = Run.objects.get(pk=run_id)
        assert during.status == "running" and during.epochs.count() < epochs  # down mid-run
        time.sleep(1.0)
        redis_proc = start_redis()
        wait_for(lambda: Run.objects.get(pk=run_id).status in TERMINAL, 120, "the run to end")
        run = Run.objects.get(pk=run_id)
        assert run.status == "succeeded", (run.error, log.read_text()[-3000:])
        assert list(run.epochs.values_list("epoch", flat=True)) == list(range(1, epochs + 1))
        print(
            f"broadcasts that failed while Redis was down: {log.read_text().count('Could not broadcast')}"
        )
    finally:
        stop_process_group(worker)
        stop_process_group(redis_proc)


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_lost_its_lease_stops_and_a_duplicate_delivery_is_dropped(
    alice, mb, make_design, captured_queue
):
    dataset = npz_dataset(alice, mb, rows=3000)
    design = make_design(mb.mlp_graph(inputs=8, hidden=16), name="big")
    run_id = create(alice, body_for(dataset, design, epochs=6))

    def take_over():  # what the reaper + another worker do to a worker thought dead
        wait_for(lambda: EpochMetric.objects.filter(run_id=run_id).exists(), 60, "epoch 1")
        Run.objects.filter(pk=run_id).update(lease="someone-else", heartbeat_at=timezone.now())

    thief = threading.Thread(target=take_over)
    thief.start()
    run = run_execute(run_id=run_id)
    thief.join()
    assert run.status == "running" and run.lease == "someone-else" and not run.artifact
    assert run.epochs.count() < 6
    # the same task delivered again while the other worker beats: dropped, nothing changes
    assert run_execute(run_id=run_id) is None
    assert Run.objects.get(pk=run_id).lease == "someone-else"
