"""Websocket adapter for /ws/runs/{id}/: owner or staff; a snapshot, then live events."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from modelbuilder.core.ws_db import ws_database_sync_to_async
from modelbuilder.training import selectors
from modelbuilder.training.events import run_group

TERMINAL = {"succeeded", "failed", "cancelled"}


class RunConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.run_id = int(self.scope["url_route"]["kwargs"]["run_id"])
        self.group = run_group(self.run_id)
        user = self.scope.get("user")  # resolved by WebsocketAuthStack
        # The handshake waits for one database call only; joining the group (Redis: a new connection
        # per viewer in a burst, 0.2-0.3 s under load) and the snapshot come after the accept.
        if not await ws_database_sync_to_async(selectors.run_visible)(
            user=user, run_id=self.run_id
        ):
            await self.close()  # before accept: the handshake is refused (403)
            return
        await self.accept()
        # Join the group BEFORE reading the snapshot: an event sent in between is queued for us,
        # and the epochs already in the snapshot are dropped from the live stream below. Nothing is
        # sent to the client before the snapshot.
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.joined = True
        snapshot = await ws_database_sync_to_async(selectors.run_snapshot)(run_id=self.run_id)
        self.seen_epochs = {e["epoch"] for e in snapshot["epochs"]}
        self.ended = snapshot["run"]["status"] in TERMINAL
        await self.send_json(snapshot)

    async def disconnect(self, code):
        if getattr(self, "joined", False):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        pass  # the stream is one-way

    async def run_event(self, message):
        event = message["event"]
        if self.ended:
            return  # the snapshot (or an event) already gave the final status
        if event.get("type") == "epoch":
            if event.get("epoch") in self.seen_epochs:
                return
            self.seen_epochs.add(event["epoch"])
        if event.get("type") == "status" and event.get("status") in TERMINAL:
            self.ended = True
        await self.send_json(event)
