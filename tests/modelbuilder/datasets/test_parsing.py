"""The CSV/NPZ readers: every malformed kind is refused with the line and column of the problem."""

import numpy as np
import pytest

from modelbuilder.datasets.parsing import DatasetInvalid, read_csv, read_npz


def write(tmp_path, data: bytes | str, name="d.csv"):
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_it_sniffs_the_delimiter(tmp_path, delimiter):
    text = (
        delimiter.join(["a", "b", "label"])
        + "\n"
        + "\n".join(delimiter.join([str(i), str(i * 2.5), "xy"[i % 2]]) for i in range(6))
    )
    table, schema = read_csv(write(tmp_path, text))
    assert schema["delimiter"] == delimiter
    assert schema["rows"] == 6
    assert [c["kind"] for c in schema["columns"]] == ["numeric", "numeric", "categorical"]
    assert schema["columns"][2]["classes"] == {"x": 3, "y": 3}
    assert schema["columns"][1]["max"] == pytest.approx(12.5)
    np.testing.assert_allclose(table.columns["b"], np.arange(6) * 2.5)


def test_it_reads_utf8_with_and_without_bom(tmp_path):
    text = "naïve,b\n1,é\n2,é\n3,ü\n"
    _, plain = read_csv(write(tmp_path, text, "plain.csv"))
    _, bom = read_csv(write(tmp_path, b"\xef\xbb\xbf" + text.encode(), "bom.csv"))
    assert plain == bom
    assert plain["columns"][0]["name"] == "naïve"


def test_it_computes_statistics(tmp_path):
    _, schema = read_csv(write(tmp_path, "x,y\n1,0\n2,1\n3,0\n4,1\n"))
    x = schema["columns"][0]
    values = np.array([1, 2, 3, 4.0])
    assert (x["min"], x["max"], x["mean"]) == (1, 4, 2.5)
    assert x["std"] == pytest.approx(values.std())
    assert schema["columns"][1]["classes"] == {"0": 2, "1": 2}


@pytest.mark.parametrize(
    "data, line, column, words",
    [
        ("", 1, None, "empty"),
        ("\n\n  \n", 1, None, "empty"),
        ("1,2\n3,4\n", 1, None, "no header"),
        ("a,b\n1,2\n3\n4,5\n", 3, "2", "expected 2 fields"),
        ("a,b\n1,2\n3,4,5\n", 3, "3", "expected 2 fields"),
        ("a,b\n1,2\n", 2, None, "at least 2"),
        ("a,b\n1,2\n3,nan\n", 3, "b", "not a finite number"),
        ("a,b\n1,inf\n3,4\n", 2, "b", "not a finite number"),
        ("a,b\n1,2\n3,x\n5,6\n", 3, "b", "not a number"),
        ("a,b\n1,2\n3,\n5,6\n", 3, "b", "empty value"),
        ("a,,c\n1,2,3\n4,5,6\n", 1, "2", "empty column name"),
        ("a,a\n1,2\n4,5\n", 1, "a", "duplicate"),
        (b"a,b\n1,2\n3,\xff\n", 3, None, "not UTF-8"),
    ],
)
def test_it_names_the_line_and_column_of_the_first_problem(tmp_path, data, line, column, words):
    with pytest.raises(DatasetInvalid) as info:
        read_csv(write(tmp_path, data))
    assert info.value.line == line
    assert info.value.column == column
    assert words in info.value.message


def test_text_with_too_many_values_is_neither_numeric_nor_categorical(tmp_path):
    rows = "\n".join(f"{i},name{i}" for i in range(60))
    with pytest.raises(DatasetInvalid) as info:
        read_csv(write(tmp_path, "a,name\n" + rows))
    assert info.value.column == "name"
    assert "neither numeric nor categorical" in info.value.message


def npz(tmp_path, name="d.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


def test_npz_with_x_y_and_test_arrays(tmp_path):
    x = np.arange(40, dtype=np.float32).reshape(10, 4)
    y = np.array([0, 1] * 5)
    table, schema = read_npz(npz(tmp_path, x=x, y=y, x_test=x[:3], y_test=y[:3]))
    assert schema["x_shape"] == [10, 4] and schema["test_rows"] == 3
    assert schema["target"]["classes"] == {"0": 5, "1": 5}
    np.testing.assert_array_equal(table.x, x)


@pytest.mark.parametrize(
    "arrays, words",
    [
        ({"x": np.zeros((4, 2))}, "missing ['y']"),
        ({"x": np.zeros((4, 2)), "y": np.zeros(3)}, "x has 4 samples but y has 3"),
        ({"x": np.array([[1.0, np.nan], [1, 2]]), "y": np.zeros(2)}, "x[0, 1] is not a finite"),
        ({"x": np.zeros((1, 2)), "y": np.zeros(1)}, "at least 2"),
        ({"x": np.zeros(5), "y": np.zeros(5)}, "expected (samples, features"),
        ({"x": np.array([["a", "b"], ["c", "d"]]), "y": np.zeros(2)}, "expected numbers"),
    ],
)
def test_npz_problems(tmp_path, arrays, words):
    with pytest.raises(DatasetInvalid) as info:
        read_npz(npz(tmp_path, **arrays))
    assert words in info.value.message


def test_npz_never_unpickles(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, x=np.array([{"a": 1}, {"b": 2}], dtype=object), y=np.zeros(2))
    with pytest.raises(DatasetInvalid, match="cannot be read safely"):
        read_npz(path)


def test_not_a_zip(tmp_path):
    with pytest.raises(DatasetInvalid, match="Not a readable NPZ"):
        read_npz(write(tmp_path, b"PK\x03\x04garbage", "bad.npz"))


def test_numbers_in_a_text_column_are_labels(tmp_path):
    table, schema = read_csv(write(tmp_path, "x,grade\n1,A\n2,B\n3,A\n4,1\n5,A\n"))
    assert schema["columns"][1]["classes"] == {"1": 1, "A": 3, "B": 1}
    assert table.columns["grade"].tolist() == ["A", "B", "A", "1", "A"]


def test_chunks_give_the_same_answer_and_the_right_lines(tmp_path, monkeypatch):
    import modelbuilder.datasets.csv_reader as csv_reader

    rows = [f"{i * 0.5},{'xyz'[i % 3]},{i % 4}" for i in range(20)]
    path = write(tmp_path, "a,label,k\n" + "\n".join(rows) + "\n")
    whole_table, whole = read_csv(path)
    monkeypatch.setattr(csv_reader, "CHUNK_ROWS", 3)
    chunked_table, chunked = read_csv(path)
    assert chunked == whole
    for name in ("a", "label", "k"):
        assert chunked_table.columns[name].tolist() == whole_table.columns[name].tolist()
    bad = write(tmp_path, "a,b\n" + "1,2\n" * 10 + "3,oops\n" + "4,5\n" * 10, "bad.csv")
    with pytest.raises(DatasetInvalid) as info:
        read_csv(bad)
    assert (info.value.line, info.value.column) == (12, "b")
