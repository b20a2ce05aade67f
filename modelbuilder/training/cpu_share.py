"""How many CPU threads a training run may use: the machine's cores shared by the runs training on it.

Every worker process's BLAS starts with one thread per core. Two runs training at once on a 2-core machine
then run 4 BLAS threads on 2 cores, and OpenBLAS threads that wait for a descheduled partner stall: measured
(two processes, bench MLP workload): 3,900 samples/s each with 2 threads, 18,000-19,000 each with 1 thread;
CNN 1,480 vs 1,670. One run alone gains from every core (MLP 24,000 with 2 threads vs 21,000 with 1; the CNN
trains its batch shards on both cores). So each run takes ``cores // runs training on this machine``, looked
at again at every epoch.

The runs on this machine are counted with lock files: each training run holds an exclusive ``flock`` on its
own file in a host-local directory, and the count is the files whose lock is held. A process that dies drops
its lock with it, so a crashed worker is never counted. ``MODELBUILDER_ENGINE_THREADS`` fixes the number.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import uuid
from pathlib import Path

from threadpoolctl import threadpool_limits

LOCK_DIR = Path(tempfile.gettempdir()) / "modelbuilder-training"


def cpu_cores() -> int:
    """The cores this process may run on (its affinity mask, not the whole machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def training_runs_here(lock_dir: Path | None = None) -> int:
    """How many training runs hold their lock file in ``lock_dir`` (``LOCK_DIR``) now: this machine's."""
    lock_dir = LOCK_DIR if lock_dir is None else lock_dir
    held = 0
    for path in lock_dir.glob("*.lock"):
        try:
            with path.open("rb") as f:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    held += 1
                    continue
                fcntl.flock(f, fcntl.LOCK_UN)
            path.unlink(missing_ok=True)  # left by a process that died: nobody holds it
        except FileNotFoundError:
            continue
    return held


def threads_for_run(*, runs: int, cores: int | None = None) -> int:
    fixed = os.environ.get("MODELBUILDER_ENGINE_THREADS")
    if fixed:
        return max(1, int(fixed))
    return max(1, (cores or cpu_cores()) // max(1, runs))


@contextlib.contextmanager
def training_slot(lock_dir: Path | None = None):
    """Be counted as a run training on this machine for the block."""
    lock_dir = LOCK_DIR if lock_dir is None else lock_dir
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_dir / f"{os.getpid()}-{uuid.uuid4().hex}.lock"
    f = path.open("wb")
    try:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield path
    finally:
        path.unlink(missing_ok=True)
        f.close()  # drops the lock


def cpu_share_callback(lock_dir: Path | None = None):
    """A fit callback that sets this process's BLAS threads (which the engine's own threads follow) to this
    run's share of the cores when training starts and at every epoch. (The engine is imported here, in the
    worker, not when Django loads this module.)"""
    from engine.callbacks import Callback  # noqa: PLC0415

    class CpuShare(Callback):
        def __init__(self):
            super().__init__()
            self.threads: int | None = None

        def on_train_begin(self, logs=None):
            self._share()

        def on_epoch_begin(self, epoch, logs=None):
            self._share()

        def _share(self) -> None:
            threads = threads_for_run(runs=training_runs_here(lock_dir))
            if threads != self.threads:
                threadpool_limits(threads, user_api="blas")
                self.threads = threads

    return CpuShare()
