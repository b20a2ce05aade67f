"""The fast CSV reader answers exactly as the careful one, or declines and lets it answer.

Each corpus file is read by the careful reader (csv_reader.read_csv, the reference) and by
parsing.read_csv (fast path, careful fallback): same columns, kinds, classes, row count, arrays,
statistics to float tolerance, or the same error with the same line and column. For the files the
fast path is meant for, it must answer itself (else the comparison would prove nothing).
"""

import random

import numpy as np
import pytest

from modelbuilder.datasets import csv_fast, csv_reader, parsing
from modelbuilder.datasets.csv_fast import Declined, read_csv_fast
from modelbuilder.datasets.tables import DatasetInvalid


def _numbers(rng, n, fmt="{:.6g}"):
    return [fmt.format(v) for v in rng.normal(size=n) * 50]


def _lines(header, columns, delimiter=",", end="\n"):
    rows = zip(*columns, strict=True)
    return delimiter.join(header) + end + "".join(delimiter.join(r) + end for r in rows)


def _corpus():
    """name -> (bytes, whether the fast path should answer)."""
    rng = np.random.default_rng(7)
    n = 300
    nums = [_numbers(rng, n) for _ in range(3)]
    ints = [str(int(v)) for v in rng.integers(0, 7, n)]
    big_ints = [str(int(v)) for v in rng.integers(-(10**6), 10**6, n)]
    species = list(rng.choice(["cat", "dog", "bird", "ünïcødé"], n))
    grades = list(rng.choice(["A", "B", "C"], n))
    quoted = list(rng.choice(['"a, b"', '"line\none"', '"say ""hi"""', "plain"], n))
    crlf_quoted = list(rng.choice(['"x\ny"', '"p;q"', "r"], n))
    crlf_quoted_cr = list(rng.choice(['"x\r\ny"', '"p;q"', "r"], n))
    corpus = {
        "numeric": (_lines(["a", "b", "c"], nums), True),
        "categorical": (_lines(["species", "grade"], [species, grades]), True),
        "mixed": (_lines(["a", "k", "big", "species"], [nums[0], ints, big_ints, species]), True),
        "semicolon": (_lines(["a", "b", "g"], [nums[0], nums[1], grades], ";"), True),
        "tab": (_lines(["a", "b", "g"], [nums[0], nums[1], grades], "\t"), True),
        "crlf": (_lines(["a", "g"], [nums[0], grades], ",", "\r\n"), True),
        "bom": ("\ufeff" + _lines(["naïve", "g"], [nums[0], species]), True),
        "quoted": (_lines(["a", "q", "g"], [nums[0], quoted, grades]), True),
        "quoted crlf ;": (_lines(["a", "q"], [nums[0], crlf_quoted], ";", "\r\n"), True),
        # pyarrow can lose the \n of a quoted \r\n where a block ends: never trusted.
        "quoted cr in a label": (_lines(["a", "q"], [nums[0], crlf_quoted_cr], ";", "\r\n"), False),
        "quoted header": (_lines(['"x, y"', "g"], [nums[0], grades]), True),
        "quoted numbers": (_lines(["a", "g"], [[f'"{v}"' for v in nums[0]], grades]), True),
        "padded": (
            _lines(["a", "g"], [[f" {v} " for v in nums[0]], [f" {g}" for g in grades]]),
            True,
        ),
        "blank lines": (_lines(["a", "g"], [nums[0], grades]).replace("\n", "\n\n", 5), True),
        "no final newline": (_lines(["a", "g"], [nums[0], grades]).rstrip("\n"), True),
        "exponents": (_lines(["a", "g"], [[f"{v:.3e}" for v in rng.normal(size=n)], grades]), True),
        "all equal": (_lines(["a", "g"], [["2.5"] * n, grades]), True),
        "two rows": ("a,g\n1,x\n2,y\n", True),
        # The careful reader's job: numbers among labels, missing values, errors of every kind.
        "numbers among labels": ("x,grade\n1,A\n2,B\n3,A\n4,1\n5,A\n", True),
        "half numbers": ("x,g\n1,A\n2,1\n3,B\n4,2.0\n5,nan\n6,C\n", True),
        "mostly numbers": ("x,g\n1,A\n2,1\n3,B\n4,2.0\n5,nan\n6,7\n", False),
        "numbers python reads": ("x,g\n1,1_000\n2,2_000\n3,\u0663\n", False),
        "missing values": (_lines(["a", "g"], [nums[0][:-1] + [""], grades]), False),
        "blank row of delimiters": ("a,b\n1,2\n,\n3,4\n", False),
        "whitespace row": ("a,b\n1,2\n  \n3,4\n", False),
        "nan": ("a,b\n1,2\n3,nan\n", False),
        "inf": ("a,b\n1,inf\n3,4\n", False),
        "huge": ("a,b\n1,1e400\n3,4\n", False),
        "sums past 1e308": ("a,b\n" + "1.5e308,2\n" * 3, False),
        "underscore": ("a,b\n1,1_000\n3,4\n", False),
        "arabic digits": ("a,b\n1,\u0661\n3,4\n", False),
        "text in numbers": ("a,b\n1,2\n3,x\n5,6\n", False),
        "ragged short": ("a,b\n1,2\n3\n4,5\n", False),
        "ragged long": ("a,b\n1,2\n3,4,5\n", False),
        "text after a quote": ('a,b\n1,"2"x\n3,4\n', False),
        "unclosed quote": ('a,b\n1,"2\n3,4\n', False),
        "space before a quote": ('a,b\n1, "2,3"\n4,5\n', False),
        "empty": ("", False),
        "blank": ("\n\n  \n", False),
        "no header": ("1,2\n3,4\n", False),
        "one row": ("a,b\n1,2\n", False),
        "empty name": ("a,,c\n1,2,3\n4,5,6\n", False),
        "duplicate name": ("a,a\n1,2\n4,5\n", False),
        "blank before header": ("\na,b\n1,2\n3,4\n", False),
        "nul": ("a,b\n1,x\x00y\n2,z\n", False),
        "too many labels": ("a,name\n" + "".join(f"{i},n{i}\n" for i in range(60)), False),
        "huge field": ("a,b\n1," + "x" * 140_000 + "\n2,y\n", False),
    }
    corpus = {k: (v.encode() if isinstance(v, str) else v, fast) for k, (v, fast) in corpus.items()}
    corpus["not utf-8"] = (b"a,b\n1,2\n3,\xff\n", False)
    corpus["latin-1 header"] = (b"caf\xe9,b\n1,2\n3,4\n", False)
    return corpus


CORPUS = _corpus()


def _outcome(read, path):
    try:
        return read(path)
    except DatasetInvalid as exc:
        return exc


def assert_same(fast, careful):
    """Equal answers: errors field by field, schemas (statistics to float tolerance) and arrays."""
    if isinstance(careful, DatasetInvalid) or isinstance(fast, DatasetInvalid):
        assert isinstance(fast, DatasetInvalid) and isinstance(careful, DatasetInvalid), (
            fast,
            careful,
        )
        assert (fast.message, fast.line, fast.column) == (
            careful.message,
            careful.line,
            careful.column,
        )
        return
    (fast_table, fast_schema), (careful_table, careful_schema) = fast, careful
    assert {k: v for k, v in fast_schema.items() if k != "columns"} == {
        k: v for k, v in careful_schema.items() if k != "columns"
    }
    for got, want in zip(fast_schema["columns"], careful_schema["columns"], strict=True):
        assert list(got) == list(want)  # same keys, same order (it is stored as JSON)
        for key in want:
            if key in ("mean", "std"):
                assert got[key] == pytest.approx(want[key], rel=1e-12, abs=1e-12), key
            else:
                assert got[key] == want[key], key
                assert type(got[key]) is type(want[key]), key
        if "classes" in want:
            assert list(got["classes"]) == list(want["classes"])
    assert list(fast_table.columns) == list(careful_table.columns)
    for name, want in careful_table.columns.items():
        got = fast_table.columns[name]
        assert got.dtype == want.dtype, name
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name", list(CORPUS))
def test_the_fast_reader_answers_as_the_careful_one(tmp_path, name):
    data, fast_answers = CORPUS[name]
    path = tmp_path / "d.csv"
    path.write_bytes(data)
    careful = _outcome(csv_reader.read_csv, path)
    assert_same(_outcome(parsing.read_csv, path), careful)
    if fast_answers:
        assert not isinstance(careful, DatasetInvalid), careful
        assert_same(read_csv_fast(path), careful)
        _, schema_only = read_csv_fast(path, keep_arrays=False)
        assert schema_only == read_csv_fast(path)[1]
    else:
        with pytest.raises(Declined):
            read_csv_fast(path)


@pytest.mark.parametrize("name", ["mixed", "quoted", "quoted crlf ;", "padded", "bom"])
@pytest.mark.parametrize("block", [64, 512, 1000])
def test_small_blocks_give_the_same_answer(tmp_path, monkeypatch, name, block):
    """Many batches: statistics merged across blocks, labels first seen in later blocks, quoted
    line ends cut by a block's edge."""
    path = tmp_path / "d.csv"
    path.write_bytes(CORPUS[name][0])
    monkeypatch.setattr(csv_fast, "BLOCK_BYTES", block)
    careful = csv_reader.read_csv(path)
    assert_same(parsing.read_csv(path), careful)
    if block >= 512:  # smaller blocks than a row: pyarrow refuses, we decline
        assert_same(read_csv_fast(path), careful)


def test_a_column_that_changes_kind_in_a_later_block_goes_to_the_careful_reader(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(csv_fast, "BLOCK_BYTES", 256)
    rows = [f"{i},{i % 3}" for i in range(200)] + ["200,x"] + [f"{i},1" for i in range(201, 210)]
    path = tmp_path / "d.csv"
    path.write_text("a,b\n" + "\n".join(rows) + "\n")
    with pytest.raises(Declined):
        read_csv_fast(path)
    labels_later = tmp_path / "labels.csv"  # numbers first, text later: labels to the careful one
    labels_later.write_text(
        "a,b\n" + "".join(f"{i},{i % 3 if i < 150 else 'x'}\n" for i in range(200))
    )
    with pytest.raises(Declined):
        read_csv_fast(labels_later)
    assert_same(
        _outcome(parsing.read_csv, labels_later), _outcome(csv_reader.read_csv, labels_later)
    )


TOKENS = ["1", "2.5", "-3e2", " 4 ", "x", "y z", '"', '""', ",", ";", "\n", "\r\n", "\r", "", "nan"]


def test_random_files_give_the_same_answer(tmp_path, monkeypatch):
    """Fuzz: quotes, delimiters, spaces and line ends anywhere, blocks of 32 bytes to 4 MB; the
    answers must still agree."""
    rng = random.Random(11)
    agreed_fast = 0
    for i in range(400):
        monkeypatch.setattr(csv_fast, "BLOCK_BYTES", rng.choice([32, 48, 64, 4 << 20]))
        width = rng.randint(1, 3)
        header = ",".join(f"c{j}" for j in range(width))
        rows = []
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.7:  # mostly well-formed rows so that some files are valid
                cells = [
                    rng.choice(["1", "2.5", "-3e2", "x", "y", '"a,b"', '"q""r"'])
                    for _ in range(width)
                ]
                rows.append(",".join(cells))
            else:
                rows.append("".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 6))))
        path = tmp_path / f"f{i}.csv"
        path.write_bytes((header + "\n" + "\n".join(rows) + rng.choice(["", "\n"])).encode())
        careful = _outcome(csv_reader.read_csv, path)
        assert_same(_outcome(parsing.read_csv, path), careful)
        try:
            fast = read_csv_fast(path)
        except Declined:
            continue
        assert_same(fast, careful)
        agreed_fast += 1
    assert agreed_fast >= 20  # the fuzz reached the fast path, not only the fallback


def test_preview_reads_bom_crlf_and_quotes(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(b'\xef\xbb\xbfa;q\r\n1;"x\r\ny"\r\n2; z \r\n')
    assert parsing.preview_csv(path) == (["a", "q"], [["1", "x\r\ny"], ["2", "z"]])


def test_the_upload_check_keeps_no_arrays(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(CORPUS["mixed"][0])
    table, schema = parsing.read_csv(path, keep_arrays=False)
    assert table.columns == {} and schema["rows"] == 300


def test_kept_columns_grow_past_a_short_guess():
    buffer = csv_fast._Buffer(np.float64, 1)
    for part in (np.arange(3.0), np.arange(5.0), np.empty(0), np.arange(2.0)):
        buffer.append(part)
    assert buffer.array().tolist() == [0, 1, 2, 0, 1, 2, 3, 4, 0, 1]


def test_a_file_of_several_default_blocks(tmp_path):
    """~2.7 MB: a few 1 MB blocks as in production; statistics merged across them."""
    rng = np.random.default_rng(5)
    n = 60_000
    x = rng.normal(size=(n, 4)) * 1000 + 3
    labels = rng.choice(["alpha", "beta", "gamma", "delta"], n)
    lines = "".join(
        f"{a:.7g},{b:.7g},{c:.7g},{d:.3f},{k},{lab}\n"
        for (a, b, c, d), k, lab in zip(x, rng.integers(-5, 5, n), labels)
    )
    path = tmp_path / "d.csv"
    path.write_text("a,b,c,d,k,label\n" + lines)
    assert path.stat().st_size > 2 * csv_fast.BLOCK_BYTES
    assert_same(read_csv_fast(path), csv_reader.read_csv(path))
