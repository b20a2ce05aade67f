"""csv_diagnose names a plain file's column problem exactly as the careful reader, or keeps quiet."""

import random

import pytest

from modelbuilder.datasets import csv_fast, csv_reader
from modelbuilder.datasets.csv_diagnose import diagnose_csv
from modelbuilder.datasets.tables import DatasetInvalid

ROWS = "".join(f"{i},{i * 0.5},{'xyz'[i % 3]}\n" for i in range(40))


def careful_error(path):
    with pytest.raises(DatasetInvalid) as info:
        csv_reader.read_csv(path)
    return info.value


def same(got, want):
    assert (got.message, got.line, got.column) == (want.message, want.line, want.column)


@pytest.mark.parametrize(
    "data",
    [
        "a,b,c\n" + ROWS + "41,,x\n",  # empty value
        "a,b,c\n" + ROWS + "41,nan,x\n",  # not finite
        "a,b,c\n" + ROWS + "41, -inf ,x\n",
        "a,b,c\n" + ROWS + "41,oops,x\n",  # text among numbers
        "a,b,c\n" + ROWS.replace("\n", "\r\n") + "41,1_0,\r\n",  # CRLF; Python reads 1_0
        "a;b;c\n" + ROWS.replace(",", ";") + "41;2;\u00a0\n",  # NBSP: blank to str.strip
        "a,b,c\n" + "".join(f"{i},{i},n{i}\n" for i in range(60)),  # too many labels
        "a,b,c\n" + "".join(f"{i},{i},{i if i % 2 else 'x'}\n" for i in range(60)),  # numbers too
        "\ufeffa,b,c\n" + ROWS + "41,2,x\n42,,\n",  # BOM; the first column in order wins
        "a,b,c\n1,2\n3,,x\n" + ROWS,  # ragged: the careful reader stops at the first one
        "a,b,c\n" + ROWS + "3,,x\n1,2,3,4\n",  # ... before it judges any column
        "a;b;c\r\n" + ROWS.replace(",", ";").replace("\n", "\r\n") + "1;2",  # no final \n
    ],
)
@pytest.mark.parametrize("block", [64, 1 << 20])
def test_it_names_the_problem_as_the_careful_reader(tmp_path, monkeypatch, data, block):
    monkeypatch.setattr(csv_fast, "BLOCK_BYTES", block)
    path = tmp_path / "d.csv"
    path.write_text(data, newline="")
    with pytest.raises(DatasetInvalid) as info:
        diagnose_csv(path)
    same(info.value, careful_error(path))


@pytest.mark.parametrize(
    "data",
    [
        "a,b,c\n" + ROWS,  # valid
        'a,b,c\n"1",,x\n' + ROWS,  # quotes: a value could span lines
        "a,b,c\n1,2,x\n\n3,,x\n" + ROWS,  # an empty line shifts the lines
        "a,b,c\n1,2,x\n , ,\n3,,x\n" + ROWS,  # a row of blank cells is skipped
        "a,b,c\n1,2,x\r3,,x\n" + ROWS,  # a lone \r ends a line for csv
        "a,b,c\n" + ROWS + "  \n3,,x\n",  # a blank line of the wrong width is skipped
        "a,b,c\n" + ROWS + "3,,x\n4,5," + "y" * 140_000 + "\n",  # csv's field limit comes first
    ],
)
def test_it_keeps_quiet_where_lines_are_not_rows(tmp_path, data):
    path = tmp_path / "d.csv"
    path.write_text(data, newline="")
    assert diagnose_csv(path) is None


TOKENS = ["1", "2.5", "-3e2", " 7", "nan", "inf", "1e400", "1_0", "", " ", "x", "B ", "3", "\u0663"]


def test_random_plain_files(tmp_path, monkeypatch):
    rng = random.Random(3)
    named = 0
    for i in range(300):
        monkeypatch.setattr(csv_fast, "BLOCK_BYTES", rng.choice([64, 256, 1 << 20]))
        width = rng.randint(1, 3)
        kinds = [rng.choice("nt") for _ in range(width)]
        rows = []
        for _ in range(rng.randint(2, 50)):
            cells = [
                (str(rng.randint(0, 9)) if k == "n" else f"L{rng.randrange(4)}")
                if rng.random() < 0.9
                else rng.choice(TOKENS)
                for k in kinds
            ]
            rows.append(",".join(cells))
        path = tmp_path / f"f{i}.csv"
        path.write_text(",".join(f"c{j}" for j in range(width)) + "\n" + "\n".join(rows) + "\n")
        try:
            careful = csv_reader.read_csv(path)
        except DatasetInvalid as exc:
            careful = exc
        try:
            diagnose_csv(path)
        except DatasetInvalid as exc:
            assert isinstance(careful, DatasetInvalid), (path.read_text(), exc.message)
            same(exc, careful)
            named += 1
    assert named >= 30  # the fuzz reached the diagnosis
