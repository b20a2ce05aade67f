"""engine.models.keras_tensor: arithmetic between symbolic tensors becomes merge layers."""

import numpy as np
import pytest

from engine.layers import Dense, Input
from engine.models import Model

from .cases import RNG


def test_symbolic_arithmetic_becomes_merge_layers():
    a, b = Input((3,)), Input((3,))
    h = Dense(3, name="h")(a)
    model = Model([a, b], (h + b) * a - b)
    assert [type(layer).__name__ for layer in model.layers[-3:]] == ["Add", "Multiply", "Subtract"]
    x, y = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    h_val = x @ model.get_layer("h").kernel.numpy()
    np.testing.assert_allclose(model.predict([x, y]), (h_val + y) * x - y, rtol=1e-5, atol=1e-6)
    with pytest.raises(TypeError, match="combine only with other symbolic tensors"):
        _ = a + 1.0
