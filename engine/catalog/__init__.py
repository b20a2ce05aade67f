"""``catalog()``: every registered layer with its parameters — the one source of the editor's palette and forms.

Parameter names, defaults and required-ness come from each layer's ``__init__`` signature; the small tables
below add what a signature can't say: the palette group and help line of each layer (``LAYER_INFO``), and
per parameter its type, range, choices and help (``PARAM_INFO``, by parameter name, with per-layer
overrides in ``LAYER_INFO``). A layer missing from ``LAYER_INFO`` still appears: its group comes from its
module (``engine/layers/conv.py`` → convolution) and its help from its docstring's first line.

Entry (docs/contracts.md)::

    {"name", "group", "help", "inputs": 0 | 1 | "many", "key_params": [...],
     "params": [{"name", "type", "default", "required", "min", "max", "choices", "help"}]}

Types: int, float, bool, string, choice, shape, int_or_tuple, and ``layer`` (a nested
``{"class_name", "config"}`` layer, for the Bidirectional / TimeDistributed wrappers).

Files, one purpose each:

- ``entries.py``: ``catalog()`` and the entry of one layer; ``params.py``: the entry of one parameter.
- ``param_info.py`` (``PARAM_INFO``) and ``layer_info.py`` (``LAYER_INFO``, ``GROUPS``): the tables; a new layer's
  help and group go in ``LAYER_INFO``, a new parameter name's type and help in ``PARAM_INFO``.
- ``layers.py``: ``load_layers``, ``layer_name``, ``layer_group``, ``input_arity``, ``is_model_class`` (used by
  ``engine.graph`` too).
"""

from engine.catalog.entries import catalog
from engine.catalog.layer_info import GROUPS, LAYER_INFO
from engine.catalog.layers import input_arity, is_model_class, layer_group, layer_name, load_layers
from engine.catalog.param_info import ACT, CONS, INIT, PARAM_INFO, REG

__all__ = ["ACT", "CONS", "GROUPS", "INIT", "LAYER_INFO", "PARAM_INFO", "REG", "catalog", "input_arity",
           "is_model_class", "layer_group", "layer_name", "load_layers"]
