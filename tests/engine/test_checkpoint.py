"""engine.checkpoint: an interrupted-then-resumed fit ends with the weights of an uninterrupted one."""

import h5py
import numpy as np
import pytest

from engine import backend
from engine.checkpoint import TrainingCheckpoint, TrainingStopped, read_checkpoint, resume


def data(n=96):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 5)).astype("float32")
    y = np.eye(3, dtype="float32")[(x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 1)]
    return x, y


def build(seed=3, optimizer="adam"):
    from engine.layers import Dense, Dropout, Input
    from engine.models import Sequential

    backend.set_seed(seed)
    model = Sequential([Input((5,)), Dense(8, activation="relu"), Dropout(0.3), Dense(3, activation="softmax")])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


class StopAt:
    """request_stop: says "pause" once training reaches (epoch, batch)."""

    def __init__(self, epoch, batch):
        self.at, self.callback = (epoch, batch), None
        self.batches = 0

    def __call__(self):
        cb = self.callback
        self.batches += 1
        return "pause" if (cb._epoch, self.batches % cb.params["steps"] or cb.params["steps"]) == self.at else None


def uninterrupted(epochs=4, optimizer="adam"):
    x, y = data()
    model = build(optimizer=optimizer)
    history = model.fit(x, y, epochs=epochs, batch_size=16, shuffle=True, verbose=0,
                        validation_data=(x[:20], y[:20]))
    return model, history.history


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_resume_at_an_epoch_boundary_gives_the_same_weights(tmp_path, optimizer):
    x, y = data()
    path = tmp_path / "ckpt.h5"
    reference, ref_history = uninterrupted(optimizer=optimizer)

    first = build(optimizer=optimizer)
    first.fit(x, y, epochs=2, batch_size=16, shuffle=True, verbose=0, validation_data=(x[:20], y[:20]),
              callbacks=[TrainingCheckpoint(path, every_seconds=None)])
    backend.set_seed(999)  # a fresh process: the generator is elsewhere

    second = build(optimizer=optimizer)
    ckpt = TrainingCheckpoint(path, every_seconds=None)
    initial_epoch, history = resume(second, path, [ckpt])
    assert initial_epoch == 2 and history["loss"] == ref_history["loss"][:2]
    second.fit(x, y, epochs=4, batch_size=16, shuffle=True, verbose=0, validation_data=(x[:20], y[:20]),
               callbacks=[ckpt], initial_epoch=initial_epoch)
    for a, b in zip(reference.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert ckpt.history["loss"] == ref_history["loss"]
    assert ckpt.history["val_accuracy"] == ref_history["val_accuracy"]


def test_resume_in_the_middle_of_an_epoch_gives_the_same_weights_and_metrics(tmp_path):
    x, y = data()
    path = tmp_path / "ckpt.h5"
    reference, ref_history = uninterrupted()

    stop = StopAt(epoch=2, batch=3)  # 0-based epoch 2 (the third), after 3 of its 5 batches
    ckpt = TrainingCheckpoint(path, every_seconds=None, request_stop=stop)
    stop.callback = ckpt
    with pytest.raises(TrainingStopped) as info:
        build().fit(x, y, epochs=4, batch_size=16, shuffle=True, verbose=0,
                    validation_data=(x[:20], y[:20]), callbacks=[ckpt])
    assert (info.value.reason, info.value.epoch, info.value.batch) == ("pause", 2, 3)
    meta = read_checkpoint(path)["meta"]
    assert (meta["epoch"], meta["batch"], len(meta["history"]["loss"])) == (2, 3, 2)
    backend.set_seed(12345)

    model = build()
    ckpt2 = TrainingCheckpoint(path, every_seconds=None)
    initial_epoch, _ = resume(model, path, [ckpt2])
    assert initial_epoch == 2
    model.fit(x, y, epochs=4, batch_size=16, shuffle=True, verbose=0, validation_data=(x[:20], y[:20]),
              callbacks=[ckpt2], initial_epoch=initial_epoch)
    for a, b in zip(reference.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    # the resumed epoch's loss/accuracy include the batches trained before the stop
    assert ckpt2.history["loss"] == ref_history["loss"]
    assert ckpt2.history["accuracy"] == ref_history["accuracy"]


def test_interval_checkpoints_inside_an_epoch_and_atomic_writes(tmp_path):
    x, y = data()
    path = tmp_path / "run" / "ckpt.h5"
    writes = []
    ckpt = TrainingCheckpoint(path, every_seconds=None, every_batches=2, on_write=writes.append)
    build().fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[ckpt])
    # 6 batches an epoch: after batches 2 and 4 (interval), and at each epoch end
    assert [(w["epoch"], w["batch"], w["reason"]) for w in writes] == [
        (0, 2, "interval"), (0, 4, "interval"), (1, 0, "epoch"),
        (1, 2, "interval"), (1, 4, "interval"), (2, 0, "epoch")]
    assert sorted(p.name for p in path.parent.iterdir()) == ["ckpt.h5"]  # no temporary file left
    with h5py.File(path) as f:
        assert len(f["weights"]) == 4 and len(f["optimizer"]) > 2


def test_a_failed_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    x, y = data()
    path = tmp_path / "ckpt.h5"
    model = build()
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[TrainingCheckpoint(path)])
    before = path.read_bytes()

    import engine.checkpoint as module

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(module.h5py.File, "flush", broken)
    with pytest.raises(OSError):
        model.fit(x, y, epochs=2, initial_epoch=1, batch_size=16, verbose=0, callbacks=[TrainingCheckpoint(path)])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.h5"]


def test_no_checkpoint_means_start_from_zero(tmp_path):
    assert resume(build(), tmp_path / "none.h5") == (0, {})
    assert resume(build(), None) == (0, {})
