"""channels_redis' layer, minus one way to lose a message: a receiver cancelled mid-pop.

All websockets of one web process share one Redis queue; whichever consumer holds the layer's
receive lock pops (BZPOPMIN) for all of them. When that consumer's websocket closes (a viewer leaves:
channels cancels its receive), a message that Redis has already popped for it - but that it had not
yet copied to its backup queue - is gone for every other consumer of the process (channels_redis
issue #366). Measured before this class: 3 of 60 events lost when a viewer left as the event
arrived (tests/modelbuilder/core/test_channel_layer.py makes that moment certain), and in
bench/load_test.py two viewers of a run that started as another run's viewers left never got its
first epoch.

Here the pop runs shielded from the receiver's cancellation: it finishes, and whatever it took goes
back to the head of the queue for the next receiver. A message may then arrive twice in the rare
race the library already allows; the run consumer drops repeated epochs.
"""

from __future__ import annotations

import asyncio
import functools

from channels_redis.core import RedisChannelLayer

# Move every backed-up message back into the queue (channels_redis' own clean-up step).
RESTORE_BACKUP = """
    local backed_up = redis.call('ZRANGE', ARGV[2], 0, -1, 'WITHSCORES')
    for i = #backed_up, 1, -2 do
        redis.call('ZADD', ARGV[1], backed_up[i], backed_up[i - 1])
    end
    redis.call('DEL', ARGV[2])
"""
# Put one popped message back at its place in the queue (its score is its send time).
GIVE_BACK = """
    if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
    end
"""


class CancelSafeRedisChannelLayer(RedisChannelLayer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._stray_pops: set[asyncio.Future] = set()

    async def _brpop_with_clean(self, index, channel, timeout):
        pop = asyncio.ensure_future(self._pop_to_backup(index, channel, timeout))
        try:
            member, _score = await asyncio.shield(pop)
        except asyncio.CancelledError:
            if not pop.done() or (not pop.cancelled() and pop.exception() is None):
                self._stray_pops.add(pop)
                pop.add_done_callback(functools.partial(self._give_back, index, channel))
            raise
        return member

    async def _pop_to_backup(self, index, channel, timeout):
        """channels_redis' pop: restore the backup, pop one, keep a backup copy until processed."""
        backup = self._backup_channel_name(channel)
        connection = self.connection(index)
        await connection.eval(RESTORE_BACKUP, 0, channel, backup)
        result = await connection.bzpopmin(channel, timeout=timeout)
        if result is None:
            return None, None
        _, member, score = result
        await connection.zadd(backup, {member: float(score)})
        return member, float(score)

    def _give_back(self, index, channel, pop: asyncio.Future) -> None:
        self._stray_pops.discard(pop)
        if pop.cancelled() or pop.exception() is not None:
            return  # nothing was taken, or Redis failed (the backup copy is restored on next pop)
        member, score = pop.result()
        if member is None:
            return
        give_back = asyncio.ensure_future(
            self.connection(index).eval(
                GIVE_BACK, 2, channel, self._backup_channel_name(channel), member, score
            )
        )
        self._stray_pops.add(give_back)
        give_back.add_done_callback(self._stray_pops.discard)
