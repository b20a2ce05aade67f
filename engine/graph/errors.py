"""``GraphError``: what ``build_model`` raises for an invalid graph (``validate`` never raises)."""

from __future__ import annotations


class GraphError(ValueError):
    """An invalid graph. ``errors`` holds the validator's error entries; the message names the first node."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        super().__init__(message)
        self.errors = errors or []
