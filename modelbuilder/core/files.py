"""Files through Django's storage API only: nothing may assume that web and worker share a disk.

The default storage is local (FileSystemStorage under MEDIA_ROOT) or S3-compatible object storage
(settings.STORAGES, see docs/deployment.md). Code that needs a real path (the dataset parsers seek,
h5py writes) goes through these helpers:

    with local_copy(dataset.file) as path:      # the file's own path on local storage,
        parsing.read(path, fmt)                 # else a streamed download to a temporary file
    save_artifact(run.artifact, path, name)     # a local file written back through the storage
    put_file(name, path) / fetch_file(name, dest)   # fixed names (checkpoints): overwrite, fetch
    download_response(field_file, filename, content_type)   # stream, or redirect to a signed URL
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponseRedirect

CHUNK = 1 << 20


def local_path(storage: Storage, name: str) -> Path | None:
    """The file's path on this machine when `storage` keeps files on a local disk, else None."""
    try:
        return Path(storage.path(name))
    except NotImplementedError:  # remote storage (S3, ...) has no local path
        return None


@contextmanager
def local_copy(field_file: FieldFile) -> Iterator[Path]:
    """A seekable local path for a stored file, for the duration of the `with` block.

    Local storage: the file itself (no copy). Remote storage: the object streamed chunk by chunk
    into a temporary file (same suffix), removed afterwards.
    """
    if not field_file:
        raise FileNotFoundError("No file is attached.")
    path = local_path(field_file.storage, field_file.name)
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="modelbuilder-") as tmp:
        target = Path(tmp) / Path(field_file.name).name
        with field_file.storage.open(field_file.name, "rb") as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
        yield target


def save_artifact(field_file: FieldFile, path: Path | str, name: str) -> str:
    """Store the local file `path` in the storage as `field_file` (a new, unique name derived from
    `name`); the model row is not saved. Returns the stored name."""
    with open(path, "rb") as f:
        field_file.save(name, File(f), save=False)  # streams chunk by chunk
    return field_file.name


def put_file(name: str, path: Path | str, *, storage: Storage | None = None) -> str:
    """Store the local file `path` under exactly `name`, replacing what was there (checkpoints)."""
    storage = storage or default_storage
    if storage.exists(name):
        storage.delete(name)
    with open(path, "rb") as f:
        stored = storage.save(name, File(f))
    return stored


def fetch_file(name: str, dest: Path | str, *, storage: Storage | None = None) -> bool:
    """Copy the stored file `name` to the local path `dest`; False when there is no such file."""
    storage = storage or default_storage
    if not storage.exists(name):
        return False
    with storage.open(name, "rb") as src, open(dest, "wb") as dst:
        shutil.copyfileobj(src, dst, CHUNK)
    return True


def download_response(field_file: FieldFile, *, filename: str, content_type: str):
    """The stored file as a download: streamed through this server, or (remote storage and
    MODELBUILDER_STORAGE_REDIRECT on) a redirect to a short-lived signed URL of the object."""
    storage = field_file.storage
    if (
        getattr(settings, "MODELBUILDER_STORAGE_REDIRECT", False)
        and local_path(storage, field_file.name) is None
    ):
        url = storage.url(
            field_file.name,
            parameters={
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseContentType": content_type,
            },
        )
        return HttpResponseRedirect(url)
    return FileResponse(
        field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
