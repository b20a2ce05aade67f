"""engine.callbacks.csv_logger."""

from __future__ import annotations

import csv

from engine import callbacks as C

from .fakes import FakeModel, fit


def test_csv_logger_contents(tmp_path):
    path = tmp_path / "log.csv"
    model = FakeModel()
    fit(model, [C.CSVLogger(str(path))], [{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.6, "val_accuracy": 0.7},
                                         {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.5, "val_accuracy": 0.8}])
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert rows[1] == ["0", "0.75", "0.5", "0.7", "0.6"]
    assert rows[2] == ["1", "0.875", "0.25", "0.8", "0.5"]
    fit(model, [C.CSVLogger(str(path), append=True)], [{"loss": 0.1, "accuracy": 1.0, "val_loss": 0.2,
                                                        "val_accuracy": 0.9}])
    rows = list(csv.reader(path.open()))
    assert len(rows) == 4 and rows[3][0] == "0"  # appended without a second header
    fit(model, [C.CSVLogger(str(path), separator=";")], [{"loss": 0.5}])
    assert path.read_text().splitlines() == ["epoch;loss;val_loss", "0;0.5;NA"]
