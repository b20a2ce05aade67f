"""The Adam family: Adam (with amsgrad), AdamW (Adam with decoupled weight decay), Adamax, Nadam."""

from __future__ import annotations

import math

import numpy as np

from engine.backend import xp_of
from engine.optimizers.base import Optimizer, register
from engine.optimizers.kernels import _numba_adam


def _moments(xp, g, m, v, buf, b1, b2) -> None:
    """Adam's and Nadam's moment updates in place: m += (g - m) * (1 - b1); v += (g^2 - v) * (1 - b2)."""
    m *= b1
    xp.multiply(g, 1.0 - b1, out=buf)
    m += buf
    v *= b2
    xp.multiply(g, g, out=buf)
    buf *= 1.0 - b2
    v += buf


@register
class Adam(Optimizer):
    default_name = "adam"

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad
        self._slot_groups = (("momentum", "velocity"),) + ((("velocity_hat",),) if amsgrad else ())

    def _update(self, i, g, w, lr):
        xp = xp_of(w)
        m, v = self._slot("momentum", i), self._slot("velocity", i)
        buf = self._buffer(i, w)
        t = self.iterations + 1
        b1, b2 = self.beta_1, self.beta_2
        _moments(xp, g, m, v, buf, b1, b2)
        if self.amsgrad:
            vhat = self._slot("velocity_hat", i)
            xp.maximum(vhat, v, out=vhat)
            v = vhat
        alpha = lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        # w -= m * alpha / (sqrt(v) + eps)
        xp.sqrt(v, out=buf)
        buf += self.epsilon
        xp.divide(m, buf, out=buf)
        buf *= alpha
        w -= buf

    def _kernel(self):
        return None if self.amsgrad else _numba_adam()

    def _run_kernel(self, fn, i, g, w, lr) -> None:
        t = self.iterations + 1
        alpha = lr * math.sqrt(1.0 - self.beta_2**t) / (1.0 - self.beta_1**t)
        fn(w, g, self._slot("momentum", i), self._slot("velocity", i), self.beta_1, self.beta_2, self.epsilon, alpha)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                "amsgrad": self.amsgrad}


@register
class AdamW(Adam):
    default_name = "adamw"

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, **kwargs):
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon,
                         amsgrad=amsgrad, weight_decay=weight_decay, **kwargs)


class _TwoMoments(Optimizer):
    """Adamax's and Nadam's shared arguments and config (not registered: a base)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


@register
class Adamax(_TwoMoments):
    default_name = "adamax"
    _slot_groups = (("momentum", "norm"),)

    def _update(self, i, g, w, lr):
        xp = xp_of(w)
        m, u = self._slot("momentum", i), self._slot("norm", i)
        buf = self._buffer(i, w)
        t = self.iterations + 1
        m *= self.beta_1
        xp.multiply(g, 1.0 - self.beta_1, out=buf)
        m += buf
        u *= self.beta_2
        xp.abs(g, out=buf)
        xp.maximum(u, buf, out=u)
        # w -= lr * m / ((1 - b1^t) * (u + eps))
        xp.add(u, self.epsilon, out=buf)
        xp.divide(m, buf, out=buf)
        buf *= lr / (1.0 - self.beta_1**t)
        w -= buf


@register
class Nadam(_TwoMoments):
    default_name = "nadam"
    _slot_groups = (("momentum", "velocity"),)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._u_product = 1.0

    def _before_step(self):
        self._u_product *= self.beta_1 * (1.0 - 0.5 * 0.96 ** (self.iterations + 1))

    def _update(self, i, g, w, lr):
        xp = xp_of(w)
        m, v = self._slot("momentum", i), self._slot("velocity", i)
        buf = self._buffer(i, w)
        t = self.iterations + 1
        b1, b2 = self.beta_1, self.beta_2
        u_t = b1 * (1.0 - 0.5 * 0.96**t)
        u_t_1 = b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        u_prod = self._u_product
        _moments(xp, g, m, v, buf, b1, b2)
        # m_hat = u_t_1 * m / (1 - u_prod * u_t_1) + (1 - u_t) * g / (1 - u_prod) ; v_hat = v / (1 - b2^t)
        m_hat = xp.multiply(m, u_t_1 / (1.0 - u_prod * u_t_1))
        xp.multiply(g, (1.0 - u_t) / (1.0 - u_prod), out=buf)
        m_hat += buf
        xp.multiply(v, 1.0 / (1.0 - b2**t), out=buf)
        xp.sqrt(buf, out=buf)
        buf += self.epsilon
        xp.divide(m_hat, buf, out=buf)
        buf *= lr
        w -= buf

    def _extra_state(self):
        return [("u_product", np.asarray(self._u_product, dtype=np.float32))] if self.built else []

    def _set_extra_state(self, arrays):
        if arrays:
            self._u_product = float(arrays[0])
