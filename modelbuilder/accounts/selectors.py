"""Reads for accounts."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from modelbuilder.accounts.models import ApiToken


def token_list(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
