"""engine.callbacks.terminate_on_nan."""

from __future__ import annotations

import math

from engine import callbacks as C

from .fakes import FakeModel, fit


def test_terminate_on_nan():
    model = FakeModel()
    ran = fit(model, [C.TerminateOnNaN()], [{"loss": 1.0}, {"loss": math.nan}, {"loss": 1.0}])
    assert ran == [0, 1] and model.stop_training
