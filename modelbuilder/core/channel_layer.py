"""channels_redis' layer, minus one way to lose a message: a receiver cancelled mid-pop.

All websockets of one web process share one Redis queue; whichever consumer holds the layer's
receive lock pops (BZPOPMIN) for all of them. When that consumer's websocket closes (a viewer leaves:
channels cancels its receive), a message that Redis has already popped for it - but that it had not
yet copied to its backup queue - is gone for every other consumer of the process (channels_redis
issue #366). Measured before this class: 3 of 60 events lost when a viewer left as the event
arrived (tests/modelbuilder/core/test_channel_layer.py makes that moment certain), and in
bench/load_test two viewers of a run that started as another run's viewers left never got its
first epoch.

Here the pop runs shielded from the receiver's cancellation and the next receiver of the process
takes it over: it waits for that pop instead of starting its own, and delivers what it took. So
nothing is lost and nothing overtakes (a message given back to Redis could be overtaken by the next
one, e.g. a run's final status by its last epoch, which the consumer would then drop).
"""

from __future__ import annotations

import asyncio

from channels_redis.core import RedisChannelLayer


class CancelSafeRedisChannelLayer(RedisChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._orphan_pops: dict[str, asyncio.Future] = {}  # channel key -> pop left by a receiver

    async def _brpop_with_clean(self, index, channel, timeout):
        orphan = self._orphan_pops.pop(channel, None)
        if orphan is not None and orphan.get_loop() is not asyncio.get_running_loop():
            orphan = None  # left on another event loop (a layer reused across loops, as in tests)
        if orphan is not None:
            try:
                member = await asyncio.shield(orphan)
            except asyncio.CancelledError:
                self._orphan_pops[channel] = orphan  # still for the next receiver
                raise
            except Exception:
                member = None  # that pop failed (Redis): pop anew
            if member is not None:
                return member  # in the backup queue, as the library's own pop leaves it
        pop = asyncio.ensure_future(super()._brpop_with_clean(index, channel, timeout))
        try:
            return await asyncio.shield(pop)
        except asyncio.CancelledError:
            self._orphan_pops[channel] = pop
            pop.add_done_callback(_retrieve)  # a failure nobody awaits is not "never retrieved"
            raise


def _retrieve(future: asyncio.Future) -> None:
    if not future.cancelled():
        future.exception()
