"""engine.models.logs: Logs answer to both accuracy spellings without storing the other one."""

import pytest

from engine.models.logs import Logs


def test_logs_answer_to_both_accuracy_spellings():
    logs = Logs({"loss": 0.5, "val_accuracy": 0.75, "acc": 0.25})
    assert logs["val_acc"] == 0.75 and logs["accuracy"] == 0.25
    assert "val_acc" in logs and "accuracy" in logs and "val_loss" not in logs
    assert logs.get("val_acc") == 0.75 and logs.get("val_loss", -1) == -1
    assert sorted(logs) == ["acc", "loss", "val_accuracy"]  # only the real keys are stored
    with pytest.raises(KeyError):
        _ = logs["val_loss"]
    assert 3 not in logs
