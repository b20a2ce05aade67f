"""engine.callbacks.early_stopping (and the mode="auto" rule of monitor.py)."""

from __future__ import annotations

import numpy as np
import pytest

from engine import callbacks as C

from .fakes import FakeModel, fit


def test_early_stopping_patience():
    model = FakeModel()
    es = C.EarlyStopping(monitor="val_loss", patience=2)
    vals = [1.0, 0.8, 0.9, 0.85, 0.7, 0.6]
    ran = fit(model, [es], [{"val_loss": v} for v in vals])
    # best at epoch 1; epochs 2 and 3 do not improve → stop after epoch 3
    assert ran == [0, 1, 2, 3] and es.stopped_epoch == 3 and model.stop_training


def test_early_stopping_min_delta_mode_max_and_auto():
    model = FakeModel()
    es = C.EarlyStopping(monitor="val_acc", patience=1, min_delta=0.05)
    assert es.mode == "max"
    ran = fit(model, [es], [{"val_acc": v} for v in [0.5, 0.6, 0.62, 0.64, 0.9]])
    assert ran == [0, 1, 2]  # 0.62 is not > 0.6 + 0.05
    assert C.EarlyStopping(monitor="val_loss").mode == "min"
    assert C.EarlyStopping(monitor="val_auc").mode == "max"
    assert C.EarlyStopping(monitor="loss", mode="max").mode == "max"


def test_early_stopping_restore_best_weights():
    model = FakeModel()
    es = C.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    fit(model, [es], [{"val_loss": v} for v in [1.0, 0.5, 0.7, 0.8, 0.9]])
    assert es.best_epoch == 1
    np.testing.assert_array_equal(model.w, [1.0, 1.0])  # the weights at the end of epoch 1


def test_early_stopping_baseline_and_start_from_epoch():
    model = FakeModel()
    vals = [{"val_loss": v} for v in [0.9, 0.8, 0.85, 0.9, 0.95]]
    # Keras 3: improvements that do not beat the baseline do not reset the wait counter
    ran = fit(model, [C.EarlyStopping(monitor="val_loss", patience=2, baseline=0.5)], vals)
    assert ran == [0, 1, 2]
    ran = fit(FakeModel(), [C.EarlyStopping(monitor="val_loss", patience=2)], vals)
    assert ran == [0, 1, 2, 3]
    model = FakeModel()
    es = C.EarlyStopping(monitor="val_loss", patience=0, start_from_epoch=3)
    ran = fit(model, [es], [{"val_loss": v} for v in [0.5, 0.9, 0.9, 0.9, 0.95, 0.9]])
    assert ran == [0, 1, 2, 3, 4]


def test_early_stopping_missing_monitor_warns():
    model = FakeModel()
    with pytest.warns(UserWarning, match="val_acc` which is not available. Available metrics are: loss"):
        fit(model, [C.EarlyStopping(monitor="val_acc")], [{"loss": 1.0}])
