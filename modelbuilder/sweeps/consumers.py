"""Websocket adapter for /ws/sweeps/{id}/: owner or staff; a snapshot, then live events."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from modelbuilder.core.ws_db import ws_database_sync_to_async  # a pool, not one thread (why: there)
from modelbuilder.sweeps import selectors
from modelbuilder.sweeps.events import sweep_group

TERMINAL = {"succeeded", "failed", "cancelled", "pruned"}


class SweepConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.sweep_id = int(self.scope["url_route"]["kwargs"]["sweep_id"])
        self.group = sweep_group(self.sweep_id)
        user = self.scope.get("user")
        # The handshake waits for one database call only; joining the group (Redis: a new connection
        # per viewer in a burst, 0.2-0.3 s under load) and the snapshot come after the accept, as for
        # runs (docs/deployment.md, "Web processes and live viewers").
        if not await ws_database_sync_to_async(selectors.sweep_visible)(
            user=user, sweep_id=self.sweep_id
        ):
            await self.close()  # before accept: the handshake is refused (403)
            return
        await self.accept()
        # Join BEFORE reading the snapshot: an event sent in between is queued for us and handled
        # once connect returns, so nothing reaches the client before the snapshot and nothing is
        # lost. Trial events are whole trials keyed by number: one the snapshot already holds is
        # harmless.
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.joined = True
        snapshot = await ws_database_sync_to_async(selectors.sweep_snapshot)(sweep_id=self.sweep_id)
        self.status = snapshot["sweep"]["status"]
        self.active = {t["number"] for t in snapshot["trials"] if t["status"] not in TERMINAL}
        await self.send_json(snapshot)

    async def disconnect(self, code):
        if getattr(self, "joined", False):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        pass  # the stream is one-way

    async def sweep_event(self, message):
        # Once the sweep ended and no trial is still stopping, nothing more is sent.
        if self.status in TERMINAL and not self.active:
            return
        event = message["event"]
        if event.get("type") == "status":
            self.status = event["status"]
        elif event.get("type") == "trial":
            number = event["trial"]["number"]
            if event["trial"]["status"] in TERMINAL:
                self.active.discard(number)
            else:
                self.active.add(number)
        await self.send_json(event)
