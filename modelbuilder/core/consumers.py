"""Websocket /ws/health/: the browser sends {"type": "ping"}; a Celery task answers via Redis."""

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from modelbuilder.core.tasks import HEALTH_GROUP, health_ping


class HealthConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add(HEALTH_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(HEALTH_GROUP, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("type") != "ping":
            await self.send_json({"type": "error", "message": 'expected {"type": "ping"}'})
            return
        nonce = content.get("nonce")
        nonce = str(nonce) if nonce is not None else None
        try:
            # Publishing to the broker is blocking network I/O: keep it off the event loop.
            await sync_to_async(health_ping.delay)(self.channel_name, nonce)
        except Exception as exc:
            await self.send_json({"type": "error", "message": f"could not queue the ping: {exc}"})
            return
        await self.send_json({"type": "queued", "nonce": nonce})

    async def worker_message(self, event):
        await self.send_json(event)
