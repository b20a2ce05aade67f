"""Training steps split into shards on threads (engine.models.sharded): the same loss and weight gradients as
the serial step, reproducible dropout, and the serial step wherever sharding would change the maths."""

import numpy as np
import pytest

from engine import losses, parallel, regularizers
from engine.backend import set_seed
from engine.callbacks import Callback
from engine.layers import (
    LSTM,
    BatchNormalization,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    Input,
    Layer,
    MaxPooling2D,
    concatenate,
)
from engine.models import Model, Sequential, sharded


def _grads(model, xb, x_struct, yb, swb, parts):
    """The loss and the weight gradients of one step on ``parts`` shards (1: the serial step)."""
    variables = model.trainable_weights
    for v in variables:
        v.grad = None
    model._reset_trackers()
    if parts == 1:
        total, _ = model._step(xb, x_struct, yb, swb, training=True)
        total.backward()
    else:
        sharded.train_step(model, xb, x_struct, yb, swb, parts)
    return model._loss_sum, [np.array(v.grad) for v in variables]


def _assert_same_step(model, xs, ys, sw=None, parts=2):
    xb, x_struct, yb, swb, n = model._prepare(xs, ys, sw)
    model._ensure_built(model._data(xs, ys, sw, batch_size=n))
    loss_serial, serial = _grads(model, xb, x_struct, yb, swb, 1)
    loss_sharded, shards = _grads(model, xb, x_struct, yb, swb, parts)
    assert np.isclose(loss_sharded, loss_serial, rtol=1e-5)
    assert len(shards) == len(serial) and all(g.any() for g in serial)
    for got, expected in zip(shards, serial, strict=True):
        np.testing.assert_allclose(got, expected, rtol=2e-4, atol=1e-6)


def test_ignore_class_averages_over_the_valid_labels_of_the_whole_batch():
    """The loss is computed on the joined batch: a per-shard mean over each shard's valid labels would differ."""
    rng = np.random.default_rng(6)
    model = Sequential([Input((6,)), Dense(8, activation="relu"), Dense(4)])
    model.compile(optimizer="sgd", loss=losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=0))
    y = np.concatenate([np.zeros(14, "int64"), rng.integers(1, 4, size=18)])  # shard 0 mostly ignored
    _assert_same_step(model, rng.normal(size=(32, 6)).astype("float32"), y)


def test_mlp_with_sample_weights_and_a_weight_regularizer():
    rng = np.random.default_rng(0)
    model = Sequential([Input((6,)), Dense(16, activation="relu", kernel_regularizer=regularizers.l2(0.01)),
                        Dense(3)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = rng.normal(size=(40, 6)).astype("float32")
    y = rng.integers(0, 3, size=40)
    _assert_same_step(model, x, y, sw=rng.uniform(0.1, 2.0, size=40).astype("float32"), parts=3)


def test_cnn():
    rng = np.random.default_rng(1)
    model = Sequential([Input((8, 8, 2)), Conv2D(4, 3, activation="relu"), MaxPooling2D(2), Flatten(), Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    _assert_same_step(model, rng.normal(size=(34, 8, 8, 2)).astype("float32"),
                      rng.normal(size=(34, 2)).astype("float32"))


def test_masked_lstm_sequences():
    """Masked steps carry the states through, in each shard as in the whole batch."""
    rng = np.random.default_rng(2)
    tokens = rng.integers(1, 30, size=(36, 9))
    for i, length in enumerate(rng.integers(2, 10, size=36)):
        tokens[i, length:] = 0
    model = Sequential([Input((9,), dtype="int32"), Embedding(30, 5, mask_zero=True),
                        LSTM(4, return_sequences=True), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    _assert_same_step(model, tokens, rng.normal(size=(36, 9, 1)).astype("float32"))


def test_two_outputs_sharing_a_trunk():
    rng = np.random.default_rng(3)
    a, b = Input((5,)), Input((2,))
    trunk = Dense(8, activation="tanh")(concatenate([a, b]))
    model = Model([a, b], [Dense(1)(trunk), Dense(3, activation="softmax")(trunk)])
    model.compile(optimizer="sgd", loss=["mse", "categorical_crossentropy"], loss_weights=[0.5, 2.0])
    xa, xb = rng.normal(size=(33, 5)).astype("float32"), rng.normal(size=(33, 2)).astype("float32")
    y2 = np.eye(3, dtype="float32")[rng.integers(0, 3, size=33)]
    _assert_same_step(model, [xa, xb], [rng.normal(size=(33, 1)).astype("float32"), y2])


def _dropout_model():
    return Sequential([Input((10,)), Dense(32, activation="relu"), Dropout(0.5), Dense(1)])


def _fit(seed, x, y):
    set_seed(seed)
    model = _dropout_model()
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, batch_size=32, epochs=2, verbose=0, shuffle=True)
    return model.get_weights(), history.history["loss"]


def test_dropout_is_reproducible_and_active(two_threads, monkeypatch):
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(128, 10)).astype("float32"), rng.normal(size=(128, 1)).astype("float32")
    calls = []
    real = sharded.train_step
    monkeypatch.setattr(sharded, "train_step", lambda *a: calls.append(a[-1]) or real(*a))
    first, loss_first = _fit(7, x, y)
    second, loss_second = _fit(7, x, y)
    assert calls and set(calls) == {2}  # the sharded step ran
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert loss_first == loss_second
    other, _ = _fit(8, x, y)
    assert not np.array_equal(first[0], other[0])  # the masks come from the seed


def test_fit_learns_the_same_as_serial(two_threads, monkeypatch):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(256, 6)).astype("float32")
    y = (x[:, :1] * 2 - x[:, 1:2]).astype("float32")

    def fit(parts):
        set_seed(0)
        model = Sequential([Input((6,)), Dense(16, activation="relu"), Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        with monkeypatch.context() as m:
            m.setattr(sharded, "train_shards", lambda model, xb, x_struct: parts)
            history = model.fit(x, y, batch_size=64, epochs=3, verbose=0, shuffle=False)
        return model.get_weights(), history.history["loss"]

    (w1, l1), (w2, l2) = fit(1), fit(2)
    np.testing.assert_allclose(l2, l1, rtol=1e-4)
    for a, b in zip(w2, w1, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-5)
    assert l1[-1] < l1[0]


def test_serial_where_sharding_would_change_the_maths(two_threads):
    class Mine(Layer):
        def call(self, x):
            return x

    def shards(*layers, n=64):
        return sharded.train_shards(Sequential([Input((4,)), *layers, Dense(1)]), [np.zeros((n, 4), "float32")],
                                    "single")

    assert shards(Dense(8)) == 2
    assert shards(Dense(8), n=31) == 1  # shards of fewer than 16 rows
    assert shards(BatchNormalization()) == 1  # batch statistics couple the rows
    assert shards(Dropout(0.2, seed=3)) == 1  # a generator of the layer's own
    assert shards(Dense(8, activity_regularizer="l2")) == 1
    assert shards(Mine()) == 1
    assert shards(Dropout(0.2)) == 2


def test_a_failing_shard_gives_the_serial_error_for_the_whole_batch(two_threads, monkeypatch):
    model = Sequential([Input((4,)), Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((64, 4), "float32"), np.zeros((64, 2), "float32"), batch_size=64, verbose=0)
    calls = []
    real = sharded.train_step
    monkeypatch.setattr(sharded, "train_step", lambda *a: calls.append(1) or real(*a))
    monkeypatch.setattr(model, "_ensure_built", lambda data: None)  # let the bad batch reach the step
    monkeypatch.setattr(sharded, "outputs_per_row", lambda *a: 1.0)  # and not fail earlier, in the plan
    with pytest.raises(ValueError, match=r"received input with shape \(64, 5\)"):
        model.fit(np.zeros((64, 5), "float32"), np.zeros((64, 2), "float32"), batch_size=64, verbose=0)
    assert calls  # the sharded step saw it first


def test_evaluate_runs_batches_on_threads_and_matches_serial(two_threads, monkeypatch):
    """Whole batches' forward passes on threads (BatchNormalization at inference is per row); the loss and
    metrics of each batch on this thread, in order."""
    rng = np.random.default_rng(9)
    model = Sequential([Input((6, 6, 2)), Conv2D(4, 3, activation="relu"), BatchNormalization(), Dropout(0.3),
                        Flatten(), Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    x = rng.normal(size=(70, 6, 6, 2)).astype("float32")
    y, sw = rng.integers(0, 3, size=70), rng.uniform(0.5, 2.0, size=70).astype("float32")
    model.fit(x, y, epochs=1, batch_size=35, verbose=0)  # moving statistics away from their start
    seen = []
    real = parallel.map_batches
    monkeypatch.setattr(parallel, "map_batches", lambda fn, items, *, workers: seen.append(workers) or
                        real(fn, items, workers=workers))
    got = model.evaluate(x, y, sample_weight=sw, batch_size=16, verbose=0, return_dict=True)
    assert seen == [2]
    monkeypatch.setattr(sharded, "predict_workers", lambda *a, **k: 1)
    expected = model.evaluate(x, y, sample_weight=sw, batch_size=16, verbose=0, return_dict=True)
    assert got.keys() == expected.keys()
    for key in expected:
        assert np.isclose(got[key], expected[key], rtol=1e-5), key


def test_evaluate_stays_serial_for_test_batch_callbacks_and_activity_regularizers(two_threads):
    class Watch(Callback):
        def on_test_batch_begin(self, batch, logs=None):
            order.append(("begin", batch))

        def on_test_batch_end(self, batch, logs=None):
            order.append(("end", batch))

    order = []
    model = Sequential([Input((4,)), Dense(8, activation="relu"), Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((64, 4), "float32"), np.zeros((64, 1), "float32")
    model.evaluate(x, y, batch_size=16, verbose=0, callbacks=[Watch()])
    assert order == [(k, b) for b in range(4) for k in ("begin", "end")]  # each batch's hooks around it
    regularized = Sequential([Input((4,)), Dense(8, activity_regularizer="l2"), Dense(1)])
    assert sharded.predict_workers(regularized, [x[:16]], "single", with_loss=True) == 1
    assert sharded.predict_workers(regularized, [x[:16]], "single") == 2
