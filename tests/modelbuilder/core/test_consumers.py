"""/ws/health/ through the real ASGI app, the Redis channel layer and a real Celery worker."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from modelbuilder.asgi import application
from modelbuilder.core.tasks import health_ping

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = [(b"origin", b"http://127.0.0.1:8000")]


async def connect():
    communicator = WebsocketCommunicator(application, "/ws/health/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def ping_and_receive(communicator, nonce):
    await communicator.send_json_to({"type": "ping", "nonce": nonce})
    assert await communicator.receive_json_from(timeout=5) == {"type": "queued", "nonce": nonce}
    return await communicator.receive_json_from(timeout=20)


async def test_ping_is_answered_by_the_worker_through_the_channel_layer(celery_worker_proc):
    communicator = await connect()
    try:
        message = await ping_and_receive(communicator, "n1")
    finally:
        await communicator.disconnect()

    assert message["type"] == "worker_message"
    assert message["text"] == "pong from the worker"
    assert message["worker"] == celery_worker_proc.name
    assert message["nonce"] == "n1"
    assert message["sent_at"].endswith("+00:00")


async def test_an_idle_socket_still_receives_after_more_than_five_seconds(celery_worker_proc):
    # redis-py 8 defaults socket_timeout to 5 s; without socket_timeout=None in the layer's
    # host config the consumer's blocking receive on Redis dies while the socket is idle.
    communicator = await connect()
    try:
        await asyncio.sleep(6.5)
        assert await communicator.receive_nothing(timeout=0.1)
        message = await ping_and_receive(communicator, "after-idle")
    finally:
        await communicator.disconnect()

    assert message["text"] == "pong from the worker"
    assert message["nonce"] == "after-idle"


async def test_a_task_without_reply_channel_reaches_every_health_socket():
    first, second = await connect(), await connect()
    try:
        await sync_to_async(health_ping)()  # the task body, run here, sends to the "health" group
        got = [await first.receive_json_from(timeout=5), await second.receive_json_from(timeout=5)]
    finally:
        await first.disconnect()
        await second.disconnect()

    assert [m["text"] for m in got] == ["pong from the worker"] * 2


async def test_anything_but_a_ping_gets_an_error_message():
    communicator = await connect()
    try:
        await communicator.send_json_to({"type": "hello"})
        reply = await communicator.receive_json_from(timeout=5)
    finally:
        await communicator.disconnect()

    assert reply["type"] == "error"


async def test_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application, "/ws/health/", headers=[(b"origin", b"http://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_a_script_without_origin_reaches_the_consumer():
    """Scripts (Bearer token) send no Origin; only browsers must come from an allowed host."""
    communicator = WebsocketCommunicator(application, "/ws/health/")
    connected, _ = await communicator.connect()
    try:
        assert connected
    finally:
        await communicator.disconnect()
