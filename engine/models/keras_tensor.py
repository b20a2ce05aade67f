"""``KerasTensor``: the symbolic placeholder ``Input`` returns and layer calls on it return (a shape, a dtype and
the layer call that made it); ``x + y``, ``x - y``, ``x * y`` between two of them become merge layers."""

from __future__ import annotations

from engine.backend import floatx
from engine.layers.base import _fmt


class KerasTensor:
    """A placeholder: a shape (batch axis None), a dtype, and the (layer, node index, tensor index) that made it."""

    _is_symbolic = True

    def __init__(self, shape, dtype=None, name=None):
        self.shape = tuple(None if s is None else int(s) for s in shape)
        self.dtype = dtype or floatx()
        self.name = name
        self._keras_history = None

    ndim = property(lambda self: len(self.shape))

    def __repr__(self):
        layer = self._keras_history[0].name if self._keras_history else None
        return f"<KerasTensor shape={_fmt(self.shape)}, dtype={self.dtype}, name={layer}>"

    def __len__(self):
        raise TypeError("A symbolic KerasTensor has no length; use `.shape`.")

    # x + y, x - y, x * y between symbolic tensors become the Keras merge layers Add/Subtract/Multiply
    def _merge(self, other, class_name: str, swap: bool = False):
        if not isinstance(other, KerasTensor):
            raise TypeError(f"Symbolic tensors combine only with other symbolic tensors in the functional API "
                            f"(got {type(other).__name__}); wrap constants in a layer.")
        from engine.layers import LAYERS  # noqa: PLC0415

        pair = [other, self] if swap else [self, other]
        return LAYERS.lookup(class_name)()(pair)

    def __add__(self, other):
        return self._merge(other, "Add")

    def __radd__(self, other):
        return self._merge(other, "Add", swap=True)

    def __sub__(self, other):
        return self._merge(other, "Subtract")

    def __rsub__(self, other):
        return self._merge(other, "Subtract", swap=True)

    def __mul__(self, other):
        return self._merge(other, "Multiply")

    def __rmul__(self, other):
        return self._merge(other, "Multiply", swap=True)

    def __array__(self, *args, **kwargs):
        raise TypeError("A symbolic KerasTensor (from `Input`) cannot become a NumPy array. Call a model "
                        "built from it on real data instead.")
