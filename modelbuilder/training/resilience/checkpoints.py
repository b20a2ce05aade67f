"""Where a run's checkpoint lives: a file in the default storage (next to the trained models), written
in place when the storage is a local disk, else through a local working copy that is uploaded after
every write and fetched back by the worker that resumes. Also: deleting the checkpoints of ended runs."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from modelbuilder.training.models import Run

logger = logging.getLogger(__name__)


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


def _upload(run_id: int, path: Path, meta: dict) -> None:
    from modelbuilder.core.files import put_file

    put_file(checkpoint_name(run_id), path)


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
