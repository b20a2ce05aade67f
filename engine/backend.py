"""The array backend: the only module that imports cupy.

Every op is written once against ``xp`` (numpy or cupy). Code asks for the module of its operands with
``xp_of(*arrays)`` and for the current device's module with ``get_xp()`` when it creates arrays.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

import numpy as np

_DEVICES = ("cpu", "gpu", "auto")
_state = {"xp": np, "device": "cpu", "floatx": "float32"}


def _cupy():
    try:
        import cupy  # noqa: PLC0415 - optional dependency, imported only when asked for

        if cupy.cuda.is_available():
            return cupy
    except Exception:  # ImportError, or a CUDA driver that cannot start
        return None
    return None


def set_device(name: str = "auto") -> str:
    """Choose where new arrays live: "cpu", "gpu" or "auto" (gpu when cupy sees a device)."""
    if name not in _DEVICES:
        raise ValueError(f"Expected device to be one of {_DEVICES}. Received: device={name!r}")
    cupy = _cupy() if name in ("gpu", "auto") else None
    if name == "gpu" and cupy is None:
        raise RuntimeError("device='gpu' needs cupy and a CUDA device; none was found. "
                           "Install the `gpu` extra (cupy-cuda12x) or use device='cpu'.")
    _state["xp"], _state["device"] = (cupy, "gpu") if cupy is not None else (np, "cpu")
    return _state["device"]


def device_name() -> str:
    return _state["device"]


def get_xp():
    """The array module of the current device."""
    return _state["xp"]


def xp_of(*arrays):
    """The array module that holds these arrays (cupy if any of them is a cupy array)."""
    for a in arrays:
        mod = type(a).__module__
        if mod.startswith("cupy"):
            import cupy  # noqa: PLC0415

            return cupy
    return np


def floatx() -> str:
    return _state["floatx"]


def set_floatx(dtype: str) -> None:
    if dtype not in ("float16", "float32", "float64"):
        raise ValueError(f"Expected floatx in float16/float32/float64. Received: {dtype!r}")
    _state["floatx"] = dtype


def to_cpu(a):
    """A numpy array (copying from the GPU when needed)."""
    if type(a).__module__.startswith("cupy"):
        return a.get()
    return np.asarray(a)


def to_device(a, dtype=None):
    """An array of the current device's module."""
    xp = get_xp()
    if xp is np:
        return np.asarray(to_cpu(a), dtype=dtype)
    return xp.asarray(a, dtype=dtype)


set_device(os.environ.get("ENGINE_DEVICE", "auto"))


# ---- random numbers: one seeded generator per device, so `set_seed(n)` makes runs repeatable
_rng = {"cpu": np.random.default_rng(), "gpu": None}
_thread_rng = threading.local()  # a generator of this thread only, while ``thread_rng`` is active


def set_seed(seed: int) -> None:
    """Seed every generator the engine draws from (numpy's legacy global one too, for user code)."""
    np.random.seed(seed)
    _rng["cpu"] = np.random.default_rng(seed)
    _rng["gpu"] = None
    if _state["device"] == "gpu":
        import cupy  # noqa: PLC0415

        _rng["gpu"] = cupy.random.default_rng(seed)


@contextlib.contextmanager
def thread_rng(generator):
    """Make ``rng()`` return ``generator`` on this thread for the block: the shards of a batch trained on
    several threads each draw (dropout masks) from their own generator, seeded from the main one, so a seeded
    run is reproducible and no two threads share a generator's state."""
    previous = getattr(_thread_rng, "gen", None)
    _thread_rng.gen = generator
    try:
        yield generator
    finally:
        _thread_rng.gen = previous


def rng():
    """The current device's Generator (numpy.random.Generator or cupy's); this thread's own inside
    ``thread_rng``."""
    own = getattr(_thread_rng, "gen", None)
    if own is not None:
        return own
    if _state["device"] == "gpu":
        if _rng["gpu"] is None:
            import cupy  # noqa: PLC0415

            _rng["gpu"] = cupy.random.default_rng(int(_rng["cpu"].integers(2**31)))
        return _rng["gpu"]
    return _rng["cpu"]


def random_uniform(shape, low=0.0, high=1.0, dtype=None):
    return rng().uniform(low, high, size=shape).astype(dtype or floatx(), copy=False)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None):
    return (rng().standard_normal(size=shape) * stddev + mean).astype(dtype or floatx(), copy=False)


def state_dict() -> dict:
    """The CPU generator's state (JSON-able), for checkpoints that resume exactly."""
    return _rng["cpu"].bit_generator.state


def load_state_dict(state: dict) -> None:
    _rng["cpu"].bit_generator.state = state


# ---------------------------------------------------------------- threads
_controller: list = []


def threadpool_controller():
    """threadpoolctl's controller of the loaded native thread pools (numpy's BLAS among them), made once; None
    without threadpoolctl."""
    if not _controller:
        try:
            from threadpoolctl import ThreadpoolController  # noqa: PLC0415 - optional (comes with scikit-learn)

            _controller.append(ThreadpoolController())  # scans the loaded libraries once (numpy's BLAS is in)
        except ImportError:
            _controller.append(None)
    return _controller[0]


def blas_threads(n: int):
    """A context that limits every loaded BLAS to ``n`` threads for the block (process-wide: threadpoolctl has
    no per-thread limit); a no-op without threadpoolctl."""
    controller = threadpool_controller()
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=n, user_api="blas")


def engine_threads() -> int:
    """How many threads the engine may use on the CPU: numpy's BLAS limit as threadpoolctl sees it now (what
    ``threadpool_limits(n)``, OPENBLAS_NUM_THREADS or ``python -m bench --threads n`` set), capped by numba's
    ``set_num_threads`` once numba's thread pool is up; 1 when neither is known. A fixed rule, not the
    machine's load: the same setting gives the same split on a quiet and on a busy machine."""
    counts = []
    controller = threadpool_controller()
    if controller is not None:
        counts += [lib.num_threads for lib in controller.lib_controllers if lib.user_api == "blas"]
    parallel = sys.modules.get("numba.np.ufunc.parallel")
    if parallel is not None and parallel._is_initialized:  # asking earlier would start numba's pool
        counts.append(parallel.get_num_threads())
    return max(1, min(counts)) if counts else 1
