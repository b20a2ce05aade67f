"""Accumulated squared gradients: Adagrad and Adadelta."""

from __future__ import annotations

from engine.backend import xp_of
from engine.optimizers.base import Optimizer, register


@register
class Adagrad(Optimizer):
    default_name = "adagrad"
    _slot_groups = (("accumulator",),)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _init_slot(self, slot, var):
        return xp_of(var.data).full_like(var.data, self.initial_accumulator_value)

    def _update(self, i, g, w, lr):
        xp = xp_of(w)
        acc = self._slot("accumulator", i)
        buf = self._buffer(i, w)
        xp.multiply(g, g, out=buf)
        acc += buf
        # w -= lr * g / sqrt(acc + eps)
        xp.add(acc, self.epsilon, out=buf)
        xp.sqrt(buf, out=buf)
        xp.divide(g, buf, out=buf)
        buf *= lr
        w -= buf

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


@register
class Adadelta(Optimizer):
    default_name = "adadelta"
    _slot_groups = (("accumulated_grad", "accumulated_delta_var"),)

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def _update(self, i, g, w, lr):
        xp = xp_of(w)
        acc_g, acc_d = self._slot("accumulated_grad", i), self._slot("accumulated_delta_var", i)
        buf = self._buffer(i, w)
        rho, eps = self.rho, self.epsilon
        acc_g *= rho
        xp.multiply(g, g, out=buf)
        buf *= 1.0 - rho
        acc_g += buf
        # delta = -sqrt(acc_d + eps) * g / sqrt(acc_g + eps)
        tmp = xp.add(acc_g, eps)
        xp.sqrt(tmp, out=tmp)
        xp.add(acc_d, eps, out=buf)
        xp.sqrt(buf, out=buf)
        buf *= g
        buf /= tmp
        buf *= -1.0
        acc_d *= rho
        xp.multiply(buf, buf, out=tmp)
        tmp *= 1.0 - rho
        acc_d += tmp
        buf *= lr
        w += buf

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
