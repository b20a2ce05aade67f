"""engine.callbacks.model_checkpoint."""

from __future__ import annotations

import pytest

from engine import callbacks as C

from .fakes import FakeModel, fit


def test_model_checkpoint_filepath_template(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "w.{epoch:02d}-{val_loss:.2f}.h5")
    fit(model, [C.ModelCheckpoint(path, save_weights_only=True)], [{"val_loss": 0.123}, {"val_loss": 0.456}])
    assert model.saved == [("weights", str(tmp_path / "w.01-0.12.h5")), ("weights", str(tmp_path / "w.02-0.46.h5"))]


def test_model_checkpoint_save_best_only_max(tmp_path):
    model = FakeModel()
    path = str(tmp_path / "sub" / "best_model.h5")
    ck = C.ModelCheckpoint(path, monitor="val_acc", save_best_only=True, mode="max")
    fit(model, [ck], [{"val_acc": v} for v in [0.5, 0.7, 0.6, 0.8]])
    assert [p for _, p in model.saved] == [path] * 3 and ck.best == 0.8
    assert all(kind == "model" for kind, _ in model.saved)
    # auto mode picks max for val_acc, min for val_loss
    assert C.ModelCheckpoint("x.h5", monitor="val_acc").mode == "max"
    assert C.ModelCheckpoint("x.h5").mode == "min"


def test_model_checkpoint_bad_template_and_save_freq(tmp_path):
    model = FakeModel()
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        fit(model, [C.ModelCheckpoint(str(tmp_path / "{val_acc}.h5"))], [{"loss": 1.0}])
    model = FakeModel()
    ck = C.ModelCheckpoint(str(tmp_path / "b{epoch}-{batch}.h5"), save_freq=2)
    fit(model, [ck], [{"loss": 1.0}, {"loss": 1.0}], steps=3)
    assert [p.rsplit("/", 1)[1] for _, p in model.saved] == ["b1-2.h5", "b2-1.h5", "b2-3.h5"]
