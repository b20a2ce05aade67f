"""The training loop's side: `training_session` gives `fit` its `initial_epoch` and an
`engine.checkpoint.TrainingCheckpoint` that writes `checkpoint_path(run)` atomically at every epoch end
and every MODELBUILDER_CHECKPOINT_EVERY_S inside an epoch; it restores the last checkpoint first
(weights, optimizer, RNG, the epoch position). Between batches the callback polls the row (at most every
POLL_INTERVAL_S): it beats the heartbeat, stops on a pause request, and stops a worker that lost its
lease (someone took the run over). `run_stopped` records how fit stopped."""

from __future__ import annotations

import logging
import time
from functools import partial

from django.utils import timezone

from modelbuilder.core.db_retry import with_db_retry
from modelbuilder.training import events
from modelbuilder.training.models import Run
from modelbuilder.training.resilience.checkpoints import (
    _storage_is_local,
    _upload,
    checkpoint_delete,
    checkpoint_name,
    checkpoint_path,
)
from modelbuilder.training.resilience.config import _setting, heartbeat_interval

logger = logging.getLogger(__name__)
POLL_INTERVAL_S = 0.5  # how often the training loop reads pause_requested and its lease


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
