"""engine.callbacks.callback_list: model, params, History and ProgbarLogger."""

from __future__ import annotations

from engine import callbacks as C

from .fakes import FakeModel


def test_callback_list_sets_model_and_params():
    model = FakeModel()
    cb = C.Callback()
    cl = C.CallbackList([cb], add_history=True, add_progbar=True, model=model, verbose=1, epochs=3, steps=2)
    assert cb.model is model and cb.params["epochs"] == 3
    assert isinstance(cl.callbacks[1], C.History) and isinstance(cl.callbacks[-1], C.ProgbarLogger)
    assert model.history is cl.callbacks[1]
