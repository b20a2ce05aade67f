"""Shared models of the functional-API tests."""

import numpy as np

from engine.layers import Add, Concatenate, Dense, Input
from engine.models import Model

RNG = np.random.default_rng(0)


def shared_model():
    """FORMAT.md 3.2: in_a, in_b → shared_dense on both → concat → proj; add; add_2 → out."""
    in_a, in_b = Input((6,), name="in_a"), Input((6,), name="in_b")
    shared = Dense(8, activation="relu", name="shared_dense")
    ha, hb = shared(in_a), shared(in_b)
    proj = Dense(8, activation="tanh", name="proj")(Concatenate(name="concat")([ha, hb]))
    added = Add(name="add")([ha, hb])
    out = Dense(3, activation="softmax", name="out")(Add(name="add_2")([proj, added]))
    return Model(inputs=[in_a, in_b], outputs=out, name="functional_shared")
