"""Which reader answers an upload: fast (valid), diagnose (a plain file's cell problem), careful."""

import numpy as np
import pytest

from modelbuilder.datasets import csv_reader

pytestmark = pytest.mark.django_db


def _never(*args, **kwargs):
    raise AssertionError("the careful reader ran for a valid file")


def test_a_valid_upload_never_runs_the_careful_reader(alice, mb, monkeypatch):
    monkeypatch.setattr(csv_reader, "read_csv", _never)
    rng = np.random.default_rng(3)
    rows = "".join(f"{v:.4f},{k},{'xyz'[k % 3]}\n" for v, k in zip(rng.normal(size=50), range(50)))
    response = mb.upload(alice, mb.csv_upload("a,k,label\n" + rows))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["rows"] == 50
    assert [c["kind"] for c in body["columns"]] == ["numeric", "numeric", "categorical"]


def test_a_cell_problem_in_a_plain_file_is_named_without_the_careful_reader(alice, mb, monkeypatch):
    monkeypatch.setattr(csv_reader, "read_csv", _never)
    error = mb.assert_error(mb.upload(alice, mb.csv_upload("a,b\n1,2\n3,\n5,6\n")), 400)
    assert error["details"] == {"line": 3, "column": "b"}
    assert error["message"] == "Line 3, column 'b': empty value."


def test_other_invalid_files_are_diagnosed_by_the_careful_reader(alice, mb, monkeypatch):
    calls = []
    real = csv_reader.read_csv
    monkeypatch.setattr(csv_reader, "read_csv", lambda path: calls.append(path) or real(path))
    quoted = 'a,b\n1,"2"\n3,\n5,6\n'  # quotes: a value could span lines, so lines are not rows
    error = mb.assert_error(mb.upload(alice, mb.csv_upload(quoted)), 400)
    assert error["details"] == {"line": 3, "column": "b"}
    assert "empty value" in error["message"] and len(calls) == 1
