"""Name the problem of a large invalid CSV at C speed, exactly as the careful reader would.

The careful reader needs ~12 s to refuse a 100 MB file with one empty cell: it scans every row in
Python before it judges the columns. Here pyarrow reads every cell as text and NumPy finds, per
column, the facts the careful reader collects (first empty cell, first text among numbers, first
non-finite number, count of numbers, text labels); `_ColumnScan.kind` of the careful reader then
words the error from them, so the message, line and column are its own.

Only for plain files, where data row i is on line i + 2: no quotes (no value spans lines), no
empty lines, no lone `\\r`, no row of blank cells (the careful reader skips those and counts on).
A ragged line comes first, as in the careful reader's scan: a plain line's fields are its
delimiters + 1. Otherwise, or when no problem is found, it says nothing and the careful reader runs.
"""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from modelbuilder.datasets import csv_fast
from modelbuilder.datasets.csv_reader import MAX_LABELS, _ColumnScan, too_many
from modelbuilder.datasets.tables import DatasetInvalid

NUMBER, NONFINITE, EMPTY, TEXT = 0, 1, 2, 3  # the classes of a cell


def _plain_lines(path: Path) -> bool:
    """No quotes, no empty lines, no lone \\r: every physical line is one row."""
    previous = b""
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(csv_fast.BLOCK_BYTES), b""):
            if b'"' in block or b"\n\n" in block or b"\n\r\n" in block or block.endswith(b"\r"):
                return False
            if block.count(b"\r") != block.count(b"\r\n"):
                return False
            if previous.endswith(b"\n") and block.startswith((b"\n", b"\r\n")):
                return False
            previous = block[-2:]
    return True


class _LongLine(Exception):
    """A line longer than csv's field limit: the careful reader may stop there with csv's error."""


def _first_ragged(path: Path, delimiter: str, width: int) -> tuple[int, int] | None:
    """(line, fields) of the first data line without `width` fields, or None. In a plain file a
    line's fields are its delimiters + 1, counted by NumPy block by block."""
    mark, line, partial = ord(delimiter), 1, 0  # `partial`: delimiters of the unfinished line
    first, start = True, 0  # `start`: where the unfinished line began, from this block's start
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(csv_fast.BLOCK_BYTES), b""):
            data = np.frombuffer(block, dtype=np.uint8)
            ends = np.flatnonzero(data == 10)
            bounds = np.concatenate(([start - 1], ends, [len(data)]))
            if np.diff(bounds).max() > csv_fast.FIELD_LIMIT:
                raise _LongLine
            start = (int(ends[-1]) + 1 if len(ends) else start) - len(data)
            counts = np.bincount(
                np.searchsorted(ends, np.flatnonzero(data == mark)), minlength=len(ends) + 1
            )
            counts[0] += partial
            fields = counts[:-1] + 1  # the lines this block finishes
            if first and len(fields):  # the header is line 1
                fields[0], first = width, False
            bad = np.flatnonzero(fields != width)
            if len(bad):
                return line + int(bad[0]), int(fields[bad[0]])
            line, partial = line + len(ends), int(counts[-1])
    if not first and block[-1:] != b"\n" and partial + 1 != width:  # a last line with no \n
        return line, partial + 1
    return None


def _line(path: Path, number: int) -> bytes:
    with open(path, "rb") as f:
        for i, text in enumerate(f, start=1):
            if i == number:
                return text
    return b""


def _classify(texts: list[str]) -> tuple[np.ndarray, list[str]]:
    """Per distinct raw text: its class and its stripped form, by Python's own str.strip and float."""
    classes, stripped = np.empty(len(texts), dtype=np.int8), []
    for i, text in enumerate(texts):
        value = text.strip()
        stripped.append(value)
        if not value:
            classes[i] = EMPTY
            continue
        try:
            number = float(value)
        except ValueError:
            classes[i] = TEXT
            continue
        classes[i] = NUMBER if np.isfinite(number) else NONFINITE
    return classes, stripped


class _Facts:
    """What the careful reader's first pass learns about one column, gathered batch by batch."""

    def __init__(self, name: str):
        self.scan = _ColumnScan(name)
        # Stripped labels, numbers among text included; past MAX_LABELS + 1 the careful reader
        # only says "more than 1000", so we stop there too.
        self.labels: set[str] = set()
        self.textual = False  # the last batch was mostly text: don't try it as numbers first

    def add(self, column: pa.Array, first_line: int) -> np.ndarray:
        """Add a batch; returns its per-row "blank cell" mask."""
        floats = None
        try:  # most batches are all numbers: nothing to find in them but non-finite values
            if not self.textual:
                floats = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
        except pa.ArrowInvalid:
            pass
        if floats is not None:
            self._numbers(floats, column, first_line)
            return np.zeros(len(floats), dtype=bool)
        encoded = pc.dictionary_encode(column)
        classes, stripped = _classify(encoded.dictionary.to_pylist())
        codes = encoded.indices.to_numpy(zero_copy_only=False)
        cells = classes[codes]
        self.textual = 2 * int(np.count_nonzero(cells == TEXT)) > len(cells)
        scan = self.scan
        scan.numeric += int(np.count_nonzero(cells <= NONFINITE))
        for kind in (EMPTY, TEXT, NONFINITE):
            hits = np.flatnonzero(cells == kind)
            if not len(hits):
                continue
            line, value = first_line + int(hits[0]), stripped[codes[hits[0]]]
            if kind == EMPTY and scan.first_empty is None:
                scan.first_empty = line
            elif kind == TEXT and scan.first_text is None:
                scan.first_text = (line, value)
            elif kind == NONFINITE and scan.first_nonfinite is None:
                scan.first_nonfinite = (line, value)
        for value, kind in zip(stripped, classes.tolist()):
            if kind != EMPTY and len(self.labels) <= MAX_LABELS:
                self.labels.add(value)
            if kind == TEXT and len(scan.text_labels) <= MAX_LABELS:
                scan.text_labels.add(value)
        return cells == EMPTY

    def _numbers(self, floats: np.ndarray, column: pa.Array, first_line: int) -> None:
        scan = self.scan
        scan.numeric += len(floats)
        finite = np.isfinite(floats)
        if scan.first_nonfinite is None and not finite.all():
            i = int(np.argmin(finite))
            scan.first_nonfinite = (first_line + i, column[i].as_py().strip())
        for text in pc.unique(column).to_pylist() if len(self.labels) <= MAX_LABELS else ():
            if len(self.labels) > MAX_LABELS:
                break
            self.labels.add(text.strip())


def diagnose_csv(path: Path) -> None:
    """Raise the careful reader's DatasetInvalid for a plain file with a column problem, else
    return (the careful reader then runs: the file is unusual, or fine, or has another problem)."""
    path = Path(path)
    try:
        delimiter, names, quoted = csv_fast._precheck(path)
    except csv_fast.Declined:
        return
    if quoted or not _plain_lines(path):
        return
    try:
        ragged = _first_ragged(path, delimiter, len(names))
    except _LongLine:
        return
    if ragged:  # the careful reader stops at the first one, unless it is a row of blank cells
        line, found = ragged
        if not _line(path, line).decode("utf-8").replace(delimiter, "").strip():
            return
        raise DatasetInvalid(
            f"Line {line}: expected {len(names)} fields like the header, found {found}.",
            line=line,
            column=str(min(found, len(names)) + 1),
        )
    facts = [_Facts(name) for name in names]
    rows = 0
    try:
        with csv_fast._reader(path, delimiter, len(names), quoted) as reader:
            for batch in reader:
                blank = np.ones(batch.num_rows, dtype=bool)
                for fact, column in zip(facts, batch.columns, strict=True):
                    blank &= fact.add(column, first_line=2 + rows)
                if blank.any():  # a row of blank cells: the careful reader skips it
                    return
                rows += batch.num_rows
    except (pa.ArrowInvalid, OSError):  # ragged rows and the like
        return
    if rows < 2:
        return
    for fact in facts:  # as the careful reader: each column's first problem, in column order
        fact.scan.kind(rows, 2)
    for fact in facts:
        if fact.scan.numeric < rows:  # a text column: all its labels count, numbers included
            too_many(fact.scan.name, len(fact.labels), rows, 2)


__all__ = ["DatasetInvalid", "diagnose_csv"]
