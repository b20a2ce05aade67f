"""Writes for datasets: ingest an upload, re-validate, publish, delete (file and row)."""

import hashlib
import uuid
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import transaction

from modelbuilder.core.errors import ApplicationError
from modelbuilder.core.files import local_copy
from modelbuilder.datasets import parsing
from modelbuilder.datasets.models import Dataset

FORMATS = {
    ".csv": Dataset.Format.CSV,
    ".tsv": Dataset.Format.CSV,
    ".txt": Dataset.Format.CSV,
    ".npz": Dataset.Format.NPZ,
}


def _format_of(filename: str, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return Dataset.Format.NPZ
    suffix = Path(filename).suffix.lower()
    if suffix in FORMATS and FORMATS[suffix] == Dataset.Format.NPZ:
        raise ApplicationError(
            f"{filename!r} is not a zip archive, so not an NPZ file.", code="invalid_dataset"
        )
    return Dataset.Format.CSV


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read(path: Path, fmt: str) -> tuple[parsing.Table, dict]:
    try:  # the schema is all the upload needs: no column arrays are kept
        return parsing.read(path, fmt, keep_arrays=False)
    except parsing.DatasetInvalid as exc:
        raise ApplicationError(exc.message, code="invalid_dataset", details=exc.details) from None


def dataset_ingest(
    *, owner: AbstractBaseUser | None, name: str, file: File, is_public: bool = False
) -> Dataset:
    """Store an uploaded file in the default storage, validate it and record its schema.

    An invalid file is removed again and nothing is created (ApplicationError names the problem).
    """
    name = (name or "").replace("\x00", "").strip() or Path(file.name or "dataset").stem
    if len(name) > 200:
        raise ApplicationError("The name is longer than 200 characters.", code="invalid_name")
    file.seek(0)
    head = file.read(4)
    file.seek(0)
    fmt = _format_of(file.name or "", head)
    dataset = Dataset(owner=owner, name=name, format=fmt, is_public=is_public)
    # A random name: files are never found by guessing (DEBUG serves MEDIA_ROOT).
    dataset.file.save(f"{uuid.uuid4().hex}.{fmt}", file, save=False)  # streams chunk by chunk
    try:
        with local_copy(dataset.file) as path:
            _, schema = _read(path, fmt)
            dataset.size = path.stat().st_size
            dataset.sha256 = _sha256(path)
        dataset.schema = schema
        dataset.rows = schema["rows"]
        dataset.save()
    except BaseException:
        dataset.file.delete(save=False)
        raise
    return dataset


def dataset_revalidate(*, dataset: Dataset) -> Dataset:
    """Read the stored file again; mark the dataset ready or invalid (with the message)."""
    try:
        with local_copy(dataset.file) as path:
            _, schema = parsing.read(path, dataset.format, keep_arrays=False)
    except (parsing.DatasetInvalid, OSError) as exc:
        dataset.status = Dataset.Status.INVALID
        dataset.error = getattr(exc, "message", str(exc))
    else:
        dataset.status, dataset.error = Dataset.Status.READY, ""
        dataset.schema, dataset.rows = schema, schema["rows"]
    dataset.save(update_fields=["status", "error", "schema", "rows"])
    return dataset


def dataset_mark_public(*, dataset: Dataset, is_public: bool = True) -> Dataset:
    dataset.is_public = is_public
    dataset.save(update_fields=["is_public"])
    return dataset


def dataset_delete(*, dataset: Dataset) -> None:
    """Delete the row, and its file once the transaction commits. Runs keep the name."""
    file = dataset.file
    dataset.delete()
    if file:
        transaction.on_commit(lambda: file.storage.delete(file.name))


def dataset_delete_owned(*, user: AbstractBaseUser, dataset: Dataset) -> None:
    if dataset.owner_id != user.pk:
        raise ApplicationError("Only the owner can delete a dataset.", code="forbidden", status=403)
    dataset_delete(dataset=dataset)
