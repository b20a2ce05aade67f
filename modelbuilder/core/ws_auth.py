"""Websocket authentication in one database call: the session cookie's user, else a bearer token.

Replaces channels' AuthMiddlewareStack + a bearer middleware, which took two hops through the one
thread all websocket database calls shared (modelbuilder/core/ws_db.py says why that hurt a burst
of viewers). scope["user"] is a resolved user (AnonymousUser when neither authenticates).
"""

from types import SimpleNamespace

from channels.sessions import CookieMiddleware, SessionMiddleware
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser

from modelbuilder.core.auth import bearer_token_from_headers, user_from_token
from modelbuilder.core.ws_db import ws_database_sync_to_async


def scope_user(scope: dict):
    """The session's user if the cookie carries a login, else the bearer token's, else anonymous."""
    session = scope.get("session")
    if session is not None and session.session_key:
        user = auth.get_user(SimpleNamespace(session=session))  # checks the session's auth hash
        if user.is_authenticated:
            return user
    raw = bearer_token_from_headers(scope.get("headers", []))
    return (user_from_token(raw) if raw else None) or AnonymousUser()


class WebsocketAuthMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        user = await ws_database_sync_to_async(scope_user)(scope)
        return await self.inner(dict(scope, user=user), receive, send)


def WebsocketAuthStack(inner):  # noqa: N802 - named like channels' AuthMiddlewareStack
    return CookieMiddleware(SessionMiddleware(WebsocketAuthMiddleware(inner)))
