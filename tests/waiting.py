"""Polling for tests that watch real processes (workers, servers, Redis): one bounded wait."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float, what: str, *, every: float = 0.05):
    """`predicate()`'s first truthy value within `timeout` seconds, else an AssertionError naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
