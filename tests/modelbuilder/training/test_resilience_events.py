"""Broadcasts while the channel layer is down: never raised into training, and logged without
flooding (modelbuilder/training/events.py)."""

import logging

import pytest

from modelbuilder.training import events


class Layer:
    def __init__(self):
        self.down = True
        self.sent = []

    async def group_send(self, group, message):
        if self.down:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")
        self.sent.append((group, message))


@pytest.fixture
def layer(monkeypatch):
    layer = Layer()
    monkeypatch.setattr(events, "get_channel_layer", lambda: layer)
    monkeypatch.setattr(events, "_failures", events._FailureLog())
    return layer


def test_a_down_channel_layer_is_logged_once_per_interval_with_a_count(layer, monkeypatch, caplog):
    clock = [1000.0]
    monkeypatch.setattr(events.time, "monotonic", lambda: clock[0])
    with caplog.at_level(logging.ERROR, logger="modelbuilder.training.events"):
        for _ in range(41):  # 10 s of progress events, 4 a second
            events.run_event_send(run_id=3, event={"type": "progress"})
            clock[0] += 0.25
        lines = list(caplog.records)
        assert len(lines) == 2, [r.getMessage() for r in lines]
        assert lines[0].exc_info and "Connection refused" in lines[0].getMessage()
        assert (
            not lines[1].exc_info
            and "(39 more failed since the last line)" in lines[1].getMessage()
        )

        layer.down = False
        events.run_event_send(run_id=3, event={"type": "epoch", "epoch": 2})
        assert layer.sent == [
            ("run_3", {"type": "run.event", "event": {"type": "epoch", "epoch": 2}})
        ]
        layer.down = True  # a new outage starts with a traceback again
        events.run_event_send(run_id=3, event={"type": "epoch", "epoch": 3})
    assert len(caplog.records) == 3 and caplog.records[2].exc_info
    assert "broadcast epoch for run 3" in caplog.records[2].getMessage()
