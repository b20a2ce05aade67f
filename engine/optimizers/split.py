"""How a flat CPU update is cut into slices updated in parallel: ``SPLIT_MIN``, ``split_parts`` and the
optimizers' thread pool. Element-wise ufuncs and the compiled update run on one thread, so a long buffer is
cut into one slice per engine thread (numpy and the kernels release the GIL)."""

from __future__ import annotations

from engine import parallel
from engine.backend import engine_threads

# A flat buffer longer than this is updated in one slice per engine thread (CPU only). Crossover from
# `python -m bench.optimizer_split` (Adam, float32, 2 threads vs 1, best of 15 x 20 steps, wall clock) on the
# shared 2-core machine, four runs at load average 5-11: the split costs ~30 us of hand-off, so it lost at
# every size up to 262,144 elements (0.4-0.8x) and won at 524,288 in all four runs (1.23x, 1.33x, 2.20x,
# 2.67x); above that the runs scatter (0.8-2x) with the neighbours' memory traffic. The issue's MLP (535,818
# parameters), LSTM (673,089) and GRU (665,025) models split; the CNN (225,034) does not.
SPLIT_MIN = 1 << 19


def split_parts(size: int) -> int:
    """How many slices a flat CPU buffer of ``size`` elements is updated in: one per engine thread above
    ``SPLIT_MIN``, else one."""
    return engine_threads() if size > SPLIT_MIN else 1


def _executor(workers: int):
    return parallel.thread_pool("opt", workers)
