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

Files, one purpose each:

- `config.py`: the settings read here (a Django setting, else the environment, else the default).
- `checkpoints.py`: where a run's checkpoint lives (local disk or uploaded copy), deleting old ones.
- `heartbeat.py`: `attempt_begin`, the lease and the heartbeat thread.
- `session.py`: `training_session` (resume + checkpoint callback, the poll of the row between batches)
  and `run_stopped`.
- `reaper.py`: `run_reap_lost`, `run_take_over`: lost runs queued again (or failed).
- `pause.py`: `run_pause`, `run_resume`.
- `admission.py`: `run_admit`: the per-user concurrency limit and the memory check.
- `queue_info.py`: the queue a run goes to, `run_queue_info` (position and ETA).

The names below are re-exported; a test that patches a module global (POLL_INTERVAL_S, memory_check,
with_db_retry, ...) patches the submodule that reads it (`resilience.session.POLL_INTERVAL_S`): setting
the package's copy changes nothing.
"""

from modelbuilder.training.resilience.admission import (
    ACTIVE,
    FLOAT_BYTES,
    OPTIMIZER_SLOTS,
    VALIDATE_BATCH,
    concurrency_check,
    device_memory_bytes,
    max_concurrent_runs,
    memory_check,
    memory_estimate,
    run_admit,
)
from modelbuilder.training.resilience.checkpoints import (
    checkpoint_delete,
    checkpoint_name,
    checkpoint_path,
)
from modelbuilder.training.resilience.config import heartbeat_interval, stale_after_default
from modelbuilder.training.resilience.heartbeat import attempt_begin
from modelbuilder.training.resilience.pause import run_pause, run_resume
from modelbuilder.training.resilience.queue_info import (
    models_count,
    models_q_before,
    models_sent_at,
    run_queue_info,
)
from modelbuilder.training.resilience.reaper import run_reap_lost, run_take_over
from modelbuilder.training.resilience.session import (
    TrainingSession,
    run_stopped,
    training_session,
)

__all__ = [
    "ACTIVE",
    "FLOAT_BYTES",
    "OPTIMIZER_SLOTS",
    "VALIDATE_BATCH",
    "TrainingSession",
    "attempt_begin",
    "checkpoint_delete",
    "checkpoint_name",
    "checkpoint_path",
    "concurrency_check",
    "device_memory_bytes",
    "heartbeat_interval",
    "max_concurrent_runs",
    "memory_check",
    "memory_estimate",
    "models_count",
    "models_q_before",
    "models_sent_at",
    "run_admit",
    "run_pause",
    "run_queue_info",
    "run_reap_lost",
    "run_resume",
    "run_stopped",
    "run_take_over",
    "stale_after_default",
    "training_session",
]


def __getattr__(name: str):
    if name == "TrainingStopped":  # engine imported only where training runs
        from engine.checkpoint import TrainingStopped

        return TrainingStopped
    raise AttributeError(name)
