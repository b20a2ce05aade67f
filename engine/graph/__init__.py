"""The editor's graph JSON → shapes, parameter counts and errors per node (``validate``), or a Model (``build_model``).

The graph (docs/contracts.md)::

    {"nodes": [{"id", "layer", "params", "position"?, "shared_with"?}],
     "edges": [{"source", "target", "target_index"?}]}

``validate(graph)`` never raises and allocates no weights: layers are constructed (their constructors check
the params), ``compute_output_shape`` infers shapes, and parameters are counted by a *shape-only build*
(``build`` runs with ``add_weight`` recording shapes instead of allocating arrays; see ``param_shapes``).

Answer::

    {"ok", "shapes": {id: [null, ...] | [[null, ...], ...] | null}, "params": {id: int},
     "total_params", "trainable_params", "memory_bytes", "inputs": [id], "outputs": [id],
     "errors": [{"node": id | null, "message", "fix"?}], "warnings": [same shape as errors]}

- ``node`` is null for graph-level problems (not a graph, empty, no Input, no output).
- A node sharing weights (``shared_with``) shows ``params`` 0: its weights are counted on the node it shares.
- ``memory_bytes`` estimates float32 training memory: weights + Adam's two slots per trainable weight +
  every node's output for a batch of 32 (unknown non-batch dimensions count as 1).

Fixes (``fix``), all in the editor's existing ``insert`` vocabulary where possible:

- ``{"action": "insert", "layer": "Flatten", "params": {}, "before": id}`` puts a Flatten between ``id`` and
  its inputs (Dense after a convolution/pooling output, see below; a layer that needs a 2D input fed N-D).
- ``{"action": "insert", "layer": "Input", "params": {"shape": [...]}, "before": id}`` adds an Input feeding
  ``id`` (the graph has no Input; the shape is a guess to edit).
- ``{"action": "insert", "layer": "Concatenate", "params": {}, "before": id}`` merges the several inputs of a
  single-input layer (the editor's insert moves all of ``id``'s incoming edges onto the new node).
- ``{"action": "remove_edge", "edge": k, "source": a, "target": b}`` removes the k-th edge (it names a
  missing node).

Dense fed an N-D tensor made by a convolution / pooling / padding layer (possibly through Activation, Dropout,
BatchNormalization, ...), or any 4D+ tensor (an image Input). Keras accepts it: Dense acts on the last axis, so
``Conv2D → Dense`` is a *valid* graph whose output stays 4D. (Sequences, e.g. ``LSTM(return_sequences) →
Dense``, are left alone.) Rules here:

- The model output downstream of such a Dense is N-D (rank >= 3) and that output is a classifier head (its
  activation is softmax/sigmoid), or ``target_shape`` is given and is flat → **error** on the Dense, with the
  Flatten fix: a classifier is trained against flat (batch, classes) targets, which that output can't match.
- The downstream output is N-D otherwise → **warning** on the Dense, with the same fix.
- Something flattens before the output (e.g. ``Conv2D → Dense → Flatten → Dense``) → nothing: intended.

Files (one step of the analysis each, in the order ``analysis._analyse`` runs them):

- ``analysis.py``: ``validate`` and the order of the steps; ``build.py``: ``build_model``; ``errors.py``:
  ``GraphError``.
- ``parse.py`` (JSON → nodes and edges), ``sharing.py`` (``shared_with``), ``construct.py`` (layer objects, Input
  params), ``topology.py`` (order, cycles, inputs/outputs, arity), ``shapes.py`` (shapes and parameter counts),
  ``dense_on_spatial.py`` (the Dense rules above).
- ``state.py``: the ``_Analysis`` every step fills; ``shape_only.py``: ``param_shapes`` (build without allocating);
  ``text.py`` / ``values.py``: message wording and JSON value helpers.
"""

from engine.graph.analysis import validate
from engine.graph.build import build_model, model_from_graph
from engine.graph.errors import GraphError
from engine.graph.parse import INPUT_NAMES
from engine.graph.shape_only import param_count, param_shapes
from engine.graph.state import ACTIVATION_BATCH, BYTES

__all__ = ["ACTIVATION_BATCH", "BYTES", "INPUT_NAMES", "GraphError", "build_model", "model_from_graph", "param_count",
           "param_shapes", "validate"]
