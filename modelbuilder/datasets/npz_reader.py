"""NPZ: arrays `x` and `y` (optionally `x_test`, `y_test`), loaded with allow_pickle=False always."""

import zipfile
from pathlib import Path

import numpy as np

from modelbuilder.datasets.tables import DatasetInvalid, Table, mean_std


def _stats(array: np.ndarray) -> dict:
    a = array.astype(np.float64, copy=False)
    mean, std = mean_std(a)
    return {"min": float(a.min()), "max": float(a.max()), "mean": mean, "std": std}


def _check_array(name: str, array: np.ndarray, *, labels_ok: bool) -> None:
    if array.dtype.kind in "biuf":
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            raise DatasetInvalid(
                f"{name}[{', '.join(map(str, index))}] is not a finite number.",
                line=index[0],
                column=name,
            )
        return
    if labels_ok and array.dtype.kind == "U" and array.ndim == 1:
        if any("\x00" in str(label) for label in np.unique(array)):
            raise DatasetInvalid(f"{name} has a label with a NUL character.", column=name)
        return
    raise DatasetInvalid(
        f"{name} has dtype {array.dtype}; expected numbers"
        + (" (or text labels)" if labels_ok else "")
        + ".",
        column=name,
    )


def _target_info(y: np.ndarray) -> dict:
    if y.dtype.kind == "U":
        labels, counts = np.unique(y, return_counts=True)
        return {
            "kind": "categorical",
            "classes": {str(k): int(c) for k, c in zip(labels, counts, strict=True)},
        }
    info = {"kind": "numeric", **_stats(y)}
    if y.ndim == 1 and y.dtype.kind in "biu" or (y.ndim == 1 and np.all(y == np.round(y))):
        labels, counts = np.unique(y, return_counts=True)
        if len(labels) <= 1000:
            info["classes"] = {str(int(k)): int(c) for k, c in zip(labels, counts, strict=True)}
    return info


def read_npz(path: Path) -> tuple[Table, dict]:
    try:
        with np.load(Path(path), allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files if k in {"x", "y", "x_test", "y_test"}}
            keys = set(archive.files)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DatasetInvalid(f"Not a readable NPZ (zip of .npy) file: {exc}.") from None
    except ValueError as exc:  # object arrays need pickle, which is never allowed
        raise DatasetInvalid(
            f"The NPZ file holds an array that cannot be read safely: {exc}."
        ) from None
    missing = [k for k in ("x", "y") if k not in keys]
    if missing:
        raise DatasetInvalid(
            f"The NPZ file needs arrays 'x' and 'y'; missing {missing}.", column=missing[0]
        )
    table = Table(**arrays)
    for prefix in ("", "_test"):
        x, y = arrays.get("x" + prefix), arrays.get("y" + prefix)
        if (x is None) != (y is None):
            raise DatasetInvalid("'x_test' and 'y_test' come together.", column="x_test")
        if x is None:
            continue
        if x.ndim < 2:
            raise DatasetInvalid(
                f"x{prefix} has shape {x.shape}; expected (samples, features...).",
                column="x" + prefix,
            )
        if len(x) != len(y):
            raise DatasetInvalid(
                f"x{prefix} has {len(x)} samples but y{prefix} has {len(y)}.", column="y" + prefix
            )
        _check_array("x" + prefix, x, labels_ok=False)
        _check_array("y" + prefix, y, labels_ok=True)
    if len(table.x) < 2:
        raise DatasetInvalid(
            f"x has {len(table.x)} sample(s); at least 2 are needed to train.", column="x"
        )
    if table.x_test is not None and table.x_test.shape[1:] != table.x.shape[1:]:
        raise DatasetInvalid(
            f"x_test samples have shape {table.x_test.shape[1:]}, x samples {table.x.shape[1:]}.",
            column="x_test",
        )
    schema = {
        "format": "npz",
        "rows": int(len(table.x)),
        "x_shape": list(table.x.shape),
        "x_dtype": str(table.x.dtype),
        "x_stats": _stats(table.x),
        "y_shape": list(table.y.shape),
        "y_dtype": str(table.y.dtype),
        "target": _target_info(table.y),
        "test_rows": int(len(table.x_test)) if table.x_test is not None else 0,
    }
    return table, schema
