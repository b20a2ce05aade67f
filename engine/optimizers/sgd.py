"""SGD, with optional (Nesterov) momentum."""

from __future__ import annotations

from engine.backend import xp_of
from engine.optimizers.base import Optimizer, register


@register(name="SGD")
class SGD(Optimizer):
    default_name = "SGD"

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        if not isinstance(momentum, (int, float)) or momentum < 0 or momentum > 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum}")
        self.momentum, self.nesterov = float(momentum), nesterov
        self._slot_groups = (("momentum",),) if self.momentum else ()

    def _update(self, i, g, w, lr):
        if not self.momentum:
            buf = self._buffer(i, w)
            xp_of(w).multiply(g, lr, out=buf)
            w -= buf
            return
        m = self._slot("momentum", i)
        buf = self._buffer(i, w)
        # m = momentum * m - lr * g ; w += m  (nesterov: w += momentum * m - lr * g)
        m *= self.momentum
        xp_of(w).multiply(g, lr, out=buf)
        m -= buf
        if self.nesterov:
            w -= buf
            xp_of(w).multiply(m, self.momentum, out=buf)
            w += buf
        else:
            w += m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
