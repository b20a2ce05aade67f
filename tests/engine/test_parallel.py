"""Batch-level parallelism (engine.parallel): predict on several threads gives the serial results, in order, and
only runs concurrently where that is safe."""

import threading
import time

import numpy as np
import pytest

from engine import backend, parallel
from engine.layers import (
    LSTM,
    Conv2D,
    Dense,
    Embedding,
    Flatten,
    Input,
    Layer,
    MaxPooling2D,
    concatenate,
)
from engine.models import Model, Sequential


def _serial(monkeypatch, model, x, **kw):
    with monkeypatch.context() as m:
        m.setattr(parallel, "batch_workers", lambda model: 1)
        return model.predict(x, verbose=0, **kw)


def _spy_workers(monkeypatch):
    """Record the worker counts predict's map ran with (so a test knows the parallel path ran)."""
    seen = []
    real = parallel.map_batches

    def spy(fn, items, *, workers):
        seen.append(workers)
        return real(fn, items, workers=workers)

    monkeypatch.setattr(parallel, "map_batches", spy)
    return seen


MODELS = {
    "mlp": (lambda: Sequential([Input((12,)), Dense(32, activation="relu"), Dense(5)]), (12,), "float"),
    "cnn": (lambda: Sequential([Input((10, 10, 1)), Conv2D(8, 3, activation="relu"), MaxPooling2D(2), Flatten(),
                                Dense(3)]), (10, 10, 1), "float"),
    "lstm": (lambda: Sequential([Input((7,), dtype="int32"), Embedding(50, 8), LSTM(6),
                                 Dense(1, activation="sigmoid")]), (7,), "int"),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_predict_on_two_threads_matches_serial(name, two_threads, monkeypatch):
    build, shape, kind = MODELS[name]
    model = build()
    rng = np.random.default_rng(0)
    x = rng.integers(0, 50, size=(203, *shape)) if kind == "int" else rng.normal(size=(203, *shape)).astype("float32")
    expected = _serial(monkeypatch, model, x, batch_size=16)
    seen = _spy_workers(monkeypatch)
    got = model.predict(x, batch_size=16, verbose=0)
    assert seen == [2]
    assert got.shape == expected.shape == (203, model.outputs[0].shape[-1])  # the short last batch included
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)  # BLAS on 1 vs N threads: rounding only


def test_functional_multi_output_and_generator_source(two_threads, monkeypatch):
    a, b = Input((4,)), Input((3,))
    h = Dense(8, activation="tanh")(concatenate([a, b]))
    model = Model([a, b], [Dense(2)(h), Dense(1)(h)])
    rng = np.random.default_rng(1)
    xa, xb = rng.normal(size=(50, 4)).astype("float32"), rng.normal(size=(50, 3)).astype("float32")
    expected = _serial(monkeypatch, model, [xa, xb], batch_size=8)

    def batches():
        for i in range(0, 50, 8):
            yield (xa[i:i + 8], xb[i:i + 8]),

    seen = _spy_workers(monkeypatch)
    got = model.predict(batches(), verbose=0)
    assert seen == [2]
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_only_safe_models_run_concurrently(two_threads):
    class Counting(Layer):  # a user's layer may keep state between calls
        def call(self, x):
            return x

    class Sub(Model):
        def __init__(self):
            super().__init__()
            self.dense = Dense(2)

        def call(self, x):
            return self.dense(x)

    safe = Sequential([Input((3,)), Dense(2)])
    assert parallel.batch_workers(safe) == 2
    assert parallel.batch_workers(Sequential([Input((3,)), Counting(), Dense(2)])) == 1
    assert parallel.batch_workers(Sub()) == 1
    stateful = Sequential([Input((4, 2), batch_size=2), LSTM(3, stateful=True)])
    assert parallel.batch_workers(stateful) == 1  # its states carry from batch to batch: order matters


def test_rows_on_threads_only_where_they_pay(monkeypatch):
    """Element-wise-heavy models (conv, recurrent) run rows on threads; a big-weights MLP keeps BLAS threads
    (measured: 0.7-0.85x on rows); small batches do not cover the hand-offs."""
    monkeypatch.setattr(backend, "engine_threads", lambda: 2)
    mlp = Sequential([Input((784,)), Dense(512, activation="relu"), Dense(256, activation="relu"), Dense(10)])
    cnn = Sequential([Input((28, 28, 1)), Conv2D(32, 3, activation="relu"), MaxPooling2D(2), Flatten(), Dense(10)])
    lstm = MODELS["lstm"][0]()

    def pays(model, x):
        from engine.models import sharded  # noqa: PLC0415

        return parallel.rows_pay_off(model, len(x), ("key",), lambda: sharded.outputs_per_row(model, [x], "single"))

    assert not pays(mlp, np.zeros((128, 784), "float32"))
    assert not pays(mlp, np.zeros((2048, 784), "float32"))
    assert pays(cnn, np.zeros((64, 28, 28, 1), "float32"))
    assert not pays(Sequential([Input((28, 28, 1)), Conv2D(32, 3), Flatten(), Dense(10)]), np.zeros((2, 28, 28, 1)))
    assert pays(Sequential([Input((100,), dtype="int32"), Embedding(10000, 64), LSTM(64), Dense(1)]),
                np.zeros((64, 100), "int32"))
    assert not pays(lstm, np.zeros((8, 7), "int32"))  # 8 short sequences: too little work


def test_one_thread_setting_stays_serial(monkeypatch):
    monkeypatch.setattr(backend, "engine_threads", lambda: 1)
    assert parallel.batch_workers(Sequential([Input((3,)), Dense(2)])) == 1


def test_map_keeps_order_and_bounds_what_is_in_flight():
    pulled, done = [], []

    def items():
        for i in range(20):
            pulled.append(i)
            yield i

    def slow_square(i):
        time.sleep(0.002 * (i % 3))  # later items may finish first
        done.append(i)
        return i * i

    results = parallel.map_batches(slow_square, items(), workers=2)
    assert next(results) == 0
    assert len(pulled) <= 2 * 2 + 1  # not the whole generator at once
    assert [0, *results] == [i * i for i in range(20)]


def test_map_raises_the_first_error_and_restores_blas():
    from threadpoolctl import threadpool_limits  # noqa: PLC0415

    def fails_on_three(i):
        if i == 3:
            raise ValueError("batch 3 is bad")
        return backend.engine_threads()

    with threadpool_limits(2, user_api="blas"):  # 2 where the machine allows: the map's limit of 1 shows
        if backend.engine_threads() < 2:
            pytest.skip("one thread here: a limit of 1 cannot be told apart")
        assert list(parallel.map_batches(lambda i: backend.engine_threads(), range(4), workers=2)) == [1] * 4
        with pytest.raises(ValueError, match="batch 3 is bad"):
            list(parallel.map_batches(fails_on_three, range(10), workers=2))
        assert backend.engine_threads() == 2  # the BLAS limit of the map is lifted again


def test_nested_predict_inside_a_worker_is_serial(two_threads):
    model = Sequential([Input((3,)), Dense(2)])
    inner = []

    def nested(_):
        inner.append((parallel.batch_workers(model), threading.current_thread().name))
        return 0

    list(parallel.map_batches(nested, range(4), workers=2))
    assert all(workers == 1 for workers, _ in inner)
    assert all(name.startswith("engine-batch") for _, name in inner)


def _submit_in_child(queue):
    queue.put(parallel.thread_pool("test", 1).submit(lambda: "ran").result(timeout=10))


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork on this platform")
def test_a_forked_child_gets_working_pools():
    """A Celery prefork worker is a fork: a pool made before it must not be reused there (its threads are gone)."""
    import multiprocessing  # noqa: PLC0415

    assert parallel.thread_pool("test", 1).submit(lambda: "ran").result(timeout=10) == "ran"
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_submit_in_child, args=(queue,))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert queue.get(timeout=1) == "ran"


def test_run_parts_runs_part_zero_here_and_raises_after_all_parts():
    here = threading.current_thread().name
    finished = []

    def part(p):
        if p == 1:
            time.sleep(0.05)
            finished.append(p)
            raise RuntimeError("part 1 failed")
        finished.append(p)
        return threading.current_thread().name

    with pytest.raises(RuntimeError, match="part 1 failed"):
        parallel.run_parts(part, 3)
    assert sorted(finished) == [0, 1, 2]  # the error waited for the slow part
    names = parallel.run_parts(lambda p: threading.current_thread().name, 3)
    assert names[0] == here and all(n.startswith("engine-batch") for n in names[1:])
