import csv
import io
import math

import numpy as np
import pytest

from engine import callbacks as C
from engine import optimizers


class FakeModel:
    """What callbacks need of a model: weights, save, an optimizer, stop_training."""

    def __init__(self, lr=0.1):
        self.w = np.zeros(2)
        self.stop_training = False
        self.optimizer = optimizers.SGD(learning_rate=lr)
        self.saved = []

    def get_weights(self):
        return [self.w.copy()]

    def set_weights(self, weights):
        self.w = weights[0].copy()

    def save(self, path, overwrite=True):
        self.saved.append(("model", path))
        open(path, "w").close()

    def save_weights(self, path, overwrite=True):
        self.saved.append(("weights", path))
        open(path, "w").close()


def fit(model, cbs, epoch_logs, steps=3, verbose=0):
    """A minimal fit loop: epoch e sets the weights to [e, e] and reports epoch_logs[e]."""
    cl = C.CallbackList(cbs, add_history=True, model=model, epochs=len(epoch_logs), steps=steps, verbose=verbose)
    model.stop_training = False
    cl.on_train_begin()
    ran = []
    for epoch, logs in enumerate(epoch_logs):
        cl.on_epoch_begin(epoch)
        for step in range(steps):
            cl.on_train_batch_begin(step)
            cl.on_train_batch_end(step, {"loss": logs.get("loss", 1.0)})
        model.w = np.full(2, float(epoch))
        logs = dict(logs)
        cl.on_epoch_end(epoch, logs)
        ran.append(epoch)
        if model.stop_training:
            break
    cl.on_train_end(logs)
    return ran


def test_history_records_logs():
    model = FakeModel()
    fit(model, [], [{"loss": 1.0, "val_loss": 2.0}, {"loss": 0.5, "val_loss": 1.5}])
    assert model.history.history == {"loss": [1.0, 0.5], "val_loss": [2.0, 1.5]}
    assert model.history.epoch == [0, 1]


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


def test_csv_logger_contents(tmp_path):
    path = tmp_path / "log.csv"
    model = FakeModel()
    fit(model, [C.CSVLogger(str(path))], [{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.6, "val_accuracy": 0.7},
                                         {"loss": 0.25, "accuracy": 0.875, "val_loss": 0.5, "val_accuracy": 0.8}])
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert rows[1] == ["0", "0.75", "0.5", "0.7", "0.6"]
    assert rows[2] == ["1", "0.875", "0.25", "0.8", "0.5"]
    fit(model, [C.CSVLogger(str(path), append=True)], [{"loss": 0.1, "accuracy": 1.0, "val_loss": 0.2,
                                                        "val_accuracy": 0.9}])
    rows = list(csv.reader(path.open()))
    assert len(rows) == 4 and rows[3][0] == "0"  # appended without a second header
    fit(model, [C.CSVLogger(str(path), separator=";")], [{"loss": 0.5}])
    assert path.read_text().splitlines() == ["epoch;loss;val_loss", "0;0.5;NA"]


def test_tensorboard_is_accepted_and_writes_csv(tmp_path):
    with pytest.warns(UserWarning, match="TensorBoard event files are not written"):
        fit(FakeModel(), [C.TensorBoard(log_dir=str(tmp_path / "logs"))], [{"loss": 0.5}])
    assert (tmp_path / "logs" / "train" / "epoch_logs.csv").read_text().splitlines()[1] == "0,0.5,NA"


def test_terminate_on_nan():
    model = FakeModel()
    ran = fit(model, [C.TerminateOnNaN()], [{"loss": 1.0}, {"loss": math.nan}, {"loss": 1.0}])
    assert ran == [0, 1] and model.stop_training


def test_lambda_callback_and_batch_hook_detection():
    events = []
    cb = C.LambdaCallback(on_train_begin=lambda logs: events.append("begin"),
                          on_train_batch_end=lambda batch, logs: events.append(batch),
                          on_epoch_end=lambda epoch, logs: events.append(f"e{epoch}"))
    fit(FakeModel(), [cb], [{"loss": 1.0}], steps=2)
    assert events == ["begin", 0, 1, "e0"]
    assert C._batch_hooks_overridden(cb)
    assert not C._batch_hooks_overridden(C.LambdaCallback(on_epoch_end=lambda epoch, logs: None))
    assert not C._batch_hooks_overridden(C.EarlyStopping())
    assert C.CallbackList([C.TerminateOnNaN()]).wants_batch_logs


def test_keras2_on_batch_end_is_called():
    calls = []

    class Old(C.Callback):
        def on_batch_end(self, batch, logs=None):
            calls.append(batch)

    fit(FakeModel(), [Old()], [{"loss": 1.0}], steps=3)
    assert calls == [0, 1, 2]


def test_progbar_verbose_1_final_line_and_eta():
    out = io.StringIO()
    bar = C.Progbar(target=32, verbose=1, stream=out)
    bar.update(10, [("loss", 0.69312)])  # not a terminal: nothing until the end
    assert out.getvalue() == ""
    bar.dynamic = True
    bar._last_update = 0
    bar.update(16, [("accuracy", 0.5), ("loss", 0.69312)])
    line = out.getvalue()
    assert line.startswith("\r16/32 ━━━━━━━━━━") and " 0s" in line  # 0s ETA
    assert "/step - loss: 0.6931 - accuracy: 0.5000" in line  # keys in first-seen order, as Keras
    bar.update(32, [("accuracy", 0.75), ("loss", 0.5)], finalize=True)
    final = out.getvalue().split("\r")[-1]
    assert final.startswith("32/32 ━━━━━━━━━━━━━━━━━━━━ 0s ") and final.endswith("\n")
    assert final.rstrip().endswith("- loss: 0.5000 - accuracy: 0.7500")


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


def test_callback_list_sets_model_and_params():
    model = FakeModel()
    cb = C.Callback()
    cl = C.CallbackList([cb], add_history=True, add_progbar=True, model=model, verbose=1, epochs=3, steps=2)
    assert cb.model is model and cb.params["epochs"] == 3
    assert isinstance(cl.callbacks[1], C.History) and isinstance(cl.callbacks[-1], C.ProgbarLogger)
    assert model.history is cl.callbacks[1]
