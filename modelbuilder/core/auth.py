"""Authentication for the API and websockets: session cookie (browser) or `Authorization: Bearer`.

Tokens belong to the accounts app. This module looks them up through
`modelbuilder.accounts.services.user_from_token(raw: str) -> User | None`, imported lazily, so the
core works before (and without) that app.
"""

from importlib import import_module
from typing import Any

from channels.db import database_sync_to_async
from ninja.security import HttpBearer, SessionAuth

TOKEN_LOOKUP = "modelbuilder.accounts.services.user_from_token"


def user_from_token(raw: str) -> Any | None:
    """The active user owning this API token, or None (also when there is no accounts app)."""
    if not raw:
        return None
    module_name, func_name = TOKEN_LOOKUP.rsplit(".", 1)
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise
    lookup = getattr(module, func_name, None)
    if lookup is None:
        return None
    user = lookup(raw)
    if user is None or not getattr(user, "is_active", False):
        return None
    return user


def bearer_token_from_headers(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The raw token of an ASGI scope's `Authorization: Bearer <token>` header, if any."""
    for name, value in headers:
        if name.lower() == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; request.auth and request.user become the token's user."""

    def authenticate(self, request, token: str):
        user = user_from_token(token)
        if user is not None:
            request.user = user
        return user


class UserSessionAuth(SessionAuth):
    """The browser's Django session (with Django's CSRF check on unsafe methods)."""


# Bearer first: a script sending a token is never asked for a CSRF token.
api_auth = [BearerTokenAuth(), UserSessionAuth()]


class BearerTokenAuthMiddleware:
    """Channels middleware: when the session gave no user, accept `Authorization: Bearer <token>`.

    Wrap it inside AuthMiddlewareStack so scope["user"] is already set from the session cookie.
    """

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        if user is None or not getattr(user, "is_authenticated", False):
            raw = bearer_token_from_headers(scope.get("headers", []))
            if raw:
                token_user = await database_sync_to_async(user_from_token)(raw)
                if token_user is not None:
                    scope = dict(scope, user=token_user)
        return await self.inner(scope, receive, send)
