"""Variable: a Tensor that a layer owns (a weight), updated in place by optimizers."""

from __future__ import annotations

from engine.autograd import Tensor
from engine.backend import to_cpu, to_device


class Variable(Tensor):
    __slots__ = ("trainable", "regularizer", "constraint", "path")

    def __init__(self, data, *, name: str, trainable: bool = True, regularizer=None, constraint=None,
                 path: str | None = None):
        super().__init__(data, requires_grad=trainable, name=name)
        self.trainable = trainable
        self.regularizer = regularizer
        self.constraint = constraint
        self.path = path or name  # "dense/kernel": layer name + weight name, as Keras writes it

    def assign(self, value) -> None:
        """Replace the value in place (same shape), keeping dtype and device."""
        value = to_device(value, dtype=self.data.dtype)
        if value.shape != self.data.shape:
            raise ValueError(f"Cannot assign a value of shape {tuple(value.shape)} to the variable "
                             f"{self.path!r} of shape {tuple(self.data.shape)}.")
        self.data[...] = value

    def numpy(self):
        return to_cpu(self.data).copy()

    def __repr__(self):
        return f"<Variable {self.path!r} shape={tuple(self.shape)} dtype={self.dtype}>"
