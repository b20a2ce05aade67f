"""The worker's lease on a run: `attempt_begin` (right after the worker claimed the run) writes a new
`lease` (uuid) and `heartbeat_at` on the row, and starts a daemon thread that renews `heartbeat_at`
every MODELBUILDER_HEARTBEAT_S while the run is `running` under that lease. A run without a seed gets
one pinned into its config, so a resumed attempt splits the data the same way."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid

from django.db import close_old_connections, connection
from django.utils import timezone

from modelbuilder.core.db_retry import with_db_retry
from modelbuilder.training.models import Run
from modelbuilder.training.resilience.config import heartbeat_interval, stale_after_default

logger = logging.getLogger(__name__)


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
