"""The careful CSV reader: a header row, numeric and categorical columns, delimiter sniffed, UTF-8
with or without BOM. It is the reference: csv_fast must answer exactly as it does, and it runs
whenever csv_fast declines a file (invalid or unusual), to name the problem.

Two streaming passes over the file (check, then fill arrays) in chunks of rows, so memory is the
arrays, not the text. Problems are reported with the line and column of the first one.
"""

import codecs
import csv
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from modelbuilder.datasets.tables import (
    PREVIEW_ROWS,
    DatasetInvalid,
    Table,
    categorical_limit,
    mean_std,
)

DELIMITERS = [",", ";", "\t"]


def _open_text(path: Path) -> io.TextIOWrapper:
    # utf-8-sig drops a BOM when there is one and reads plain UTF-8 otherwise.
    return open(path, encoding="utf-8-sig", newline="")


def sniff_delimiter(header_line: str) -> str:
    try:
        return csv.Sniffer().sniff(header_line, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: header_line.count(d) for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _is_utf8(path: Path) -> bool:
    """The whole file decodes, checked in 1 MB blocks at C speed (the line scan is ~5x slower)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                decoder.decode(block)
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        return False
    return True


def _check_utf8(path: Path) -> None:
    # A decoding error inside TextIOWrapper has no line number: find it line by line first.
    if _is_utf8(path):
        return
    with open(path, "rb") as f:
        for line, raw in enumerate(f, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DatasetInvalid(
                    f"Line {line}, byte {exc.start + 1}: the file is not UTF-8 ({exc.reason}).",
                    line=line,
                ) from None


def _rows(path: Path):
    """Yield (line_number, row, delimiter) for non-blank rows (delimiter sniffed from line 1)."""
    _check_utf8(path)
    yield from _text_rows(path)


def _text_rows(path: Path):
    """_rows of a file already known to be UTF-8."""
    reader = None
    with _open_text(path) as f:
        try:
            first = f.readline()
            while first and not first.strip():
                first = f.readline()
            if not first.strip():
                raise DatasetInvalid("The file is empty.", line=1)
            delimiter = sniff_delimiter(first)
            f.seek(0)
            reader = csv.reader(f, delimiter=delimiter, strict=True)
            for row in reader:
                if not row or not "".join(row).strip():
                    continue
                yield reader.line_num, row, delimiter
        except csv.Error as exc:
            line = reader.line_num if reader else 1
            raise DatasetInvalid(f"Line {line}: {exc}.", line=line) from None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _header(line: int, row: list[str]) -> list[str]:
    names = [cell.strip() for cell in row]
    if all(_is_number(n) for n in names):
        raise DatasetInvalid(
            f"Line {line}: no header row; the first line holds numbers ({', '.join(names[:4])}). "
            "Add a line of column names.",
            line=line,
        )
    for i, name in enumerate(names):
        if not name:
            raise DatasetInvalid(
                f"Line {line}, column {i + 1}: empty column name.", line=line, column=str(i + 1)
            )
        if name in names[:i]:
            raise DatasetInvalid(
                f"Line {line}, column {i + 1}: duplicate column name {name!r}.",
                line=line,
                column=name,
            )
    return names


MAX_LABELS = 1000
CHUNK_ROWS = 8192


def _as_floats(values: tuple[str, ...]) -> np.ndarray | None:
    """The chunk as float64 (NumPy parses the strings in C), or None when a value is not a number."""
    try:
        return np.array(values, dtype=np.float64)
    except ValueError:
        return None


@dataclass
class _ColumnScan:
    """What the first pass learns about one column, without keeping its values."""

    name: str
    numeric: int = 0
    first_text: tuple[int, str] | None = None
    first_empty: int | None = None
    first_nonfinite: tuple[int, str] | None = None
    text_labels: set[str] = field(default_factory=set)

    def add_chunk(self, lines: list[int], values: tuple[str, ...]) -> None:
        floats = _as_floats(values)
        if floats is not None:  # the fast path: a chunk of numbers
            self.numeric += len(values)
            finite = np.isfinite(floats)
            if self.first_nonfinite is None and not finite.all():
                i = int(np.argmin(finite))
                self.first_nonfinite = (lines[i], values[i].strip())
            return
        for line, value in zip(lines, values, strict=True):
            value = value.strip()
            if not value:
                self.first_empty = self.first_empty or line
                continue
            try:
                number = float(value)
            except ValueError:
                self.first_text = self.first_text or (line, value)
                if len(self.text_labels) <= MAX_LABELS:
                    self.text_labels.add(value)
                continue
            self.numeric += 1
            if not math.isfinite(number) and self.first_nonfinite is None:
                self.first_nonfinite = (line, value)

    def kind(self, rows: int, first_line: int) -> str:
        """ "numeric" or "categorical", or DatasetInvalid for the column's first problem."""
        name = self.name
        if self.first_empty:
            line = self.first_empty
            raise DatasetInvalid(
                f"Line {line}, column {name!r}: empty value.", line=line, column=name
            )
        if self.numeric * 2 > rows and self.numeric < rows:
            line, value = self.first_text
            raise DatasetInvalid(
                f"Line {line}, column {name!r}: {value[:40]!r} is not a number "
                "(the rest of the column is numeric).",
                line=line,
                column=name,
            )
        if self.numeric == rows:
            if self.first_nonfinite:
                line, value = self.first_nonfinite
                raise DatasetInvalid(
                    f"Line {line}, column {name!r}: {value!r} is not a finite number.",
                    line=line,
                    column=name,
                )
            return "numeric"
        too_many(name, len(self.text_labels), rows, first_line)
        return "categorical"


def too_many(name: str, distinct: int, rows: int, first_line: int) -> None:
    if distinct > categorical_limit(rows):
        count = f"more than {MAX_LABELS}" if distinct > MAX_LABELS else str(distinct)
        raise DatasetInvalid(
            f"Line {first_line}, column {name!r}: text with {count} distinct values in "
            f"{rows} rows is neither numeric nor categorical.",
            line=first_line,
            column=name,
        )


def _numeric_info(name: str, array: np.ndarray) -> dict:
    integer = bool(np.all(array == np.round(array)))
    mean, std = mean_std(array)
    info = {
        "name": name,
        "kind": "numeric",
        "dtype": "int" if integer else "float",
        "min": float(array.min()),
        "max": float(array.max()),
        "mean": mean,
        "std": std,
    }
    distinct, counts = np.unique(array, return_counts=True)
    if integer and len(distinct) <= 20:
        info["classes"] = {str(int(v)): int(c) for v, c in zip(distinct, counts, strict=True)}
    return info


def _chunks(rows, width: int):
    """(lines, columns) per CHUNK_ROWS rows; columns are tuples of (unstripped) strings."""
    lines, block = [], []
    for line, row, _ in rows:
        if len(row) != width:
            raise DatasetInvalid(
                f"Line {line}: expected {width} fields like the header, found {len(row)}.",
                line=line,
                column=str(min(len(row), width) + 1),
            )
        lines.append(line)
        block.append(row)  # stripped later, only where needed: NumPy's parser skips spaces
        if len(block) == CHUNK_ROWS:
            yield lines, list(zip(*block, strict=True))
            lines, block = [], []
    if block:
        yield lines, list(zip(*block, strict=True))


def _scan(path: Path) -> tuple[list[_ColumnScan], list[str], int, int, str]:
    """First pass: header, ragged rows, row count and per-column facts (no values kept)."""
    rows = _rows(path)
    try:
        header_line, header_row, delimiter = next(rows)
    except StopIteration:
        raise DatasetInvalid("The file is empty.", line=1) from None
    names = _header(header_line, header_row)
    scans = [_ColumnScan(name) for name in names]
    count, first_line = 0, header_line + 1
    for lines, columns in _chunks(rows, len(names)):
        first_line = first_line if count else lines[0]
        count += len(lines)
        for scan, values in zip(scans, columns, strict=True):
            scan.add_chunk(lines, values)
    if count < 2:
        raise DatasetInvalid(
            f"The file has {count} data row(s); at least 2 are needed to train.",
            line=header_line + 1,
        )
    return scans, names, count, first_line, delimiter


def read_csv(path: Path) -> tuple[Table, dict]:
    """Two streaming passes: check and learn the columns, then fill float arrays (and label codes).

    Memory is one float64 per numeric cell (and one int32 per categorical one), never the text.
    """
    path = Path(path)
    scans, names, count, first_line, delimiter = _scan(path)
    kinds = [scan.kind(count, first_line) for scan in scans]
    arrays = [np.empty(count, dtype=np.float64 if k == "numeric" else np.int32) for k in kinds]
    codes: list[dict[str, int]] = [{} for _ in names]
    rows = _rows(path)
    next(rows)  # the header
    start = 0
    for lines, columns in _chunks(rows, len(names)):
        stop = start + len(lines)
        for array, kind, index, values in zip(arrays, kinds, codes, columns, strict=True):
            if kind == "numeric":
                array[start:stop] = np.array(values, dtype=np.float64)
            else:  # numbers in a text column are labels too, so they are counted here
                array[start:stop] = [index.setdefault(v.strip(), len(index)) for v in values]
        start = stop
    table, infos = Table(), []
    for name, kind, array, index in zip(names, kinds, arrays, codes, strict=True):
        if kind == "numeric":
            table.columns[name] = array
            infos.append(_numeric_info(name, array))
            continue
        too_many(name, len(index), count, first_line)
        labels = np.array(sorted(index), dtype=str)
        order = np.searchsorted(labels, np.array(list(index), dtype=str))  # first-seen -> sorted
        column = labels[order[array]]
        counts = np.bincount(order[array], minlength=len(labels))
        table.columns[name] = column
        infos.append(
            {
                "name": name,
                "kind": "categorical",
                "dtype": "category",
                "classes": {str(k): int(c) for k, c in zip(labels, counts, strict=True)},
            }
        )
    schema = {"format": "csv", "delimiter": delimiter, "rows": count, "columns": infos}
    return table, schema


def preview_csv(path: Path, limit: int = PREVIEW_ROWS) -> tuple[list[str], list[list[str]]]:
    header: list[str] = []
    rows: list[list[str]] = []
    for _, row, _ in _rows(Path(path)):
        if not header:
            header = [c.strip() for c in row]
            continue
        rows.append([c.strip() for c in row])
        if len(rows) >= limit:
            break
    return header, rows
