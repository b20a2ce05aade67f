"""engine.callbacks.base: Keras 2 batch hook names still called."""

from __future__ import annotations

from engine import callbacks as C

from .fakes import FakeModel, fit


def test_keras2_on_batch_end_is_called():
    calls = []

    class Old(C.Callback):
        def on_batch_end(self, batch, logs=None):
            calls.append(batch)

    fit(FakeModel(), [Old()], [{"loss": 1.0}], steps=3)
    assert calls == [0, 1, 2]
