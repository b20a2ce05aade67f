"""Runs that survive lost workers: checkpoints, leases and heartbeats, the reaper, pause/resume,
the per-user concurrency limit and memory admission.

How a run survives a worker that dies (kill -9, a lost machine):
- `attempt_begin` (the worker, right after it claimed the run): a new `lease` (uuid) and `heartbeat_at`
  on the row; a daemon thread renews `heartbeat_at` every MODELBUILDER_HEARTBEAT_S while the run is
  `running` under that lease. A run without a seed gets one pinned into its config, so a resumed attempt
  splits the data the same way.
- `training_session` gives `fit` its `initial_epoch` and an `engine.checkpoint.TrainingCheckpoint` that
  writes `checkpoint_path(run)` atomically at every epoch end and every MODELBUILDER_CHECKPOINT_EVERY_S
  inside an epoch; it restores the last checkpoint first (weights, optimizer, RNG, the epoch position).
- `run_reap_lost(stale_after=...)` (Celery task `reaper_tasks.reap_lost_runs`, command `reap_runs`):
  a `running` run whose heartbeat is older than `stale_after` goes back to `queued` (attempts + 1,
  `resume_reason` "worker_lost") and is queued again; after MODELBUILDER_MAX_RUN_ATTEMPTS lost workers
  it fails. The next worker resumes it from its checkpoint and records `resumed_from_epoch`.
- A task delivered twice (Redis' visibility timeout after a worker died) meets a `running` run:
  `run_take_over` takes it only when its heartbeat is stale; otherwise the delivery is a duplicate and is
  dropped. A worker that lost its lease (someone took the run over) stops at its next batch.

Pause: `run_pause` asks the worker (the checkpoint callback polls the row at most every
POLL_INTERVAL_S); the worker writes a checkpoint at the batch boundary and the run becomes `paused`.
`run_resume` queues it again; the next worker continues from that batch.
"""

from __future__ import annotations

import logging
import math
import os
import random
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from modelbuilder.core.db_retry import with_db_retry
from modelbuilder.core.errors import ApplicationError
from modelbuilder.training import events
from modelbuilder.training.models import Run

logger = logging.getLogger(__name__)
POLL_INTERVAL_S = 0.5  # how often the training loop reads pause_requested and its lease
ACTIVE = (Run.Status.QUEUED, Run.Status.RUNNING)


def _setting(name: str, default):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return type(default)(value) if value not in (None, "") else default


def heartbeat_interval() -> float:
    return _setting("MODELBUILDER_HEARTBEAT_S", 5.0)


def stale_after_default() -> float:
    return _setting("MODELBUILDER_HEARTBEAT_STALE_S", 60.0)


# ---------------------------------------------------------------- checkpoints
def checkpoint_name(run: Run | int) -> str:
    """The checkpoint's name in the default storage, next to the trained models."""
    return f"checkpoints/run-{run if isinstance(run, int) else run.pk}.h5"


def _storage_is_local() -> bool:
    from django.core.files.storage import default_storage

    from modelbuilder.core.files import local_path

    return local_path(default_storage, checkpoint_name(0)) is not None


def checkpoint_path(run: Run | int) -> Path:
    """Where the worker writes the checkpoint (atomically): the storage's own file when the storage
    is a local disk (MEDIA_ROOT, shared by the workers), else a local working copy that is uploaded
    after every write (`core.files.put_file`) and fetched back by the worker that resumes."""
    from django.core.files.storage import default_storage

    from modelbuilder.core.files import local_path

    name = checkpoint_name(run)
    local = local_path(default_storage, name)
    if local is not None:
        return local
    return Path(tempfile.gettempdir()) / "modelbuilder-checkpoints" / Path(name).name


def checkpoint_delete(run: Run | int) -> None:
    from django.core.files.storage import default_storage

    checkpoint_path(run).unlink(missing_ok=True)
    try:
        default_storage.delete(checkpoint_name(run))
    except Exception:  # already gone, or the storage is unreachable: the reaper tries again
        logger.info("could not delete the checkpoint of run %s", run, exc_info=True)


# ---------------------------------------------------------------- the worker's side
class _Heartbeat(threading.Thread):
    """Renews heartbeat_at while the run is running under `lease`; ends by itself once it is not."""

    def __init__(self, run_id: int, lease: str, interval: float):
        super().__init__(name=f"heartbeat-run-{run_id}", daemon=True)
        self.run_id, self.lease, self.interval = run_id, lease, interval

    def run(self) -> None:
        failing_since = None
        try:
            while True:
                time.sleep(self.interval)
                try:
                    alive = Run.objects.filter(
                        pk=self.run_id, lease=self.lease, status=Run.Status.RUNNING
                    ).update(heartbeat_at=timezone.now())
                except Exception as exc:  # the database restarting: try again next beat
                    now = time.monotonic()
                    if failing_since is None:
                        failing_since = now
                        logger.warning("heartbeat of run %s failed: %s", self.run_id, exc)
                    elif now - failing_since > stale_after_default():
                        return  # the reaper treats the run as lost by now anyway
                    close_old_connections()
                    continue
                failing_since = None
                if not alive:
                    return
        finally:
            connection.close()


def attempt_begin(*, run: Run) -> Run:
    """Called by the worker right after it claimed the run (status `running`)."""
    lease = uuid.uuid4().hex
    changes = {"lease": lease, "heartbeat_at": timezone.now(), "pause_requested": False}
    if run.config.get("seed") is None:  # a resumed attempt must split and shuffle the same way
        run.config = {**run.config, "seed": random.randrange(2**31)}
        changes["config"] = run.config
    with_db_retry(
        lambda: Run.objects.filter(pk=run.pk).update(**changes), what=f"run {run.pk}: lease"
    )
    run.lease, run.heartbeat_at = lease, changes["heartbeat_at"]
    # The training loop beats too (TrainingSession). The thread also covers long gaps (loading data,
    # one long batch) but not on SQLite, where a second writer in the process makes the loop's
    # read-then-write transactions fail with "database is locked".
    if connection.vendor != "sqlite":
        _Heartbeat(run.pk, lease, heartbeat_interval()).start()
    return run


class TrainingSession:
    """What `fit` needs to resume and keep checkpointing: `initial_epoch` and `callbacks`."""

    def __init__(self, run: Run, model):
        from engine.checkpoint import TrainingCheckpoint, read_checkpoint, resume

        self.run_id, self.lease = run.pk, run.lease
        self._last_poll = self._last_beat = 0.0
        self._beat_every = heartbeat_interval()
        path = checkpoint_path(run)
        remote = not _storage_is_local()
        if not run.resume_reason:  # a first start: a file there belongs to an older row of this id
            checkpoint_delete(run)
        elif not remote and path.exists() and path.stat().st_mtime < run.created_at.timestamp():
            # older than the row: left by an earlier row of this id (a database reset, in tests)
            checkpoint_delete(run)
        elif remote:
            from modelbuilder.core.files import fetch_file

            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)
            fetch_file(checkpoint_name(run), path)
        every = _setting("MODELBUILDER_CHECKPOINT_EVERY_S", 300.0)
        self.checkpoint = TrainingCheckpoint(
            path,
            every_seconds=every,
            request_stop=self._request_stop,
            on_write=partial(_upload, run.pk, path) if remote else None,
        )
        self.callbacks = [self.checkpoint]
        saved = read_checkpoint(path)
        self.initial_epoch, _ = resume(model, path if saved else None, self.callbacks)
        if saved:
            meta = saved["meta"]
            epoch, batch = int(meta["epoch"]), int(meta["batch"])
            reason = run.resume_reason or "worker_lost"
            with_db_retry(
                lambda: Run.objects.filter(pk=run.pk).update(
                    resumed_from_epoch=epoch + 1, resume_reason=reason
                ),
                what=f"run {run.pk}: record the resume",
            )
            run.resumed_from_epoch, run.resume_reason = epoch + 1, reason
            events.run_event_send(
                run_id=run.pk,
                event={
                    "type": "resumed",
                    "epoch": epoch + 1,
                    "batch": batch,
                    "reason": reason,
                    "attempts": run.attempts,
                },
            )

    def _request_stop(self) -> str | None:
        now = time.monotonic()
        if now - self._last_poll < POLL_INTERVAL_S:
            return None
        self._last_poll = now
        if now - self._last_beat >= self._beat_every:
            self._last_beat = now
            # The database restarting: retried (training waits; nothing could be stored anyway).
            mine = with_db_retry(
                lambda: Run.objects.filter(
                    pk=self.run_id, lease=self.lease, status=Run.Status.RUNNING
                ).update(heartbeat_at=timezone.now()),
                what=f"run {self.run_id}: heartbeat",
            )
            if not mine:
                return "lease_lost"
        row = with_db_retry(
            Run.objects.filter(pk=self.run_id).values("lease", "pause_requested", "status").first,
            what=f"run {self.run_id}: poll",
        )
        if row is None or row["lease"] != self.lease or row["status"] != Run.Status.RUNNING:
            return "lease_lost"
        return "pause" if row["pause_requested"] else None


def _upload(run_id: int, path: Path, meta: dict) -> None:
    from modelbuilder.core.files import put_file

    put_file(checkpoint_name(run_id), path)


def training_session(*, run: Run, model) -> TrainingSession:
    """Restore the run's last checkpoint into `model` and give fit the checkpoint callback."""
    return TrainingSession(run, model)


def run_stopped(*, run: Run, exc) -> Run:
    """The checkpoint callback stopped fit (engine.checkpoint.TrainingStopped)."""
    if exc.reason == "pause":
        paused = with_db_retry(
            lambda: Run.objects.filter(
                pk=run.pk, status=Run.Status.RUNNING, lease=run.lease
            ).update(status=Run.Status.PAUSED, pause_requested=False, lease="", heartbeat_at=None),
            what=f"run {run.pk}: pause",
        )
        with_db_retry(run.refresh_from_db, what=f"run {run.pk}: load")
        if paused:
            events.run_event_send(
                run_id=run.pk,
                event={**events.status_event(run), "epoch": exc.epoch + 1, "batch": exc.batch},
            )
        return run
    # lease_lost: another worker owns the run now (we were thought dead); leave it alone
    logger.warning("Run %s: lease lost at epoch %s; another worker has it", run.pk, exc.epoch + 1)
    with_db_retry(run.refresh_from_db, what=f"run {run.pk}: load")
    return run


def _is_stale(run: Run, stale_after: float) -> bool:
    seen = run.heartbeat_at or run.started_at
    return seen is None or seen < timezone.now() - timedelta(seconds=stale_after)


def run_take_over(*, run: Run, stale_after: float | None = None) -> bool:
    """A task delivered again found its run `running`. True: the run was lost and is `queued` again
    for this worker to claim. False: another worker is alive on it (a duplicate delivery)."""
    stale_after = stale_after_default() if stale_after is None else stale_after
    if not _is_stale(run, stale_after):
        return False
    task_id = str(uuid.uuid4())

    def take() -> str:
        outcome = _requeue(run, enqueue=False, task_id=task_id)
        if outcome == "alive" and Run.objects.filter(pk=run.pk, task_id=task_id).exists():
            return "requeued"  # a retry whose first try committed but lost its answer
        return outcome

    return with_db_retry(take, what=f"run {run.pk}: take over") == "requeued"


# ---------------------------------------------------------------- the reaper
def _max_attempts() -> int:
    return _setting("MODELBUILDER_MAX_RUN_ATTEMPTS", 3)


def _queue_of(run: Run) -> str:
    return "gpu" if run.config.get("device") == "gpu" else "cpu"


def _requeue(run: Run, *, enqueue: bool, task_id: str | None = None) -> str:
    """running (lost) -> queued again, or failed after too many lost workers. Conditional on the
    heartbeat we judged: a worker that beat meanwhile keeps its run."""
    from modelbuilder.training.services import _enqueue, run_finish

    same = Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING, heartbeat_at=run.heartbeat_at)
    if run.attempts + 1 > _max_attempts():
        if not same.update(lease=""):
            return "alive"
        run.refresh_from_db()
        run_finish(
            run=run,
            status=Run.Status.FAILED,
            error=f"The worker training this run was lost {run.attempts + 1} times "
            f"(the limit is {_max_attempts()}); start the run again.",
        )
        return "failed"
    task_id = task_id or str(uuid.uuid4())
    with transaction.atomic():
        if not same.update(
            status=Run.Status.QUEUED,
            lease="",
            attempts=run.attempts + 1,
            resume_reason="worker_lost",
            task_id=task_id,
            queued_at=timezone.now(),  # a new task at the broker's tail: it waits its turn again
        ):
            return "alive"
        if enqueue:
            transaction.on_commit(partial(_enqueue, run.pk, _queue_of(run), task_id))
    run.refresh_from_db()
    events.run_event_send(run_id=run.pk, event=events.status_event(run))
    return "requeued"


def run_reap_lost(*, stale_after: float | None = None) -> dict:
    """Re-queue (or fail) every `running` run whose heartbeat is older than `stale_after` seconds;
    delete the checkpoints of ended runs. Returns {"requeued": [ids], "failed": [ids]}."""
    stale_after = stale_after_default() if stale_after is None else stale_after
    limit = timezone.now() - timedelta(seconds=stale_after)
    found = {"requeued": [], "failed": []}
    lost = Run.objects.filter(status=Run.Status.RUNNING).exclude(heartbeat_at__gte=limit)
    for run in lost:
        if _is_stale(run, stale_after):
            outcome = _requeue(run, enqueue=True)
            if outcome in found:
                found[outcome].append(run.pk)
    _checkpoints_clean()
    if found["requeued"] or found["failed"]:
        logger.warning("reaper: %s", found)
    return found


def _checkpoints_clean() -> None:
    """Delete the checkpoints of ended (or deleted) runs."""
    from django.core.files.storage import default_storage

    try:
        _, files = default_storage.listdir("checkpoints")
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    ids = {
        int(f[4:-3])
        for f in files
        if f.startswith("run-") and f.endswith(".h5") and f[4:-3].isdigit()
    }
    ended = set(
        Run.objects.filter(pk__in=ids, status__in=Run.TERMINAL).values_list("pk", flat=True)
    )
    gone = ids - set(Run.objects.filter(pk__in=ids).values_list("pk", flat=True))
    for run_id in ended | gone:
        checkpoint_delete(run_id)


# ---------------------------------------------------------------- pause / resume
def run_pause(*, run: Run) -> Run:
    """Queued: paused at once. Running: the worker checkpoints at its next batch and pauses."""
    if run.is_terminal:
        raise ApplicationError(
            f"The run has ended ({run.status}); it cannot be paused.", code="run_ended"
        )
    if Run.objects.filter(pk=run.pk, status=Run.Status.QUEUED).update(status=Run.Status.PAUSED):
        from modelbuilder.training.services import _revoke

        _revoke(run.task_id)
        run.refresh_from_db()
        events.run_event_send(run_id=run.pk, event=events.status_event(run))
        return run
    Run.objects.filter(pk=run.pk, status=Run.Status.RUNNING).update(pause_requested=True)
    run.refresh_from_db()
    return run


def run_resume(*, run: Run) -> Run:
    """Paused: queued again (it continues from its checkpoint). Running with a pause asked: the
    request is withdrawn. Anything else is a 400 `not_paused`."""
    from modelbuilder.training.services import _enqueue

    if run.status == Run.Status.RUNNING and run.pause_requested:
        Run.objects.filter(pk=run.pk).update(pause_requested=False)
        run.refresh_from_db()
        return run
    if run.status != Run.Status.PAUSED:
        raise ApplicationError(f"The run is {run.status}, not paused.", code="not_paused")
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        concurrency_check(owner=run.owner)  # under the owner's lock, until the commit
        if Run.objects.filter(pk=run.pk, status=Run.Status.PAUSED).update(
            status=Run.Status.QUEUED,
            resume_reason="paused",
            task_id=task_id,
            pause_requested=False,
            queued_at=timezone.now(),
        ):
            transaction.on_commit(partial(_enqueue, run.pk, _queue_of(run), task_id))
    run.refresh_from_db()
    events.run_event_send(run_id=run.pk, event=events.status_event(run))
    return run


# ---------------------------------------------------------------- admission
def max_concurrent_runs() -> int:
    return _setting("MODELBUILDER_MAX_CONCURRENT_RUNS", 20)


def _owner_lock(owner) -> None:
    """Hold the owner's row until the caller's transaction ends: two requests of one user that
    queue a run count one after the other (else both could count below the limit, then both
    create). PostgreSQL: SELECT ... FOR NO KEY UPDATE (the runs' inserts, which only take a key-share
    lock on the user row, are not blocked). SQLite ignores the clause, but its transactions start
    with BEGIN IMMEDIATE (settings), which already serialises writers."""
    from django.contrib.auth import get_user_model

    if not connection.in_atomic_block:
        raise RuntimeError("concurrency_check must run inside the transaction that queues the run")
    list(get_user_model().objects.select_for_update(no_key=True).filter(pk=owner.pk).values("pk"))


def concurrency_check(*, owner) -> None:
    """At most MODELBUILDER_MAX_CONCURRENT_RUNS queued or running runs per user (0: no limit).
    Call it inside the `transaction.atomic()` that creates or re-queues the run (it locks)."""
    limit = max_concurrent_runs()
    if limit <= 0:
        return
    _owner_lock(owner)
    active = Run.objects.filter(owner=owner, status__in=ACTIVE).count()
    if active >= limit:
        raise ApplicationError(
            f"You already have {active} run(s) queued or running; the limit is {limit} at a time. "
            "Wait for one to finish, or cancel or pause one, then start this run.",
            code="too_many_runs",
            status=429,
            details={"active": active, "limit": limit},
        )


# optimizer state arrays per trainable weight (Keras' slots)
OPTIMIZER_SLOTS = {"sgd": 1, "adam": 2, "adamw": 2, "nadam": 2, "adamax": 2, "rmsprop": 1,
                   "adagrad": 1, "adadelta": 2}  # fmt: skip
FLOAT_BYTES = 4
VALIDATE_BATCH = 32  # engine.graph.validate's memory_bytes counts activations for a batch of 32


def memory_estimate(*, validation: dict, optimizer: str, batch_size: int) -> dict:
    """Training memory in bytes from engine.graph.validate's figures: weights, their gradients, the
    optimizer's slots, and every layer's output for one batch, twice (forward values + gradients)."""
    total = int(validation.get("total_params") or 0)
    trainable = int(validation.get("trainable_params") or 0)
    floats = int(validation.get("memory_bytes") or 0) // FLOAT_BYTES
    activations_32 = max(0, floats - total - 2 * trainable)  # what validate counted for 32 samples
    parts = {
        "weights": FLOAT_BYTES * total,
        "gradients": FLOAT_BYTES * trainable,
        "optimizer": FLOAT_BYTES * trainable * OPTIMIZER_SLOTS.get(optimizer, 2),
        "activations": 2 * FLOAT_BYTES * math.ceil(activations_32 * batch_size / VALIDATE_BATCH),
    }
    return {**parts, "total": sum(parts.values())}


def device_memory_bytes(device: str) -> int | None:
    """What one worker of `device` may use: settings.MODELBUILDER_DEVICE_MEMORY_BYTES[device], else
    this machine's RAM (cpu/auto) or the visible GPU's memory (gpu; None when none is visible)."""
    configured = getattr(settings, "MODELBUILDER_DEVICE_MEMORY_BYTES", None) or {}
    if configured.get(device):
        return int(configured[device])
    if device == "gpu":
        try:
            import cupy

            return int(cupy.cuda.Device(0).mem_info[1])
        except Exception:
            return None
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _gib(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.2f} GiB"
    return f"{n / 1024**2:.1f} MiB" if n >= 1024**2 else f"{n / 1024:.1f} KiB"


def memory_check(*, validation: dict, config) -> dict:
    """Refuse (400 `insufficient_memory`) a run whose estimate exceeds its device's memory."""
    device = "gpu" if config.device == "gpu" else "cpu"
    estimate = memory_estimate(
        validation=validation, optimizer=config.optimizer, batch_size=config.batch_size
    )
    limit = device_memory_bytes(device)
    if limit is not None and estimate["total"] > limit:
        parts = ", ".join(
            f"{k} {_gib(estimate[k])}" for k in ("weights", "gradients", "optimizer", "activations")
        )
        raise ApplicationError(
            f"This run needs about {_gib(estimate['total'])} of memory ({parts}; activations for a "
            f"batch of {config.batch_size}), but a {device} worker has {_gib(limit)}. Use a smaller "
            "batch size or a smaller model.",
            code="insufficient_memory",
            details={"estimate_bytes": estimate, "limit_bytes": limit, "device": device},
        )
    return estimate


def run_admit(*, owner, validation: dict, config) -> None:
    """Everything checked before a run is created: the user's concurrency limit, then memory.
    Inside the transaction that creates the run (the limit's lock lasts until its commit)."""
    concurrency_check(owner=owner)
    memory_check(validation=validation, config=config)


def __getattr__(name: str):
    if name == "TrainingStopped":  # engine imported only where training runs
        from engine.checkpoint import TrainingStopped

        return TrainingStopped
    raise AttributeError(name)


# ---------------------------------------------------------------- queue position and ETA
def _on_queue(queue: str):
    runs = Run.objects.all()
    return (
        runs.filter(config__device="gpu") if queue == "gpu" else runs.exclude(config__device="gpu")
    )


def run_queue_info(*, run: Run) -> dict:
    """Where a queued run stands: its 1-based position among the queued runs of its queue, in the
    order the broker delivers them: by `queued_at`, the time its current task was sent (Redis:
    LPUSH, workers BRPOP, first in first out). A run re-queued after a lost worker, or resumed, was
    sent a new task then, so it waits behind the runs queued before that; it does not keep its old
    place (a FIFO list cannot put it in front; docs/resilience.md). And a rough ETA: (epochs left on the running
    runs + epochs of the runs ahead) x the median seconds per epoch of the queue's last 20
    succeeded runs / the runs running now (as many workers are busy). `eta_seconds` is null
    without history or when the run is not queued."""
    queue = _queue_of(run)
    info = {"status": run.status, "queue": queue, "position": None, "ahead": 0, "running": 0,
            "eta_seconds": None}  # fmt: skip
    if run.status != Run.Status.QUEUED:
        return info
    on_queue = _on_queue(queue)
    ahead = list(
        on_queue.filter(status=Run.Status.QUEUED)
        .alias(sent_at=models_sent_at())
        .filter(models_q_before(run))
        .values_list("config", flat=True)
    )
    running = list(on_queue.filter(status=Run.Status.RUNNING).values_list("pk", "config"))
    info.update(position=len(ahead) + 1, ahead=len(ahead), running=len(running))
    recent = on_queue.filter(status=Run.Status.SUCCEEDED, wall_time__isnull=False).order_by(
        "-finished_at"
    )[:20]
    per_epoch = sorted(r.wall_time / max(1, int(r.config.get("epochs") or 1)) for r in recent)
    if not per_epoch:
        return info
    seconds = per_epoch[len(per_epoch) // 2]
    done = dict(
        Run.objects.filter(pk__in=[pk for pk, _ in running])
        .values("pk")
        .annotate(n=models_count("epochs"))
        .values_list("pk", "n")
    )
    left = sum(max(0, int(cfg.get("epochs") or 1) - done.get(pk, 0)) for pk, cfg in running)
    left += sum(int(cfg.get("epochs") or 1) for cfg in ahead)
    info["eta_seconds"] = round(left * seconds / max(1, len(running)), 1)
    return info


def models_q_before(run: Run):
    """Runs whose task the broker delivers before `run`'s (queued earlier; ties by id)."""
    from django.db.models import Q

    at = run.queued_at or run.created_at
    return Q(sent_at__lt=at) | Q(sent_at=at, pk__lt=run.pk)


def models_sent_at():
    """queued_at; created_at for a row written without it."""
    from django.db.models.functions import Coalesce

    return Coalesce("queued_at", "created_at")


def models_count(field: str):
    from django.db.models import Count

    return Count(field)
