"""Reads for designs: only the owner's."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from modelbuilder.core.errors import ApplicationError
from modelbuilder.designs.models import Design, DesignVersion


def design_list(*, user: AbstractBaseUser) -> QuerySet[Design]:
    return Design.objects.filter(owner=user)


def design_get(*, user: AbstractBaseUser, design_id: int) -> Design:
    design = design_list(user=user).filter(pk=design_id).first() if 0 < design_id < 2**63 else None
    if design is None:
        raise ApplicationError("Design not found.", code="not_found", status=404)
    return design


def design_version_list(*, design: Design) -> QuerySet[DesignVersion]:
    return design.versions.all()


def layer_catalog() -> list[dict]:
    import engine

    return engine.catalog()
