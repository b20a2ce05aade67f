"""Safe, defensive access to HDF5 files (h5py): every failure becomes a ``ModelFileError``.

Follows Keras 3's ``safe_get_h5_*`` rules: no soft/external links, no external-storage datasets, no empty
path parts. Attribute lists may be split into ``name0, name1, ...`` (HDF5's 64 KiB attribute limit).
"""

from __future__ import annotations

import json
import math
import os

import h5py
import numpy as np

from engine.saving.errors import ModelFileError, UnsafeModelError

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_ATTR_CHUNK_BYTES = 64512  # Keras' HDF5_OBJECT_HEADER_LIMIT


def check_hdf5_file(path) -> None:
    """A readable regular file that starts with the HDF5 signature (at 0 or a user block 512, 1024, ...)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ModelFileError(f"No such model file: {path!r}")
    size = os.path.getsize(path)
    if size < len(HDF5_MAGIC):
        raise ModelFileError(f"{path!r} is not an HDF5 model file: it is empty or truncated ({size} bytes).")
    with open(path, "rb") as fh:
        offset = 0
        while offset + len(HDF5_MAGIC) <= size:
            fh.seek(offset)
            if fh.read(len(HDF5_MAGIC)) == HDF5_MAGIC:
                return
            offset = 512 if offset == 0 else offset * 2
    raise ModelFileError(f"{path!r} is not an HDF5 model file (no HDF5 signature; a .keras zip, a "
                         f"SavedModel or another format cannot be read here).")


def open_h5(path, mode: str = "r") -> h5py.File:
    """Open for reading with clear errors for missing, non-HDF5, corrupt or truncated files."""
    if mode == "r":
        check_hdf5_file(path)
    try:
        return h5py.File(path, mode)
    except (OSError, ValueError, RuntimeError) as e:
        raise ModelFileError(f"Cannot open {os.fspath(path)!r} as HDF5 (corrupt or truncated file?): {e}") from e


def _decode(value) -> str:
    if isinstance(value, bytes | np.bytes_):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _decode(value[()])
    if isinstance(value, str):
        return value
    raise ModelFileError(f"Expected a string attribute, found {type(value).__name__}.")


def read_str_attr(obj, key: str, *, required: bool = True, where: str = "") -> str | None:
    try:
        if key not in obj.attrs:
            if required:
                raise ModelFileError(f"The model file has no attribute {key!r}{where}: not a Keras .h5 model file?")
            return None
        return _decode(obj.attrs[key])
    except ModelFileError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, UnicodeDecodeError) as e:
        raise ModelFileError(f"Cannot read attribute {key!r}{where}: {e}") from e


def read_json_attr(obj, key: str, *, required: bool = True) -> dict | None:
    text = read_str_attr(obj, key, required=required)
    if text is None:
        return None
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise ModelFileError(f"The attribute {key!r} is not valid JSON: {e}") from e
    if not isinstance(value, dict):
        raise ModelFileError(f"The attribute {key!r} must hold a JSON object, found {type(value).__name__}.")
    return value


def read_str_list_attr(obj, key: str, *, where: str = "") -> list[str]:
    """A list of strings stored as vlen str/bytes, fixed ``S`` or an empty (even float64) array, maybe chunked."""
    try:
        if key in obj.attrs:
            chunks = [obj.attrs[key]]
        elif f"{key}0" in obj.attrs:
            chunks, i = [], 0
            while f"{key}{i}" in obj.attrs:
                chunks.append(obj.attrs[f"{key}{i}"])
                i += 1
        else:
            raise ModelFileError(f"Missing attribute {key!r}{where}: the file is incomplete or not a Keras model file.")
        out = []
        for chunk in chunks:
            arr = np.asarray(chunk)
            if arr.size == 0:
                continue
            if arr.ndim == 0:
                arr = arr.reshape(1)
            if arr.dtype.kind not in "OSU":
                raise ModelFileError(f"Attribute {key!r}{where} should list names, found {arr.dtype} values.")
            out.extend(_decode(v) for v in arr.tolist())
        return out
    except ModelFileError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, UnicodeDecodeError) as e:
        raise ModelFileError(f"Cannot read attribute {key!r}{where}: {e}") from e


def write_str_list_attr(obj, key: str, values: list[str]) -> None:
    """As Keras: one attribute, or ``key0, key1, ...`` when it would exceed HDF5's header limit."""
    data = np.array([v.encode("utf-8") for v in values]) if values else np.asarray([])
    if data.nbytes <= _ATTR_CHUNK_BYTES:
        obj.attrs[key] = data
        return
    n_chunks = math.ceil(data.nbytes / _ATTR_CHUNK_BYTES)
    for i, part in enumerate(np.array_split(data, n_chunks)):
        obj.attrs[f"{key}{i}"] = part


def _parts(path: str, where: str) -> list[str]:
    parts = path.split("/")
    if not path or any(p == "" for p in parts) or any(p in (".", "..") for p in parts):
        raise UnsafeModelError(f"Refusing the HDF5 path {path!r}{where}: empty or relative path parts.")
    return parts


def safe_get(parent, path: str, *, kind: str, where: str = ""):
    """``parent[path]`` walking one part at a time, refusing soft/external links and external datasets."""
    node = parent
    for part in _parts(path, where):
        try:
            link = node.get(part, getlink=True)
        except (OSError, ValueError, KeyError, RuntimeError, TypeError) as e:
            raise ModelFileError(f"Cannot read {path!r}{where} (corrupt file?): {e}") from e
        if link is None:
            raise ModelFileError(f"Missing {kind} {path!r}{where}: the file is incomplete.")
        if isinstance(link, h5py.SoftLink | h5py.ExternalLink):
            raise UnsafeModelError(f"Refusing {path!r}{where}: HDF5 links are not allowed in model files.")
        try:
            node = node[part]
        except (OSError, ValueError, KeyError, RuntimeError) as e:
            raise ModelFileError(f"Cannot read {path!r}{where} (corrupt or truncated file?): {e}") from e
    want = h5py.Dataset if kind == "dataset" else h5py.Group
    if not isinstance(node, want):
        raise ModelFileError(f"{path!r}{where} should be an HDF5 {kind}, found {type(node).__name__}.")
    if kind == "dataset" and node.external:
        raise UnsafeModelError(f"Refusing dataset {path!r}{where}: it stores its data in external files.")
    return node


def dataset_shape(ds) -> tuple[int, ...]:
    try:
        return tuple(int(s) for s in ds.shape)
    except (TypeError, OSError, RuntimeError) as e:
        raise ModelFileError(f"Dataset {ds.name!r} has no simple shape: {e}") from e


def read_dataset(ds, *, max_elements: int, expected_shape=None, where: str = "") -> np.ndarray:
    """The dataset as a numpy array, after checking dtype, shape and size without reading the data."""
    shape = dataset_shape(ds)
    if expected_shape is not None and shape != tuple(expected_shape):
        raise ModelFileError(f"Shape mismatch{where}: the model expects {tuple(expected_shape)}, "
                             f"the file holds {shape}.")
    n = math.prod(shape)
    if n > max_elements:
        raise ModelFileError(f"Dataset {ds.name!r}{where} has {n} elements, more than the limit {max_elements}.")
    if ds.dtype.kind not in "fiub":
        raise ModelFileError(f"Dataset {ds.name!r}{where} has non-numeric dtype {ds.dtype}.")
    try:
        return np.asarray(ds[()])
    except (OSError, ValueError, RuntimeError, TypeError) as e:
        raise ModelFileError(f"Cannot read dataset {ds.name!r}{where} (truncated or corrupt file?): {e}") from e


class reading:  # noqa: N801 - used as ``with reading(path):``
    """Any low-level failure while reading a model file (h5py/HDF5 errors on corrupt metadata, odd dtypes,
    a config that makes a layer fail) becomes a ``ModelFileError`` naming the file; ours pass through."""

    def __init__(self, path):
        self.path = os.fspath(path) if isinstance(path, str | os.PathLike) else repr(path)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is None or isinstance(exc, ModelFileError) or not isinstance(exc, Exception):
            return False
        if isinstance(exc, OSError | RuntimeError | KeyError | ValueError | TypeError | IndexError | AttributeError
                      | OverflowError | RecursionError | UnicodeError):
            raise ModelFileError(f"Cannot load {self.path!r} (corrupt file or unsupported content): "
                                 f"{type(exc).__name__}: {exc}") from exc
        return False
