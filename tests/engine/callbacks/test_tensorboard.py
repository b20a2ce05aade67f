"""engine.callbacks.tensorboard."""

from __future__ import annotations

import pytest

from engine import callbacks as C

from .fakes import FakeModel, fit


def test_tensorboard_is_accepted_and_writes_csv(tmp_path):
    with pytest.warns(UserWarning, match="TensorBoard event files are not written"):
        fit(FakeModel(), [C.TensorBoard(log_dir=str(tmp_path / "logs"))], [{"loss": 0.5}])
    assert (tmp_path / "logs" / "train" / "epoch_logs.csv").read_text().splitlines()[1] == "0,0.5,NA"
