"""Writes for accounts: sign-up and API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from modelbuilder.accounts.models import ApiToken
from modelbuilder.core.errors import ApplicationError

TOKEN_PREFIX = "mb_"


def _storable(text: str) -> str:
    # PostgreSQL text holds no NUL and no lone surrogates (which JSON bodies can carry).
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_create(*, user: AbstractBaseUser, name: str = "") -> tuple[ApiToken, str]:
    """Create a token for `user`. Returns the row and the raw token (shown once, never stored)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=_storable(name)[:100], key_hash=_hash(raw), prefix=raw[:10]
    )
    return token, raw


def token_revoke(*, user: AbstractBaseUser, token_id: int) -> None:
    deleted = (
        ApiToken.objects.filter(user=user, pk=token_id).delete()[0] if 0 < token_id < 2**63 else 0
    )
    if not deleted:
        raise ApplicationError("Token not found.", code="not_found", status=404)


def user_from_token(raw: str) -> AbstractBaseUser | None:
    """The active user a raw bearer token belongs to, or None (API and websocket auth)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used is None or (now - token.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user


@transaction.atomic
def user_signup(*, username: str, password: str) -> AbstractBaseUser:
    if not settings.ALLOW_SIGNUP:
        raise ApplicationError("Sign-up is switched off.", code="signup_disabled", status=403)
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError("That username is taken.", code="username_taken")
    return User.objects.create_user(username=username, password=password)
