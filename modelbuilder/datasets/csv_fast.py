"""The fast CSV path: pyarrow's C++ reader streams the file in blocks, NumPy does the statistics.

It answers only for files it can vouch for: the same columns, kinds, statistics, labels and row
count as the careful reader in csv_reader.py. Whenever a file is not plainly valid, or pyarrow and
Python's csv module could read it differently, it raises `Declined` and the careful reader runs
instead: that one names the line and column of the first problem. So errors keep their messages
and valid files are read at C speed.
"""

import codecs
import mmap
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from modelbuilder.datasets.csv_reader import MAX_LABELS, _header, _text_rows
from modelbuilder.datasets.tables import Table, categorical_limit

# One batch of rows per 1 MB of text. pyarrow reads ~40 blocks ahead: 4 MB blocks cost 120 MB of
# buffers, 1 MB ones 44 MB and less CPU (bench/web_dataset_parse.py). A row must fit in a block.
BLOCK_BYTES = 1 << 20
FIELD_LIMIT = 131072  # csv.field_size_limit(): the careful reader refuses longer fields
# Distinct unstripped texts in a column beyond which the careful reader takes over.
MAX_RAW_LABELS = 2 * MAX_LABELS


class Declined(Exception):
    """This file needs the careful reader (it is invalid, or unusual in a way we don't mirror)."""


def _valid_quotes(view, delimiter: str) -> bool:
    """Every quoted field closes and is followed by a delimiter or a line end.

    Python's csv (strict) refuses `"ab"c`; pyarrow reads it as `abc`. Quotes not at a field's start
    are literal in both. The pattern is possessive, so it never backtracks.
    """
    d = re.escape(delimiter.encode())
    pattern = re.compile(
        rb'(?:[^"]++|(?<![^' + d + rb'\r\n])"(?:[^"]++|"")*+"(?=[' + d + rb"\r\n]|\Z)"
        rb"|(?<=[^" + d + rb'\r\n])")*+'
    )
    return pattern.match(view).end() == len(view)


def _scan_bytes(path: Path) -> bool:
    """Whether the file has quotes, or Declined when it is empty, not UTF-8 or holds a NUL.

    Blocks of BLOCK_BYTES at C speed; the careful reader finds the line of a bad byte.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    quoted = empty = False
    with open(path, "rb") as f:
        empty = True
        for block in iter(lambda: f.read(BLOCK_BYTES), b""):
            empty = False
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                raise Declined from None
            if b"\x00" in block:  # csv keeps a NUL in a label; we leave such files be
                raise Declined
            quoted = quoted or b'"' in block
    try:
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        raise Declined from None
    if empty:
        raise Declined
    return quoted


def _precheck(path: Path) -> tuple[str, list[str], bool]:
    """(delimiter, column names, has quotes) or Declined."""
    quoted = _scan_bytes(path)
    rows = _text_rows(path)
    try:
        line, row, delimiter = next(rows)
        names = _header(line, row)
    except Exception:  # empty, no header, bad name: the careful reader says which
        raise Declined from None
    finally:
        rows.close()
    if line != 1:  # blank lines before the header, or a header over several lines
        raise Declined
    if quoted:
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as view:
            if not _valid_quotes(view, delimiter):
                raise Declined
    return delimiter, names, quoted


def _reader(path: Path, delimiter: str, width: int, quoted: bool, numeric: frozenset = frozenset()):
    """Columns in `numeric` are parsed to float64 by pyarrow's C++ converter; the others are text."""
    names = [f"c{i}" for i in range(width)]  # ours: the header was read and checked already
    return pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            column_names=names, skip_rows=1, block_size=BLOCK_BYTES, use_threads=True
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            quote_char='"',
            double_quote=True,
            escape_char=False,
            newlines_in_values=quoted,  # costs speed, so only when the file has quotes
            ignore_empty_lines=True,  # the careful reader skips them too
        ),
        # All text: which columns are numbers is decided here, by Python float's rules.
        convert_options=pacsv.ConvertOptions(
            column_types={
                n: pa.float64() if i in numeric else pa.string() for i, n in enumerate(names)
            },
            null_values=[],
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
            check_utf8=False,  # checked in _precheck
        ),
    )


def _column_kinds(path: Path, delimiter: str, width: int, quoted: bool) -> tuple[list[str], int]:
    """Per column, from the first block: "number" (plain numbers, pyarrow parses them), "padded"
    (numbers with spaces around: trimmed, then cast) or "text"; and a guess of the row count.

    Later blocks must agree, or we decline: pyarrow refuses a non-number in a "number" column, a
    failed cast refuses one in a "padded" column, and numbers among the labels of a "text" column
    are found when the labels are checked. The careful reader handles such mixed columns.
    """
    with _reader(path, delimiter, width, quoted) as reader:
        batch = next(iter(reader), None)
    if batch is None:  # no data rows
        raise Declined
    size = path.stat().st_size  # the first block's rows per byte, to size the kept arrays
    rows = int(batch.num_rows * size / min(size, BLOCK_BYTES) * 1.02) + 16
    kinds = []
    for column in batch.columns:
        if _longest(column) > FIELD_LIMIT:
            raise Declined
        if _cast(column) is not None:
            kinds.append("number")
        elif _cast(pc.ascii_trim_whitespace(column)) is not None:
            kinds.append("padded")
        else:
            kinds.append("text")
    return kinds, rows


def _cast(values: pa.Array) -> np.ndarray | None:
    """float64 when every value is a number Python's float() reads the same way, else None.

    pyarrow's parser is stricter than float() (no `1_000`, no spaces, no Unicode digits) and rounds
    correctly like it, so a value it accepts has the same float. A text column's labels are checked
    with float() itself (_Text.labels).
    """
    try:
        return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        return None


class _Buffer:
    """A column's values, batch after batch, in one array sized from a guess of the row count:
    no list of parts to concatenate (that would hold the column twice)."""

    def __init__(self, dtype, capacity: int):
        self.data, self.size = np.empty(capacity, dtype), 0

    def append(self, values: np.ndarray) -> None:
        end = self.size + len(values)
        if end > len(self.data):  # the guess was short: grow by half
            grown = np.empty(max(end, len(self.data) * 3 // 2), self.data.dtype)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : end] = values
        self.size = end

    def array(self) -> np.ndarray:
        return self.data[: self.size]


@dataclass
class _Numeric:
    """Running statistics of a numeric column (Chan et al.'s merge of batch means and variances)."""

    count: int = 0
    mean: float = 0.0
    m2: float = 0.0
    low: float = np.inf
    high: float = -np.inf
    integer: bool = True
    classes: dict[float, int] | None = field(default_factory=dict)
    kept: "_Buffer | None" = None

    def add(self, values: np.ndarray) -> None:
        if not len(values):  # pyarrow may hand out an empty batch
            return
        if not np.isfinite(values).all():  # nan/inf: the careful reader names the cell
            raise Declined
        n, mean = len(values), float(values.mean())
        m2 = float(np.square(values - mean).sum())
        total = self.count + n
        delta = mean - self.mean
        self.mean += delta * n / total
        self.m2 += m2 + delta * delta * self.count * n / total
        self.count = total
        if not (np.isfinite(self.mean) and np.isfinite(self.m2)):  # sums past 1e308: NumPy's own
            raise Declined  # whole-column mean says inf where our merge says nan; let it answer
        self.low, self.high = (
            min(self.low, float(values.min())),
            max(self.high, float(values.max())),
        )
        self.integer = self.integer and bool(np.all(values == np.round(values)))
        if self.integer and self.classes is not None:
            distinct, counts = np.unique(values, return_counts=True)
            for v, c in zip(distinct.tolist(), counts.tolist()):
                self.classes[v] = self.classes.get(v, 0) + c
            if len(self.classes) > 20:
                self.classes = None
        if self.kept is not None:
            self.kept.append(values)

    def info(self, name: str) -> dict:
        info = {
            "name": name,
            "kind": "numeric",
            "dtype": "int" if self.integer else "float",
            "min": self.low,
            "max": self.high,
            "mean": self.mean,
            "std": float(np.sqrt(max(self.m2, 0.0) / self.count)),
        }
        if self.integer and self.classes is not None:
            info["classes"] = {str(int(v)): c for v, c in sorted(self.classes.items())}
        return info


@dataclass
class _Text:
    """Distinct raw texts (first-seen order), their counts and, if kept, per-row codes."""

    index: dict[str, int] = field(default_factory=dict)
    counts: list[int] = field(default_factory=list)
    kept: "_Buffer | None" = None

    def add(self, column: pa.Array) -> None:
        encoded = pc.dictionary_encode(column)
        texts = encoded.dictionary.to_pylist()
        to_global = np.array([self.index.setdefault(t, len(self.index)) for t in texts], np.int32)
        if len(self.index) > MAX_RAW_LABELS:
            raise Declined  # too many distinct values: the careful reader words the refusal
        self.counts.extend([0] * (len(self.index) - len(self.counts)))
        codes = to_global[encoded.indices.to_numpy(zero_copy_only=False)]
        for code, count in enumerate(np.bincount(codes, minlength=len(self.index)).tolist()):
            self.counts[code] += count
        if self.kept is not None:
            self.kept.append(codes)

    def labels(self, rows: int) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
        """(sorted labels, raw code -> label position, {label: count}) or Declined."""
        stripped = [text.strip() for text in self.index]
        for label in set(stripped):
            if not label:  # an empty cell, or a blank row the careful reader skips
                raise Declined
            if "\r" in label:  # pyarrow 26 can drop the \n of a quoted \r\n at a block's edge
                raise Declined
        labels = sorted(set(stripped))
        if len(labels) > categorical_limit(rows):
            raise Declined
        position = {label: i for i, label in enumerate(labels)}
        lookup = np.array([position[s] for s in stripped], dtype=np.int64)
        classes = dict.fromkeys(labels, 0)
        for s, count in zip(stripped, self.counts):
            classes[s] += count
        # Numbers among text are labels too, unless they are most of the column: then the careful
        # reader names the first text cell as "not a number" (and a column of numbers only, such
        # as `1_000`, that pyarrow does not read, is numeric there).
        if 2 * sum(c for label, c in classes.items() if _is_number(label)) > rows:
            raise Declined
        return np.array(labels, dtype=str), lookup, classes


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _longest(column: pa.Array) -> int:
    lengths = pc.binary_length(column)
    return int(pc.max(lengths).as_py() or 0)


def read_csv_fast(path: Path, *, keep_arrays: bool = True) -> tuple[Table, dict]:
    """What csv_reader.read_csv returns for a valid file, or Declined.

    keep_arrays=False (the upload check) keeps no column data: memory is one batch of rows.
    """
    path = Path(path)
    delimiter, names, quoted = _precheck(path)
    rows = 0
    try:
        kinds, guess = _column_kinds(path, delimiter, len(names), quoted)
        columns = [_Text() if kind == "text" else _Numeric() for kind in kinds]
        if keep_arrays:
            for column in columns:
                column.kept = _Buffer(
                    np.float64 if isinstance(column, _Numeric) else np.int32, guess
                )
        numbers = {i for i, kind in enumerate(kinds) if kind == "number"}
        with _reader(path, delimiter, len(names), quoted, numbers) as reader:
            for batch in reader:
                rows += batch.num_rows
                for kind, column, values in zip(kinds, columns, batch.columns, strict=True):
                    # Parsed by pyarrow, no length check: the one difference we keep is that a
                    # number of over 128K characters (131073 zeros) is read, not refused.
                    if kind == "number":
                        column.add(values.to_numpy(zero_copy_only=False))
                        continue
                    if _longest(values) > FIELD_LIMIT:
                        raise Declined
                    if kind == "text":
                        column.add(values)
                        continue
                    floats = _cast(pc.ascii_trim_whitespace(values))
                    if floats is None:  # text in a column of numbers
                        raise Declined
                    column.add(floats)
    except (pa.ArrowInvalid, OSError):  # ragged rows, unclosed quotes...: the careful reader
        raise Declined from None
    if rows < 2:
        raise Declined
    table, infos = Table(), []
    for name, column in zip(names, columns, strict=True):
        if isinstance(column, _Numeric):
            infos.append(column.info(name))
            if keep_arrays:
                table.columns[name] = column.kept.array()
            continue
        labels, lookup, classes = column.labels(rows)
        infos.append({"name": name, "kind": "categorical", "dtype": "category", "classes": classes})
        if keep_arrays:
            table.columns[name] = labels[lookup[column.kept.array()]]
    schema = {"format": "csv", "delimiter": delimiter, "rows": rows, "columns": infos}
    return table, schema
