"""engine.callbacks.progbar_logger: verbose 1 and 2."""

from __future__ import annotations

import io

from engine import callbacks as C

from .fakes import FakeModel


def test_progbar_logger_verbose_1_and_2():
    for verbose in (1, 2):
        out = io.StringIO()
        logger = C.ProgbarLogger(stream=out)
        model = FakeModel()
        cl = C.CallbackList([logger], model=model, epochs=2, steps=4, verbose=verbose)
        cl.on_train_begin()
        for epoch in range(2):
            cl.on_epoch_begin(epoch)
            for step in range(4):
                cl.on_train_batch_end(step, {"loss": 0.5})
            cl.on_epoch_end(epoch, {"loss": 0.25, "val_loss": 0.0001234})
        cl.on_train_end()
        lines = out.getvalue().splitlines()
        assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
        if verbose == 2:
            assert lines[1].startswith("4/4 - 0s - ")
            assert lines[1].endswith("/step - loss: 0.2500 - val_loss: 1.2340e-04")
        else:
            assert lines[1].startswith("4/4 ━━━━━━━━━━━━━━━━━━━━ 0s ") and "loss: 0.2500" in lines[1]
