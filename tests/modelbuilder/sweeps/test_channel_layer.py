"""Why every test gets its own channel layer (tests/conftest.py, `channel_layer_per_test`).

The live tests (runs, sweeps) each run in their own event loop. channels_redis keeps per-channel
asyncio locks in the layer object; a websocket disconnect that cancels a receive waiting on one
leaves it behind, bound to that loop. A layer shared by the next test's loop then fails as soon as
two receives contend: "Lock ... is bound to a different event loop" (the flake test_live.py had when
it ran after other websocket tests). Here both "tests" are two `asyncio.run` loops in a row.
"""

import asyncio

import pytest
from channels.layers import get_channel_layer

from tests.conftest import fresh_channel_layers


async def _disconnect_mid_receive() -> bool:
    """What a websocket disconnect can do: cancel a receive that waits on the clean lock.
    True when it caught the receive waiting there (the cleaner is a Redis round trip away)."""
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "a"})
    await layer.receive(channel)  # its backup cleaner now holds the per-channel lock
    waiting = asyncio.ensure_future(layer.receive(channel))
    caught = False
    for _ in range(100):  # until that receive waits on the lock
        await asyncio.sleep(0)
        if max(layer.receive_clean_locks.wait_counts.values(), default=0) >= 2:
            caught = True
            break
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    await asyncio.sleep(0.05)  # the cleaner finishes; the cancelled waiter's lock stays behind
    return caught


def _leave_a_stale_lock() -> None:
    for _ in range(5):
        fresh_channel_layers()
        if asyncio.run(_disconnect_mid_receive()):
            return
    pytest.fail("the receive never waited on the clean lock")


async def _three_messages() -> list[int]:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    for i in range(3):
        await layer.send(channel, {"type": "n", "i": i})
    return [(await layer.receive(channel))["i"] for _ in range(3)]


def test_a_layer_shared_across_event_loops_breaks_and_a_fresh_one_does_not():
    _leave_a_stale_lock()
    if not get_channel_layer().receive_clean_locks.wait_counts:
        pytest.skip("this channels_redis forgets a cancelled waiter's lock: nothing to show")
    with pytest.raises(RuntimeError, match="bound to a different event loop"):
        asyncio.run(_three_messages())  # the next "test", same layer

    _leave_a_stale_lock()
    fresh_channel_layers()  # what the autouse fixture does between tests
    assert asyncio.run(_three_messages()) == [0, 1, 2]
