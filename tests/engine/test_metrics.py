import math

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from engine import metrics
from engine.autograd import Tensor


def test_binary_accuracy_by_hand():
    m = metrics.get("binary_accuracy")
    m.update_state(np.array([[1], [0], [1], [0]]), np.array([[0.7], [0.6], [0.4], [0.1]]))
    assert m.result() == pytest.approx(0.5)
    m.update_state(np.array([1.0, 1.0]), np.array([[0.9], [0.8]]))  # y (b,) vs p (b, 1)
    assert m.result() == pytest.approx(4 / 6)
    m.reset_state()
    assert m.result() == 0.0
    assert metrics.BinaryAccuracy(threshold=0.65)(np.array([[1], [1]]), np.array([[0.7], [0.6]])) == 0.5


def test_categorical_and_sparse_accuracy_by_hand():
    p = np.array([[0.1, 0.8, 0.1], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
    assert metrics.get("categorical_accuracy")(np.eye(3)[[1, 1, 2]], p) == pytest.approx(2 / 3)
    assert metrics.get("sparse_categorical_accuracy")(np.array([1, 0, 0]), p) == pytest.approx(2 / 3)
    assert metrics.get("sparse_categorical_accuracy")(np.array([[1], [0], [0]]), Tensor(p)) == pytest.approx(2 / 3)


def test_sample_weights():
    m = metrics.get("sparse_categorical_accuracy")
    p = np.array([[0.9, 0.1], [0.9, 0.1], [0.1, 0.9]])
    m.update_state(np.array([0, 1, 1]), p, sample_weight=np.array([1.0, 3.0, 0.0]))
    assert m.result() == pytest.approx(1 / 4)
    mean = metrics.Mean()
    mean.update_state(np.array([1.0, 2.0, 3.0]), sample_weight=np.array([0.0, 1.0, 3.0]))
    assert mean.result() == pytest.approx((2 + 9) / 4)


def test_top_k_by_hand():
    p = np.array([[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]])
    assert metrics.TopKCategoricalAccuracy(k=2)(np.eye(4)[[2, 2]], p) == pytest.approx(0.5)
    assert metrics.SparseTopKCategoricalAccuracy(k=3)(np.array([1, 3]), p) == pytest.approx(0.5)
    assert metrics.get("top_k_categorical_accuracy")(np.eye(4)[[0, 3]], p) == 1.0  # k=5 ≥ classes


def test_regression_metrics_by_hand():
    y, p = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[2.0, 2.0], [1.0, 4.0]])
    assert metrics.get("mse")(y, p) == pytest.approx((0.5 + 2.0) / 2)
    assert metrics.get("mae")(y, p) == pytest.approx((0.5 + 1.0) / 2)
    assert metrics.get("rmse")(y, p) == pytest.approx(math.sqrt(1.25))
    assert metrics.get("mape")(y, p) == pytest.approx(100 * (0.5 + 1 / 3) / 2)
    msle = ((math.log(3) - math.log(2)) ** 2 / 2 + (math.log(2) - math.log(4)) ** 2 / 2) / 2
    assert metrics.get("msle")(y, p) == pytest.approx(msle)


def test_precision_recall_by_hand():
    y = np.array([1, 1, 0, 0, 1])
    p = np.array([0.9, 0.4, 0.6, 0.2, 0.7])  # predicted positive: 0, 2, 4 → tp 2, fp 1, fn 1
    assert metrics.Precision()(y, p) == pytest.approx(2 / 3)
    assert metrics.Recall()(y, p) == pytest.approx(2 / 3)
    assert metrics.Precision(thresholds=0.8)(y, p) == pytest.approx(1.0)
    assert metrics.Recall(thresholds=[0.3, 0.8])(y, p) == pytest.approx([1.0, 1 / 3])
    assert metrics.Precision()(np.zeros(3), np.zeros(3)) == 0.0  # no positive predictions: 0, not nan
    y2 = np.eye(3)[[0, 1, 2]]
    p2 = np.array([[0.8, 0.6, 0.1], [0.2, 0.9, 0.7], [0.6, 0.1, 0.3]])
    assert metrics.Precision(class_id=1)(y2, p2) == pytest.approx(1 / 2)
    assert metrics.Recall(top_k=1)(y2, p2) == pytest.approx(2 / 3)


@pytest.mark.parametrize("seed", [0, 1])
def test_auc_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 2000)
    p = np.clip(0.35 * y + 0.65 * rng.random(2000), 0, 1).astype(np.float32)
    m = metrics.AUC()
    for i in range(0, 2000, 500):  # batches accumulate
        m.update_state(y[i:i + 500], p[i:i + 500])
    assert m.result() == pytest.approx(roc_auc_score(y, p), abs=2e-3)
    pr = metrics.AUC(curve="PR")
    pr.update_state(y, p)
    assert pr.result() == pytest.approx(average_precision_score(y, p), abs=5e-3)


def test_auc_perfect_and_by_hand():
    m = metrics.AUC()
    m.update_state(np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9]))
    assert m.result() == pytest.approx(1.0)
    # 2 thresholds grid (-eps, 0.5?, 1+eps) with num_thresholds=3 → thresholds -eps, 0.5, 1+eps
    m = metrics.AUC(num_thresholds=3)
    m.update_state(np.array([0, 1, 1, 0]), np.array([0.6, 0.7, 0.2, 0.1]))
    # at 0.5: tpr = 1/2, fpr = 1/2 ; trapezoids: (1 - .5) * (1 + .5)/2 + (.5 - 0) * (.5 + 0)/2 = 0.5
    assert m.result() == pytest.approx(0.5)
    w = metrics.AUC()
    w.update_state(np.array([0, 1, 1]), np.array([0.3, 0.2, 0.9]), sample_weight=np.array([1.0, 0.0, 1.0]))
    assert w.result() == pytest.approx(1.0)


@pytest.mark.parametrize("written,loss,out,target,expected", [
    ("accuracy", "categorical_crossentropy", (None, 3), (None, 3), metrics.CategoricalAccuracy),
    ("acc", "sparse_categorical_crossentropy", (None, 3), (None,), metrics.SparseCategoricalAccuracy),
    ("acc", "binary_crossentropy", (None, 4), (None, 4), metrics.BinaryAccuracy),
    ("accuracy", "mse", (None, 1), (None, 1), metrics.BinaryAccuracy),
    ("accuracy", None, (None, 5), (None, 1), metrics.SparseCategoricalAccuracy),
    ("accuracy", None, (None, 5), (None, 5), metrics.CategoricalAccuracy),
])
def test_accuracy_resolution_keeps_written_name(written, loss, out, target, expected):
    m = metrics.get(written, loss=loss, output_shape=out, target_shape=target)
    assert type(m) is expected and m.name == written


def test_log_names_as_keras_writes_them():
    assert metrics.get("mse").name == "mse"
    assert metrics.get("mean_squared_error").name == "mean_squared_error"
    assert metrics.get("MeanSquaredError").name == "mean_squared_error"
    assert metrics.get("mae").name == "mae"
    assert metrics.get("AUC").name == "auc" and metrics.get("auc").name == "auc"
    assert metrics.get("precision").name == "precision" and metrics.get("Recall").name == "recall"
    assert metrics.get("binary_crossentropy").name == "binary_crossentropy"


def test_loss_name_as_metric():
    m = metrics.get("binary_crossentropy")
    m.update_state(np.array([[1.0]]), np.array([[0.5]]))
    assert m.result() == pytest.approx(math.log(2), rel=1e-6)


def test_config_round_trip():
    for m in [metrics.BinaryAccuracy(threshold=0.3, name="ba"), metrics.AUC(num_thresholds=50, curve="PR"),
              metrics.Precision(thresholds=0.7), metrics.TopKCategoricalAccuracy(k=2)]:
        again = metrics.get(metrics.serialize(m))
        assert type(again) is type(m) and again.get_config() == m.get_config()


def test_results_are_python_floats_from_float32():
    m = metrics.get("accuracy", loss="categorical_crossentropy")
    m.update_state(np.eye(2, dtype=np.float32), np.eye(2, dtype=np.float32))
    assert type(m.result()) is float and m.result() == 1.0


def test_unknown_metric():
    with pytest.raises(ValueError, match="Unknown metric: 'acuracy'. Expected one of"):
        metrics.get("acuracy")


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


@pytest.fixture
def gpu():
    cupy = pytest.importorskip("cupy")
    from engine import backend

    try:
        backend.set_device("gpu")
    except RuntimeError:
        pytest.skip("no CUDA device")
    yield cupy
    backend.set_device("cpu")


@pytest.mark.gpu
def test_gpu_mean_state_stays_on_the_device(gpu):
    cupy = gpu
    m = metrics.Mean()
    m.update_state(cupy.asarray([1.0, 2.0, 3.0], dtype=cupy.float32))
    assert type(m.total).__module__.startswith("cupy")
    assert m.result() == pytest.approx(2.0)
