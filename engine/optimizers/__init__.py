"""Optimizers (Keras 3 update rules, names, defaults and configs), updating ``var.data`` in place.

``get(id)`` → an ``Optimizer``; ``opt.apply_gradients([(grad_array, Variable), ...])`` clips, applies weight
decay, updates every variable (on one flat buffer per slot kind) and counts the iteration, in Keras' order.

Files, one purpose each:

- ``base.py``: ``Optimizer`` (learning rate, slots, flat storage, clipping, state, config) and the
  ``OPTIMIZERS`` registry.
- ``split.py``: when a flat CPU update is cut into one slice per engine thread (``SPLIT_MIN``) and the
  thread pool; ``kernels.py``: the compiled (numba) one-pass updates.
- ``sgd.py``: ``SGD``; ``adam.py``: ``Adam``, ``AdamW``, ``Adamax``, ``Nadam``; ``rmsprop.py``: ``RMSprop``;
  ``adagrad.py``: ``Adagrad``, ``Adadelta``.
- ``lookup.py``: ``get``, ``serialize``, ``deserialize``.

Tests that patch a module global (``engine_threads``, ``SPLIT_MIN``) patch the module that reads it
(``engine.optimizers.split``): the names re-exported here are copies.
"""

from engine.optimizers.adagrad import Adadelta, Adagrad
from engine.optimizers.adam import Adam, Adamax, AdamW, Nadam
from engine.optimizers.base import FLAT, OPTIMIZERS, Optimizer, register
from engine.optimizers.lookup import deserialize, get, serialize
from engine.optimizers.rmsprop import RMSprop
from engine.optimizers.sgd import SGD
from engine.optimizers.split import SPLIT_MIN, split_parts

__all__ = ["FLAT", "OPTIMIZERS", "SGD", "SPLIT_MIN", "Adadelta", "Adagrad", "Adam", "Adamax", "AdamW", "Nadam",
           "Optimizer", "RMSprop", "deserialize", "get", "register", "serialize", "split_parts"]
