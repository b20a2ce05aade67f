"""Fixtures shared by the engine tests."""

import pytest


@pytest.fixture
def gpu():
    """The engine on the GPU for one test (cupy is yielded), back on the CPU after; skipped without cupy or a
    CUDA device."""
    cupy = pytest.importorskip("cupy")
    from engine import backend

    try:
        backend.set_device("gpu")
    except RuntimeError:
        pytest.skip("no CUDA device")
    yield cupy
    backend.set_device("cpu")


@pytest.fixture
def two_threads(monkeypatch):
    """The engine may use two threads whatever this machine's BLAS says, and rows on threads always pay (the
    test sizes are small): the parallel paths of predict, evaluate and fit run (engine.parallel)."""
    from engine import backend, parallel

    monkeypatch.setattr(backend, "engine_threads", lambda: 2)
    monkeypatch.setattr(parallel, "MIN_BATCH_OUTPUTS", 0)
    monkeypatch.setattr(parallel, "OUTPUTS_PER_DENSE_WEIGHT", 0)
