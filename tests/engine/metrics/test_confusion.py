"""engine.metrics.confusion: Precision / Recall by hand, AUC against scikit-learn."""

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from engine import metrics


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
