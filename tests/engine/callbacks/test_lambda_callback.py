"""engine.callbacks.lambda_callback: hooks from functions, seen by the batch-hook detection."""

from __future__ import annotations

from engine import callbacks as C
from engine.callbacks.base import _batch_hooks_overridden

from .fakes import FakeModel, fit


def test_lambda_callback_and_batch_hook_detection():
    events = []
    cb = C.LambdaCallback(on_train_begin=lambda logs: events.append("begin"),
                          on_train_batch_end=lambda batch, logs: events.append(batch),
                          on_epoch_end=lambda epoch, logs: events.append(f"e{epoch}"))
    fit(FakeModel(), [cb], [{"loss": 1.0}], steps=2)
    assert events == ["begin", 0, 1, "e0"]
    assert _batch_hooks_overridden(cb)
    assert not _batch_hooks_overridden(C.LambdaCallback(on_epoch_end=lambda epoch, logs: None))
    assert not _batch_hooks_overridden(C.EarlyStopping())
    assert C.CallbackList([C.TerminateOnNaN()]).wants_batch_logs
