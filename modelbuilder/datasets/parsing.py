"""Reading and validating dataset files. Pure functions over a path: no Django here.

`read_csv` and `read_npz` return a `Table` (the arrays) and its schema, or raise `DatasetInvalid`
naming the line and column (CSV) or the array and index (NPZ) of the first problem. The same
readers serve the upload check, the admin's re-validation and the training worker.
"""

from pathlib import Path

from modelbuilder.datasets.csv_reader import preview_csv, read_csv
from modelbuilder.datasets.npz_reader import read_npz
from modelbuilder.datasets.tables import PREVIEW_ROWS, DatasetInvalid, Table, categorical_limit

__all__ = [
    "PREVIEW_ROWS",
    "DatasetInvalid",
    "Table",
    "categorical_limit",
    "preview_csv",
    "read",
    "read_csv",
    "read_npz",
]


def read(path: Path, fmt: str) -> tuple[Table, dict]:
    return read_csv(path) if fmt == "csv" else read_npz(path)
