"""Writes for designs. Every save validates the graph and keeps a DesignVersion."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from modelbuilder.core.errors import ApplicationError
from modelbuilder.designs.models import Design, DesignVersion
from modelbuilder.designs.validation import graph_check_shape, graph_validate


def _clean_name(name: str) -> str:
    # PostgreSQL text holds no NUL and no lone surrogates (which JSON bodies can carry).
    name = (name or "").encode("utf-8", "replace").decode("utf-8").replace("\x00", "").strip()
    if not name or len(name) > 200:
        raise ApplicationError("A design needs a name of 1 to 200 characters.", code="invalid_name")
    return name


def _version_add(design: Design) -> None:
    DesignVersion.objects.create(
        design=design,
        version=design.version,
        name=design.name,
        graph=design.graph,
        valid=design.is_valid,
    )


@transaction.atomic
def design_create(*, owner: AbstractBaseUser, name: str, graph: Any) -> Design:
    graph_check_shape(graph)
    design = Design.objects.create(
        owner=owner, name=_clean_name(name), graph=graph, validation=graph_validate(graph)
    )
    _version_add(design)
    return design


@transaction.atomic
def design_update(*, design: Design, name: str | None = None, graph: Any = None) -> Design:
    if name is None and graph is None:
        return design  # nothing to save, no new version
    design = Design.objects.select_for_update().get(pk=design.pk)
    if name is not None:
        design.name = _clean_name(name)
    if graph is not None:
        graph_check_shape(graph)
        design.graph, design.validation = graph, graph_validate(graph)
    design.version += 1
    design.save()
    _version_add(design)
    return design


def design_delete(*, design: Design) -> None:
    design.delete()  # runs keep their pinned graph and the design's name
