"""engine.models.fit_callbacks: History after the user's callbacks (Keras' order), a ProgbarLogger when
verbose, plain objects as callbacks, and batch hooks called only on the callbacks that define one."""

from engine.callbacks import Callback, History, ProgbarLogger
from engine.models.fit_callbacks import _CallbackList


class FakeModel:
    history = None


class EpochsOnly(Callback):
    def on_epoch_end(self, epoch, logs=None):
        self.seen = (epoch, dict(logs))


class Batches:
    """Not a Callback: only the hooks it has are called."""

    def __init__(self):
        self.steps = []

    def on_train_batch_end(self, step, logs):
        self.steps.append((step, logs))


def test_history_after_the_users_callbacks_progbar_last_and_model_and_params_set():
    model, epochs = FakeModel(), EpochsOnly()
    cbs = _CallbackList(model, [epochs], 1, {"epochs": 2, "steps": 3, "verbose": 1})
    assert cbs.callbacks[0] is epochs and isinstance(cbs.callbacks[1], History)
    assert cbs.callbacks[1] is model.history and isinstance(cbs.callbacks[2], ProgbarLogger)
    assert all(c.model is model and c.params["steps"] == 3 for c in cbs.callbacks)
    assert _CallbackList(FakeModel(), [], 0, {}, history=False).callbacks == []


def test_batch_hooks_only_for_callbacks_that_define_them():
    model = FakeModel()
    quiet = _CallbackList(model, [EpochsOnly()], 0, {"epochs": 1})
    assert not quiet.wants_batch_logs
    batches = Batches()
    cbs = _CallbackList(model, [EpochsOnly(), batches], 0, {"epochs": 1})
    assert cbs.wants_batch_logs and cbs._batch_callbacks == [batches]
    assert batches.model is model and batches.params == {"epochs": 1}
    cbs.batch("on_train_batch_end", 4, {"loss": 1.0})
    cbs.batch("on_test_batch_end", 5)  # Batches has no such hook: skipped
    cbs.call("on_epoch_end", 0, {"loss": 1.0})
    assert batches.steps == [(4, {"loss": 1.0})] and model.history.history == {"loss": [1.0]}
    assert cbs.callbacks[0].seen == (0, {"loss": 1.0})
