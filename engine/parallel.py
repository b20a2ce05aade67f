"""Rows of work on threads on the CPU: whole batches (``predict``, ``evaluate``) or a batch's shards (``fit``,
``engine.models.sharded``), one thread each with one BLAS thread.

An op-level split (BLAS threads, kernels split by images) leaves every small element-wise pass, every numba
dispatch and every step of a recurrent loop on one core; PyTorch spreads those over its OpenMP pool. Rows do
not depend on each other at inference, so running each batch on its own thread with one BLAS thread uses every
core for all of the work, with no synchronisation inside a batch. The results are the serial loop's up to
float rounding (a GEMM on one BLAS thread may add in another order than on two).

Only where that is safe (``batch_workers``): numpy arrays (CuPy runs serially on its stream), a model made of
the engine's own layers in an engine model class (a user's ``call`` may keep state between calls), no
stateful layer (its states carry from batch to batch), and more than one engine thread allowed
(``engine.backend.engine_threads``); and where it pays (``rows_pay_off``).
"""

from __future__ import annotations

import collections
import os
import threading

import numpy as np

from engine import backend

_pools: dict = {}
_pools_lock = threading.Lock()
_in_worker = threading.local()


def batch_workers(model) -> int:
    """How many batches of ``model`` may run at once here: ``engine_threads()`` when every layer is safe to run
    concurrently, else 1 (serial). Inside a worker it is 1: a nested ``predict`` runs serially."""
    if getattr(_in_worker, "active", False) or backend.get_xp() is not np:
        return 1
    threads = backend.engine_threads()
    if threads <= 1 or not _concurrency_safe(model):
        return 1
    return threads


# When rows on threads pay (2-core machine, rows on threads vs the serial step with 2 BLAS threads, speed-ups
# from ``python -m bench.rows_on_threads``, three runs): CNN (38k op outputs per row, 206k Dense weights) fit
# 1.2-1.7x, predict 1.5-1.7x; LSTM (45k per row, 65 Dense weights) fit 1.0-1.2x, predict 1.2-1.5x; MLP (778
# per row, 535k Dense weights) fit 0.53-0.58x, predict 0.8-0.9x, and 0.7-0.85x at batches 32 to 2048. Dense
# layers on 2-D inputs are GEMMs with no weight reuse across positions: two BLAS threads share one pass over
# their weights, two workers each make their own. Element-wise work (op outputs) is what a second worker
# takes off the first. So: rows on threads when the op outputs per row are at least
# ``OUTPUTS_PER_DENSE_WEIGHT`` per Dense weight, and a batch has enough work to cover the hand-offs (~65 us
# each, ``MIN_BATCH_OUTPUTS``).
OUTPUTS_PER_DENSE_WEIGHT = 0.02
MIN_BATCH_OUTPUTS = 1 << 18


def rows_pay_off(model, rows: int, key, measure) -> bool:
    """Whether ``rows`` rows of a batch run faster split over threads than on one thread with every BLAS thread.
    ``measure()`` returns the elements the ops output per row in a forward pass (``engine.autograd.census``);
    it runs once per ``key`` (the input shapes) and model."""
    plan = model.__dict__.setdefault("_parallel_plan", {})
    if key not in plan:
        plan[key] = measure()
    per_row = plan[key]
    return per_row * rows >= MIN_BATCH_OUTPUTS and per_row >= OUTPUTS_PER_DENSE_WEIGHT * _dense_weights(model)


def _dense_weights(layer) -> int:
    own = layer.kernel.size if type(layer).__name__ == "Dense" and getattr(layer, "kernel", None) is not None else 0
    return own + sum(_dense_weights(sub) for sub in getattr(layer, "_layers", ()))


def _concurrency_safe(layer) -> bool:
    """True when ``layer`` and everything nested in it are the engine's own classes without carried states."""
    if not type(layer).__module__.startswith("engine.") or getattr(layer, "stateful", False):
        return False
    return all(_concurrency_safe(sub) for sub in getattr(layer, "_layers", ()))


def map_batches(fn, items, *, workers: int):
    """``fn(item)`` for each item, in order; ``workers`` at a time on threads that each use one BLAS thread.
    At most ``2 * workers`` items are in flight (a generator's batches are not all held at once). An error in
    any call stops the map: the calls already running finish, the rest are cancelled, the error is raised."""
    if workers <= 1:
        for item in items:
            yield fn(item)
        return
    pool = thread_pool("batch", workers)
    pending: collections.deque = collections.deque()
    with backend.blas_threads(1):
        try:
            for item in items:
                pending.append(pool.submit(_as_worker, fn, item))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
            for future in pending:
                if not future.cancelled():
                    future.exception()  # wait: no worker may outlive the BLAS limit it runs under


def run_parts(fn, parts: int) -> list:
    """``[fn(0), ..., fn(parts - 1)]``, part 0 on the calling thread and the others on the pool, each with one
    BLAS thread: one hand-off per extra part (a training step makes two such calls). An error in any part is
    raised once every part has finished."""
    if parts <= 1:
        return [_as_worker(fn, 0)]
    pool = thread_pool("batch", parts - 1)
    with backend.blas_threads(1):
        futures = [pool.submit(_as_worker, fn, p) for p in range(1, parts)]
        try:
            first = _as_worker(fn, 0)
        finally:
            for future in futures:
                future.exception()  # waits: no part may outlive the BLAS limit
    return [first, *(future.result() for future in futures)]  # raises a part's error


def _as_worker(fn, item):
    _in_worker.active = True
    try:
        return fn(item)
    finally:
        _in_worker.active = False


def thread_pool(name: str, workers: int):
    """The engine's thread pool ``name`` of ``workers`` threads, made on first use and kept (threads named
    ``engine-<name>``). A forked child (a Celery prefork worker) starts without them: threads do not survive a
    fork, and a pool copied from the parent would take work and never run it."""
    key = (name, workers)
    with _pools_lock:
        if key not in _pools:
            from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

            _pools[key] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"engine-{name}")
        return _pools[key]


def _forget_pools_after_fork() -> None:
    global _pools_lock  # noqa: PLW0603 - the parent's lock may have been held by a thread that is gone
    _pools.clear()
    _pools_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools_after_fork)
