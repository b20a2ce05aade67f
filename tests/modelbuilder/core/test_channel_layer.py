"""The channel layer keeps a message that a cancelled receiver had already popped from Redis.

One process's consumers share one Redis queue; the one holding the receive lock pops for all.
The moment that matters: it has popped an event meant for another consumer and is storing its
backup copy when its own websocket closes (channels cancels its receive). The backup write is made
slow here so that the cancellation lands exactly there, every time.
"""

import asyncio
import uuid

import pytest
import redis.asyncio
from channels_redis.core import RedisChannelLayer

from modelbuilder.core.channel_layer import CancelSafeRedisChannelLayer


@pytest.fixture
def slow_backup_write(monkeypatch):
    real_zadd = redis.asyncio.Redis.zadd

    async def zadd(self, name, *args, **kwargs):
        if str(name).endswith("$inflight"):  # channels_redis' backup queue
            await asyncio.sleep(0.3)
        return await real_zadd(self, name, *args, **kwargs)

    monkeypatch.setattr(redis.asyncio.Redis, "zadd", zadd)


async def leaver_cancelled_mid_pop(layer) -> list[dict]:
    """B waits for a run's events; A (the lock holder) leaves while popping the first. What B gets."""
    leaver, stayer = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("run_1", stayer)
    leaving = asyncio.ensure_future(layer.receive(leaver))  # takes the receive lock, pops
    await asyncio.sleep(0.1)
    staying = asyncio.ensure_future(layer.receive(stayer))  # waits on the lock
    await asyncio.sleep(0.1)
    await layer.group_send("run_1", {"type": "run.event", "epoch": 8})
    await asyncio.sleep(0.1)  # popped by the leaver, its backup copy not written yet
    leaving.cancel()
    await layer.group_send("run_1", {"type": "run.event", "status": "succeeded"})  # right after
    got = []
    try:
        while len(got) < 2:
            got.append(await asyncio.wait_for(staying, timeout=6))  # > the 5 s pop timeout
            staying = asyncio.ensure_future(layer.receive(stayer))
    except TimeoutError:
        pass
    finally:
        staying.cancel()
        await layer.flush()
    return got


def layer_of(cls, redis_url):
    return cls(
        hosts=[{"address": redis_url, "socket_timeout": None}],
        prefix=f"test-{uuid.uuid4().hex[:8]}",
    )


async def test_the_consumer_that_stays_gets_both_events_in_order(redis_url, slow_backup_write):
    got = await leaver_cancelled_mid_pop(layer_of(CancelSafeRedisChannelLayer, redis_url))
    assert got == [
        {"type": "run.event", "epoch": 8},
        {
            "type": "run.event",
            "status": "succeeded",
        },  # not before the epoch: it would end the stream
    ]


async def test_channels_redis_alone_loses_it(redis_url, slow_backup_write):
    """Why the subclass exists. If this fails, channels_redis fixed the loss (issue #366) and
    modelbuilder/core/channel_layer.py can go."""
    got = await leaver_cancelled_mid_pop(layer_of(RedisChannelLayer, redis_url))
    assert got == [{"type": "run.event", "status": "succeeded"}]  # the epoch is gone


def test_the_settings_use_it():
    from django.conf import settings

    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    assert backend == "modelbuilder.core.channel_layer.CancelSafeRedisChannelLayer"
