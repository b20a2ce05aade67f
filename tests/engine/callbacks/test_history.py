"""engine.callbacks.history."""

from __future__ import annotations

from .fakes import FakeModel, fit


def test_history_records_logs():
    model = FakeModel()
    fit(model, [], [{"loss": 1.0, "val_loss": 2.0}, {"loss": 0.5, "val_loss": 1.5}])
    assert model.history.history == {"loss": [1.0, 0.5], "val_loss": [2.0, 1.5]}
    assert model.history.epoch == [0, 1]
