"""Fused loss ops with analytic backward. Each returns the per-sample loss (the class axis reduced);
reduction over the batch and sample weights are applied by ``engine.losses``.

Probability versions clip with ``epsilon`` (1e-7) exactly as Keras 3 does; their gradient is the
gradient of the clipped expression (zero where the clip is active).
"""

from __future__ import annotations

from engine.autograd import Function, Tensor
from engine.backend import xp_of
from engine.ops.activation import sigmoid_array

EPSILON = 1e-7


def _one_hot(labels, n, dtype):
    xp = xp_of(labels)
    return (labels[..., None] == xp.arange(n)).astype(dtype)


class SoftmaxCrossEntropy(Function):
    """-sum(y * log_softmax(logits)) over ``axis``; d/dlogits = softmax * sum(y) - y."""

    def forward(self, logits, y, axis=-1):
        xp = xp_of(logits)
        shifted = logits - logits.max(axis=axis, keepdims=True)
        prob = xp.exp(shifted)
        total = prob.sum(axis=axis, keepdims=True)
        prob /= total
        shifted -= xp.log(total)  # log_softmax, with one exp pass for both
        self.axis, self.y, self.logp, self.prob = axis, y, shifted, prob
        return -(y * shifted).sum(axis=axis)

    def backward(self, g):
        g = xp_of(g).expand_dims(g, self.axis)
        ysum = self.y.sum(axis=self.axis, keepdims=True)
        gl = (self.prob * ysum - self.y) * g if self.needs_input_grad[0] else None
        gy = None
        if self.needs_input_grad[1]:
            gy = -self.logp * g
        return gl, gy


class SparseSoftmaxCrossEntropy(Function):
    """-log_softmax(logits)[label] over the last axis; labels are integer class ids.

    One exp pass serves both the loss and the saved softmax; the label entries are picked by flat indexing
    (no take_along_axis machinery); backward turns the saved softmax into the gradient in place (the graph
    is freed after one backward pass, so nothing else reads it)."""

    def forward(self, logits, labels):
        xp = xp_of(logits)
        k = logits.shape[-1]
        top = logits.max(axis=-1, keepdims=True)
        prob = logits - top
        self.rows = xp.arange(prob.size // k)
        self.labels = labels.astype(xp.int64, copy=False).reshape(-1)
        shifted_label = prob.reshape(-1, k)[self.rows, self.labels].reshape(labels.shape)
        xp.exp(prob, out=prob)
        total = prob.sum(axis=-1, keepdims=True)
        prob /= total
        self.prob = prob
        return xp.log(total[..., 0]) - shifted_label  # -log_softmax at the label

    def backward(self, g):
        grad, self.prob = self.prob, None
        flat = grad.reshape(-1, grad.shape[-1])  # a view: softmax - one_hot(label), no one-hot array built
        flat[self.rows, self.labels] -= 1
        grad *= g[..., None]
        return grad, None


class SigmoidBinaryCrossEntropy(Function):
    """Element-wise max(x, 0) - x*y + log1p(exp(-|x|)) (stable); d/dx = sigmoid(x) - y."""

    def forward(self, x, y):
        xp = xp_of(x)
        self.x, self.y = x, y
        return xp.maximum(x, 0) - x * y + xp.log1p(xp.exp(-abs(x)))

    def backward(self, g):
        gx = (sigmoid_array(self.x) - self.y) * g if self.needs_input_grad[0] else None
        gy = -self.x * g if self.needs_input_grad[1] else None
        return gx, gy


class CategoricalCrossEntropyProb(Function):
    """Keras 3: p /= sum(p); p = clip(p, eps, 1 - eps); -sum(y * log(p)) over ``axis``."""

    def forward(self, p, y, axis=-1, epsilon=EPSILON):
        xp = xp_of(p)
        self.s = p.sum(axis=axis, keepdims=True)
        q = p / self.s
        self.q = q
        self.mask = (q >= epsilon) & (q <= 1 - epsilon)
        self.qc = xp.clip(q, epsilon, 1 - epsilon)
        self.y, self.axis = y, axis
        self.logq = xp.log(self.qc)
        return -(y * self.logq).sum(axis=axis)

    def backward(self, g):
        g = xp_of(g).expand_dims(g, self.axis)
        gp = gy = None
        if self.needs_input_grad[0]:
            dq = -self.y / self.qc * self.mask * g
            gp = (dq - (dq * self.q).sum(axis=self.axis, keepdims=True)) / self.s
        if self.needs_input_grad[1]:
            gy = -self.logq * g
        return gp, gy


class SparseCategoricalCrossEntropyProb(Function):
    """Keras 3 sparse CE on probabilities: -log(clip(p / sum(p), eps, 1 - eps)[label])."""

    def forward(self, p, labels, epsilon=EPSILON):
        xp = xp_of(p)
        self.y = _one_hot(labels.astype(xp.int64, copy=False), p.shape[-1], p.dtype)
        self.inner = CategoricalCrossEntropyProb(Tensor(p), Tensor(self.y))
        self.inner.needs_input_grad = (True, False)
        return self.inner.forward(p, self.y, axis=-1, epsilon=epsilon)

    def backward(self, g):
        return self.inner.backward(g)[0], None


class BinaryCrossEntropyProb(Function):
    """Keras 3 element-wise: p = clip(p, eps, 1 - eps); -(y log p + (1 - y) log(1 - p))."""

    def forward(self, p, y, epsilon=EPSILON):
        xp = xp_of(p)
        self.mask = (p >= epsilon) & (p <= 1 - epsilon)
        self.pc = xp.clip(p, epsilon, 1 - epsilon)
        self.y = y
        self.logp, self.log1mp = xp.log(self.pc), xp.log(1 - self.pc)
        return -(y * self.logp + (1 - y) * self.log1mp)

    def backward(self, g):
        gp = gy = None
        if self.needs_input_grad[0]:
            gp = (-(self.y / self.pc) + (1 - self.y) / (1 - self.pc)) * self.mask * g
        if self.needs_input_grad[1]:
            gy = -(self.logp - self.log1mp) * g
        return gp, gy


class MeanSquaredError(Function):
    """mean((p - y)^2) over the last axis, one pass forward and backward."""

    def forward(self, p, y):
        self.diff = p - y
        return (self.diff * self.diff).mean(axis=-1)

    def backward(self, g):
        scale = g[..., None] * (2.0 / self.diff.shape[-1])
        gp = self.diff * scale
        return gp, (-gp if self.needs_input_grad[1] else None)


# ---- wrappers
def softmax_cross_entropy(logits, y, axis=-1) -> Tensor:
    return SoftmaxCrossEntropy.apply(logits, y, axis=axis)


def sparse_softmax_cross_entropy(logits, labels) -> Tensor:
    return SparseSoftmaxCrossEntropy.apply(logits, labels)


def sigmoid_binary_cross_entropy(logits, y) -> Tensor:
    return SigmoidBinaryCrossEntropy.apply(logits, y)


def categorical_cross_entropy_prob(p, y, axis=-1, epsilon=EPSILON) -> Tensor:
    return CategoricalCrossEntropyProb.apply(p, y, axis=axis, epsilon=epsilon)


def sparse_categorical_cross_entropy_prob(p, labels, epsilon=EPSILON) -> Tensor:
    return SparseCategoricalCrossEntropyProb.apply(p, labels, epsilon=epsilon)


def binary_cross_entropy_prob(p, y, epsilon=EPSILON) -> Tensor:
    return BinaryCrossEntropyProb.apply(p, y, epsilon=epsilon)


def mean_squared_error(p, y) -> Tensor:
    return MeanSquaredError.apply(p, y)
