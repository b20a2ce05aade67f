"""Shared inputs of the loss tests: small arrays whose losses are worked out by hand, and ``value``."""

import numpy as np

from engine import losses
from engine.autograd import Tensor

EPS = 1e-7
Y = np.array([[0.0, 1.0], [2.0, -1.0]])
P = np.array([[0.5, 0.25], [1.0, 1.0]])

# gradients (float64 central differences) and device checks
YG = np.array([[0.2, 0.7, 0.1], [0.0, 0.0, 1.0]])
PG = np.array([[0.3, 0.45, 0.25], [0.2, 0.3, 0.5]])
ZG = np.array([[0.3, -1.2, 0.8], [1.5, 0.1, -0.4]])


def value(loss, y_true, y_pred, **kw):
    return float(losses.get(loss)(y_true, Tensor(np.asarray(y_pred)), **kw).data)
