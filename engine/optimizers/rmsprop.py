"""RMSprop, with optional momentum and the centered variant."""

from __future__ import annotations

from engine.backend import xp_of
from engine.optimizers.base import Optimizer, register


@register(name="RMSprop")
class RMSprop(Optimizer):
    default_name = "rmsprop"

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered
        self._slot_groups = (("velocity",),) + ((("momentum",),) if momentum > 0 else ()) + \
            ((("average_gradient",),) if centered else ())

    def _update(self, i, g, w, lr):
        xp = xp_of(w)
        vel = self._slot("velocity", i)
        buf = self._buffer(i, w)
        rho = self.rho
        vel *= rho
        xp.multiply(g, g, out=buf)
        buf *= 1.0 - rho
        vel += buf
        if self.centered:
            avg = self._slot("average_gradient", i)
            avg *= rho
            xp.multiply(g, 1.0 - rho, out=buf)
            avg += buf
            xp.multiply(avg, avg, out=buf)
            xp.subtract(vel, buf, out=buf)
            buf += self.epsilon
        else:
            xp.add(vel, self.epsilon, out=buf)
        # increment = lr * g / sqrt(denominator)
        xp.sqrt(buf, out=buf)
        xp.divide(g, buf, out=buf)
        buf *= lr
        if self.momentum > 0:
            mom = self._slot("momentum", i)
            mom *= self.momentum
            mom += buf
            w -= mom
        else:
            w -= buf

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                "centered": self.centered}
