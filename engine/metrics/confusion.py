"""Confusion-matrix metrics: ``Precision`` and ``Recall`` (counts at one or several thresholds, optionally
the top k scores or one class only) and ``AUC`` (ROC or PR curve from per-threshold confusion matrices). Counts
stay on the arrays' device between batches; ``result()`` reads them back."""

from __future__ import annotations

import numpy as np

from engine.backend import floatx, to_cpu, xp_of
from engine.metrics.base import Metric, register
from engine.metrics.inputs import EPSILON, _arrays, _same_rank, _weights_for


def _binary_inputs(y_true, y_pred, sample_weight, class_id=None):
    """Flat boolean targets, flat float predictions and flat weights (or None), one entry per decision."""
    xp, y_true, y_pred = _arrays(y_true, y_pred)
    y_true, y_pred = _same_rank(y_true, y_pred)
    if class_id is not None:
        y_true, y_pred = y_true[..., class_id], y_pred[..., class_id]
    y_pred = y_pred.astype(floatx())
    sw = _weights_for(y_pred, sample_weight)
    return xp, y_true.reshape(-1).astype(bool), y_pred.reshape(-1), None if sw is None else sw.reshape(-1)


class _PrecisionRecall(Metric):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        self.thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        self.init_thresholds = thresholds
        super().__init__(name=name, dtype=dtype)

    def _threshold_list(self):
        if self.thresholds is None:
            return [0.5] if self.top_k is None else [float("-inf")]
        return list(self.thresholds) if isinstance(self.thresholds, (list, tuple)) else [self.thresholds]

    def reset_state(self):
        self._counts = np.zeros((3, len(self._threshold_list())))  # tp, fp, fn per threshold (device once updated)

    tp = property(lambda self: to_cpu(self._counts)[0])
    fp = property(lambda self: to_cpu(self._counts)[1])
    fn = property(lambda self: to_cpu(self._counts)[2])

    def update_state(self, y_true, y_pred, sample_weight=None):
        xp, y_true_a, y_pred_a = _arrays(y_true, y_pred)
        if self.top_k is not None:  # only the top k scores of each sample may count as positive
            flat = y_pred_a.reshape(-1, y_pred_a.shape[-1])
            kth = -xp.sort(-flat, axis=-1)[:, self.top_k - 1: self.top_k]
            y_pred_a = xp.where(flat >= kth, flat, -xp.inf).reshape(y_pred_a.shape)
        xp, t, p, sw = _binary_inputs(y_true_a, y_pred_a, sample_weight, self.class_id)
        w = sw if sw is not None else xp.ones(p.shape, dtype=floatx())
        thr = xp.asarray(self._threshold_list(), dtype=p.dtype)[:, None]
        pred = p[None, :] > thr  # (thresholds, samples)
        counts = xp.stack([(w * (pred & t)).sum(axis=-1, dtype="float64"),
                           (w * (pred & ~t)).sum(axis=-1, dtype="float64"),
                           (w * (~pred & t)).sum(axis=-1, dtype="float64")])
        self._counts = counts + (xp.asarray(self._counts) if xp_of(self._counts) is not xp else self._counts)

    def _out(self, values):
        return float(values[0]) if len(values) == 1 and not isinstance(self.thresholds, (list, tuple)) \
            else [float(v) for v in values]

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


def _div(a, b):
    return np.divide(a, b, out=np.zeros_like(a, dtype=float), where=b != 0)


@register
class Precision(_PrecisionRecall):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name="precision", dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        return self._out(_div(self.tp, self.tp + self.fp))


@register
class Recall(_PrecisionRecall):
    def __init__(self, thresholds=None, top_k=None, class_id=None, name="recall", dtype=None):
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self):
        return self._out(_div(self.tp, self.tp + self.fn))


@register(name="AUC", aliases=("auc",))
class AUC(Metric):
    """Area under the ROC or PR curve from confusion matrices at ``num_thresholds`` thresholds (Keras' method)."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name="auc", dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        if num_thresholds <= 1 and thresholds is None:
            raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                             f"Received: num_thresholds={num_thresholds}")
        if curve.upper() not in ("ROC", "PR"):
            raise ValueError(f'Invalid `curve` argument value "{curve}". Expected one of: ["ROC", "PR"]')
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f'Invalid `summation_method` argument value "{summation_method}". '
                             'Expected one of: ["interpolation", "minoring", "majoring"]')
        if multi_label:
            raise NotImplementedError("AUC(multi_label=True) is not supported by this engine yet.")
        self.curve, self.summation_method = curve.upper(), summation_method
        self.from_logits, self.multi_label, self.label_weights, self.num_labels = from_logits, multi_label, \
            label_weights, num_labels
        self._init_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
            self.num_thresholds = len(inner) + 2
        else:
            self.num_thresholds = num_thresholds
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.thresholds = np.array([0.0 - EPSILON] + inner + [1.0 + EPSILON])
        super().__init__(name=name, dtype=dtype)

    def reset_state(self):
        self._pos = self._neg = None  # weight of positives / negatives per threshold bucket, on the device

    def _confusion(self):
        """(tp, fp, tn, fn) per threshold, as host float64 arrays."""
        n = self.num_thresholds + 1
        pos = np.zeros(n) if self._pos is None else to_cpu(self._pos).astype(float)
        neg = np.zeros(n) if self._neg is None else to_cpu(self._neg).astype(float)
        above_pos = np.cumsum(pos[::-1])[::-1][1:]  # above_pos[j] = weight of positives with bucket > j
        above_neg = np.cumsum(neg[::-1])[::-1][1:]
        return above_pos, above_neg, neg.sum() - above_neg, pos.sum() - above_pos

    tp = property(lambda self: self._confusion()[0])
    fp = property(lambda self: self._confusion()[1])
    tn = property(lambda self: self._confusion()[2])
    fn = property(lambda self: self._confusion()[3])

    def update_state(self, y_true, y_pred, sample_weight=None):
        xp, t, p, sw = _binary_inputs(y_true, y_pred, sample_weight)
        if self.from_logits:
            p = 1.0 / (1.0 + xp.exp(-p))
        w = sw if sw is not None else xp.ones(p.shape, dtype=floatx())
        # bucket = number of thresholds strictly below the prediction: pred > thr_j  ⇔  j < bucket
        thr = xp.asarray(self.thresholds, dtype=p.dtype)
        bucket = xp.searchsorted(thr, p, side="left")
        n = self.num_thresholds + 1
        pos = xp.bincount(bucket, weights=w * t, minlength=n).astype("float64")
        neg = xp.bincount(bucket, weights=w * ~t, minlength=n).astype("float64")
        self._pos = pos if self._pos is None else self._pos + pos
        self._neg = neg if self._neg is None else self._neg + neg

    def result(self):
        tp, fp, tn, fn = self._confusion()
        T = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            dtp = tp[:T - 1] - tp[1:]
            p = tp + fp
            dp = p[:T - 1] - p[1:]
            slope = _div(dtp, np.maximum(dp, 0))
            intercept = tp[1:] - slope * p[1:]
            both = (p[:T - 1] > 0) & (p[1:] > 0)
            ratio = np.where(both, _div(p[:T - 1], np.maximum(p[1:], 0)), 1.0)
            inc = _div(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))
            return float(inc.sum())
        recall = _div(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _div(fp, fp + tn), recall
        else:
            x, y = recall, _div(tp, tp + fp)
        if self.summation_method == "interpolation":
            heights = (y[:T - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:T - 1], y[1:])
        else:
            heights = np.maximum(y[:T - 1], y[1:])
        return float(((x[:T - 1] - x[1:]) * heights).sum())

    def get_config(self):
        cfg = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
               "summation_method": self.summation_method, "multi_label": self.multi_label,
               "num_labels": self.num_labels, "label_weights": self.label_weights, "from_logits": self.from_logits}
        if self._init_thresholds:
            cfg["thresholds"] = [float(t) for t in self.thresholds[1:-1]]
        return cfg
