"""The engine's graph validator behind one function the services and the API call."""

import logging
import math
from typing import Any

from modelbuilder.core.errors import ApplicationError

logger = logging.getLogger(__name__)

MAX_NODES = 2000


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _unstorable(value: Any) -> bool:
    """NUL characters and NaN/Infinity (which Python's JSON parser accepts): PostgreSQL refuses them."""
    if isinstance(value, str):
        return "\x00" in value or not value.isascii() and _has_lone_surrogate(value)
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(v) for v in value)
    return False


def graph_check_shape(graph: Any) -> None:
    """A 4xx for things that are not a graph at all (a draft with layer errors is still a graph)."""
    problem = None
    if not isinstance(graph, dict):
        problem = "The graph must be an object with 'nodes' and 'edges' lists."
    elif not isinstance(graph.get("nodes"), list) or not isinstance(graph.get("edges", []), list):
        problem = "The graph needs a 'nodes' list and an 'edges' list."
    elif len(graph["nodes"]) > MAX_NODES or len(graph.get("edges", [])) > 4 * MAX_NODES:
        problem = f"The graph has more than {MAX_NODES} nodes."
    elif not all(
        isinstance(n, dict) and isinstance(n.get("id"), str) and isinstance(n.get("layer"), str)
        for n in graph["nodes"]
    ):
        problem = "Every node needs a string 'id' and a string 'layer'."
    elif not all(
        isinstance(e, dict)
        and isinstance(e.get("source"), str)
        and isinstance(e.get("target"), str)
        for e in graph.get("edges", [])
    ):
        problem = "Every edge needs a string 'source' and a string 'target'."
    elif _unstorable(graph):
        problem = (
            "The graph holds a NUL, a lone surrogate or a NaN/Infinity, which cannot be stored."
        )
    if problem:
        raise ApplicationError(problem, code="invalid_graph")


def graph_validate(graph: dict) -> dict:
    """engine.graph.validate (never raises by contract); a crash in it is reported, not a 500."""
    from engine.graph import validate

    try:
        return validate(graph)
    except Exception as exc:  # an engine bug must not turn a user's edit into a 500
        logger.exception("engine.graph.validate crashed")
        return {
            "ok": False,
            "shapes": {},
            "params": {},
            "total_params": 0,
            "errors": [{"node": None, "message": f"The validator failed: {exc}"}],
        }
