"""Metric state stays on the arrays' device: no host read per batch; the same results on a GPU."""

import numpy as np
import pytest

from engine import metrics


@pytest.mark.gpu
def test_gpu_metrics_match_cpu():
    cupy = pytest.importorskip("cupy")
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    p = rng.random(300).astype(np.float32)
    probs = rng.random((300, 4)).astype(np.float32)
    labels = rng.integers(0, 4, 300)
    for make, yt, yp in [(metrics.AUC, y, p), (metrics.Precision, y, p), (metrics.Recall, y, p),
                         (metrics.BinaryAccuracy, y, p), (metrics.SparseCategoricalAccuracy, labels, probs),
                         (lambda: metrics.SparseTopKCategoricalAccuracy(k=2), labels, probs)]:
        cpu, dev = make(), make()
        cpu.update_state(yt, yp)
        dev.update_state(cupy.asarray(yt), cupy.asarray(yp))
        assert dev.result() == pytest.approx(cpu.result(), rel=1e-6)


def test_update_state_reads_nothing_back_to_the_host(monkeypatch):
    """Accumulators stay arrays between batches; only result() converts (no per-batch host sync on a GPU)."""
    y, p = np.array([0, 1, 1, 0]), np.array([0.2, 0.8, 0.4, 0.6], np.float32)
    made = [metrics.BinaryAccuracy(), metrics.Precision(), metrics.Recall(), metrics.AUC(num_thresholds=5),
            metrics.Sum()]
    calls = []

    class Spy(np.ndarray):
        def __float__(self):
            calls.append(1)
            return float(np.asarray(self))

        def __int__(self):
            calls.append(1)
            return int(np.asarray(self))

    for m in made:
        for _ in range(2):
            m.update_state(y, p.view(Spy)) if not isinstance(m, metrics.Sum) else m.update_state(p.view(Spy))
    assert calls == []
    expected = [0.5, 0.5, 0.5, None, 4.0]
    for m, want in zip(made, expected):
        if want is not None:
            assert m.result() == pytest.approx(want)


@pytest.mark.gpu
def test_gpu_mean_state_stays_on_the_device(gpu):
    cupy = gpu
    m = metrics.Mean()
    m.update_state(cupy.asarray([1.0, 2.0, 3.0], dtype=cupy.float32))
    assert type(m.total).__module__.startswith("cupy")
    assert m.result() == pytest.approx(2.0)
