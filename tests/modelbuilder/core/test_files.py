"""core/files.py on the local default storage: the same files as before, no copies."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage

from modelbuilder.core.files import fetch_file, local_copy, local_path, put_file, save_artifact
from modelbuilder.datasets.models import Dataset


class RemoteLike(Storage):
    """A storage without local paths (as S3 is), backed by a directory."""

    def __init__(self, location):
        self.inner = FileSystemStorage(location=location)

    def _open(self, name, mode="rb"):
        return self.inner._open(name, mode)

    def _save(self, name, content):
        return self.inner._save(name, content)

    def exists(self, name):
        return self.inner.exists(name)

    def delete(self, name):
        self.inner.delete(name)


def test_local_storage_yields_the_files_own_path(tmp_path):
    storage = FileSystemStorage(location=tmp_path)
    name = storage.save("datasets/a.csv", ContentFile(b"x,y\n1,2\n"))
    field = Dataset().file
    field.storage, field.name = storage, name
    with local_copy(field) as path:
        assert path == tmp_path / name and path.read_bytes() == b"x,y\n1,2\n"
    assert (tmp_path / name).exists()


def test_remote_storage_yields_a_temporary_copy_removed_afterwards(tmp_path):
    storage = RemoteLike(location=tmp_path / "bucket")
    name = storage.save("datasets/b.npz", ContentFile(b"\x00" * 3_000_000))
    assert local_path(storage, name) is None
    field = Dataset().file
    field.storage, field.name = storage, name
    with local_copy(field) as path:
        assert path.suffix == ".npz" and not str(path).startswith(str(tmp_path))
        assert path.read_bytes() == b"\x00" * 3_000_000
    assert not path.exists()


def test_no_file_attached_is_file_not_found():
    with pytest.raises(FileNotFoundError), local_copy(Dataset().file):
        pass


def test_save_artifact_put_and_fetch(tmp_path):
    storage = RemoteLike(location=tmp_path / "bucket")
    local = tmp_path / "model.h5"
    local.write_bytes(b"first")
    field = Dataset().file
    field.storage = storage
    stored = save_artifact(field, local, "m.h5")
    assert field.name == stored and storage.open(stored).read() == b"first"

    assert put_file("checkpoints/run-1.h5", local, storage=storage) == "checkpoints/run-1.h5"
    local.write_bytes(b"second")
    assert put_file("checkpoints/run-1.h5", local, storage=storage) == "checkpoints/run-1.h5"
    dest = tmp_path / "back.h5"
    assert (
        fetch_file("checkpoints/run-1.h5", dest, storage=storage) and dest.read_bytes() == b"second"
    )
    assert not fetch_file("checkpoints/run-2.h5", tmp_path / "none", storage=storage)
    assert not Path(tmp_path / "none").exists()
