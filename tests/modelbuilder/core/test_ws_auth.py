"""Websocket authentication: the session's user, else the bearer token's, in one database call."""

import pytest
from channels.testing import WebsocketCommunicator

from modelbuilder.core.ws_auth import WebsocketAuthStack

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def user_seen(headers) -> object:
    seen = {}

    async def app(scope, receive, send):
        seen["user"] = scope["user"]
        await send({"type": "websocket.close"})

    communicator = WebsocketCommunicator(WebsocketAuthStack(app), "/ws/x/", headers=headers)
    await communicator.connect()
    await communicator.disconnect()
    return seen["user"]


def cookie(client) -> tuple[bytes, bytes]:
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def test_the_session_cookie_gives_its_user(alice, user):
    seen = await user_seen([cookie(alice)])
    assert seen.is_authenticated and seen.pk == user.pk


async def test_a_bearer_token_gives_its_user(bearer, user):
    seen = await user_seen([(b"authorization", bearer["HTTP_AUTHORIZATION"].encode())])
    assert seen.is_authenticated and seen.pk == user.pk


async def test_a_logged_out_cookie_falls_back_to_the_token(alice, bearer, user):
    from asgiref.sync import sync_to_async

    stale = cookie(alice)
    await sync_to_async(alice.logout)()  # the session row is gone
    seen = await user_seen([stale, (b"authorization", bearer["HTTP_AUTHORIZATION"].encode())])
    assert seen.pk == user.pk


async def test_neither_gives_an_anonymous_user(bearer):
    assert not (await user_seen([])).is_authenticated
    assert not (await user_seen([(b"authorization", b"Bearer mb_not-a-token")])).is_authenticated
    assert not (await user_seen([(b"cookie", b"sessionid=forged")])).is_authenticated
