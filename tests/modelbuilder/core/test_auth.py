"""Session or bearer-token authentication helpers."""

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from modelbuilder.core import auth
from modelbuilder.core.auth import BearerTokenAuthMiddleware, bearer_token_from_headers


def test_bearer_token_is_read_from_asgi_headers():
    assert bearer_token_from_headers([(b"authorization", b"Bearer abc.def")]) == "abc.def"
    assert bearer_token_from_headers([(b"Authorization", b"bearer  xyz ")]) == "xyz"
    assert bearer_token_from_headers([(b"authorization", b"Basic Zm9vOmJhcg==")]) is None
    assert bearer_token_from_headers([]) is None


@pytest.mark.django_db
def test_user_from_token_uses_the_accounts_lookup_and_refuses_inactive_users(monkeypatch):
    user = get_user_model().objects.create_user("ada", password="pw-123456")
    import types

    fake = types.ModuleType("fake_accounts_services")
    fake.user_from_token = lambda raw: user if raw == "good" else None
    monkeypatch.setitem(__import__("sys").modules, "fake_accounts_services", fake)
    monkeypatch.setattr(auth, "TOKEN_LOOKUP", "fake_accounts_services.user_from_token")

    assert auth.user_from_token("good") == user
    assert auth.user_from_token("bad") is None
    user.is_active = False
    assert auth.user_from_token("good") is None


def test_without_an_accounts_lookup_no_token_is_valid(monkeypatch):
    monkeypatch.setattr(auth, "TOKEN_LOOKUP", "modelbuilder.no_such_module.user_from_token")
    assert auth.user_from_token("anything") is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_websocket_middleware_sets_the_token_user(monkeypatch):
    seen = {}

    async def app(scope, receive, send):
        seen["user"] = scope["user"]
        await send({"type": "websocket.close"})

    monkeypatch.setattr(auth, "user_from_token", lambda raw: "ada" if raw == "t0k" else None)
    for header, expected in [(b"Bearer t0k", "ada"), (b"Bearer nope", None)]:
        communicator = WebsocketCommunicator(
            BearerTokenAuthMiddleware(app), "/ws/x/", headers=[(b"authorization", header)]
        )
        communicator.scope["user"] = AnonymousUser()
        await communicator.connect()
        user = seen["user"]
        assert (user if isinstance(user, str) else None) == expected
