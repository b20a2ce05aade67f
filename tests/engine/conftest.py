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
