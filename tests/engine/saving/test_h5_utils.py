"""Attribute lists as Keras writes and reads them: chunked past HDF5's header limit, every string flavour."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from engine.saving.errors import ModelFileError, UnsafeModelError
from engine.saving.h5_utils import read_str_list_attr, safe_get, write_str_list_attr


def test_long_name_lists_are_chunked_and_read_back(tmp_path):
    names = [f"layer_with_a_rather_long_name_{i:05d}" for i in range(4000)]  # ~150 kB > 64 kB
    with h5py.File(tmp_path / "a.h5", "w") as f:
        write_str_list_attr(f, "layer_names", names)
        assert "layer_names" not in f.attrs and "layer_names0" in f.attrs and "layer_names1" in f.attrs
    with h5py.File(tmp_path / "a.h5", "r") as f:
        assert read_str_list_attr(f, "layer_names") == names


@pytest.mark.parametrize("value", [
    np.array([b"a", b"bc"], dtype="S"),                        # fixed-length bytes (Keras 2 / h5py 2)
    np.array(["a", "bc"], dtype=h5py.string_dtype()),          # vlen str (Keras 3)
    np.array([b"a", b"bc"], dtype=h5py.string_dtype("ascii")),  # vlen bytes
])
def test_string_flavours(tmp_path, value):
    with h5py.File(tmp_path / "s.h5", "w") as f:
        f.attrs["weight_names"] = value
    with h5py.File(tmp_path / "s.h5", "r") as f:
        assert read_str_list_attr(f, "weight_names") == ["a", "bc"]


def test_empty_float_list_is_empty(tmp_path):
    with h5py.File(tmp_path / "e.h5", "w") as f:
        f.attrs["weight_names"] = np.asarray([])  # what Keras 3 writes for weightless layers
    with h5py.File(tmp_path / "e.h5", "r") as f:
        assert read_str_list_attr(f, "weight_names") == []


def test_numbers_are_not_names(tmp_path):
    with h5py.File(tmp_path / "n.h5", "w") as f:
        f.attrs["layer_names"] = np.arange(3)
    with h5py.File(tmp_path / "n.h5", "r") as f, pytest.raises(ModelFileError, match="should list names"):
        read_str_list_attr(f, "layer_names")


@pytest.mark.parametrize("path", ["", "/abs", "a//b", "a/../b", "./a"])
def test_unsafe_paths_refused(tmp_path, path):
    with h5py.File(tmp_path / "p.h5", "w") as f:
        f.create_group("a/b")
        with pytest.raises(UnsafeModelError):
            safe_get(f, path, kind="group")
