"""Reading and validating dataset files. Pure functions over a path: no Django here.

`read_csv` and `read_npz` return a `Table` (the arrays) and its schema, or raise `DatasetInvalid`
naming the line and column (CSV) or the array and index (NPZ) of the first problem. The same
readers serve the upload check, the admin's re-validation and the training worker.

CSV: the fast reader (csv_fast, pyarrow) answers for valid files; it declines anything else. Then
csv_diagnose names a column problem of a plain file at C speed, and otherwise the careful reader
(csv_reader, Python's csv row by row) finds and names the problem (or reads an unusual valid file).
"""

from pathlib import Path

from modelbuilder.datasets import csv_reader
from modelbuilder.datasets.csv_diagnose import diagnose_csv
from modelbuilder.datasets.csv_fast import Declined, read_csv_fast
from modelbuilder.datasets.csv_reader import preview_csv
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


def read_csv(path: Path, *, keep_arrays: bool = True) -> tuple[Table, dict]:
    """keep_arrays=False: the schema only (the upload check), the Table stays empty on the fast path."""
    try:
        return read_csv_fast(path, keep_arrays=keep_arrays)
    except Declined:
        pass
    diagnose_csv(path)  # a large file's problem named fast, as the careful reader words it
    return csv_reader.read_csv(path)


def read(path: Path, fmt: str, *, keep_arrays: bool = True) -> tuple[Table, dict]:
    return read_csv(path, keep_arrays=keep_arrays) if fmt == "csv" else read_npz(path)
