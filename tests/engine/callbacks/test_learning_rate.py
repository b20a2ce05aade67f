"""engine.callbacks.learning_rate: ReduceLROnPlateau and LearningRateScheduler."""

from __future__ import annotations

import pytest

from engine import callbacks as C

from .fakes import FakeModel, fit


def test_reduce_lr_on_plateau_patience_and_cooldown():
    model = FakeModel(lr=1.0)
    cb = C.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, cooldown=2, min_lr=0.1)
    hist_lr = []

    class Record(C.Callback):
        def on_epoch_end(self, epoch, logs=None):
            hist_lr.append(logs["learning_rate"])

    vals = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    fit(model, [cb, Record()], [{"val_loss": v} for v in vals])
    # logs carry the lr at the start of the epoch's check. e0 improves (inf → 1). e1: wait 1 → lr 0.5,
    # cooldown 2. e2: cooldown 2 → 1, still cooling. e3: cooldown 1 → 0, wait 1 → 0.25. e4 cools, e5 → 0.125,
    # e6 cools, e7 → max(0.0625, min_lr) = 0.1, e8 cools.
    assert hist_lr == [1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.1]
    assert model.optimizer.learning_rate == pytest.approx(0.1)
    model = FakeModel(lr=1.0)
    fit(model, [C.ReduceLROnPlateau(factor=0.5, patience=2)], [{"val_loss": v} for v in [1.0, 0.99999, 1.0, 0.5]])
    assert model.optimizer.learning_rate == 0.5  # 0.99999 is within min_delta=1e-4: not an improvement
    model = FakeModel(lr=0.15)
    fit(model, [C.ReduceLROnPlateau(factor=0.5, patience=0, min_lr=0.1)], [{"val_loss": 1.0}] * 4)
    assert model.optimizer.learning_rate == pytest.approx(0.1)  # never below min_lr
    with pytest.raises(ValueError, match="factor >= 1.0"):
        C.ReduceLROnPlateau(factor=2.0)


def test_learning_rate_scheduler():
    model = FakeModel(lr=1.0)
    seen = []
    sched = C.LearningRateScheduler(lambda epoch, lr: lr * 0.5 if epoch > 0 else lr)
    spy = C.LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(model.optimizer.learning_rate))
    fit(model, [sched, spy], [{"loss": 1.0}] * 3)
    assert seen == [1.0, 0.5, 0.25]
    assert model.history.history["learning_rate"] == [1.0, 0.5, 0.25]
    model = FakeModel()
    fit(model, [C.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))], [{"loss": 1.0}] * 2)
    assert model.optimizer.learning_rate == pytest.approx(0.02)
