"""Design endpoints (CRUD + validate + versions) and the layer catalog."""

from datetime import datetime
from typing import Any

from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from modelbuilder.designs import selectors, services
from modelbuilder.designs.keras_import import design_config_from_h5
from modelbuilder.designs.validation import graph_check_shape, graph_validate

router = Router(tags=["designs"])


class GraphIn(Schema):
    graph: dict[str, Any]


class DesignIn(Schema):
    name: str
    graph: dict[str, Any]


class DesignUpdateIn(Schema):
    name: str | None = None
    graph: dict[str, Any] | None = None


class DesignOut(Schema):
    id: int
    name: str
    graph: dict[str, Any]
    validation: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime


class DesignVersionOut(Schema):
    version: int
    name: str
    graph: dict[str, Any]
    valid: bool
    created_at: datetime


class LayersOut(Schema):
    layers: list[dict[str, Any]]


@router.get("/layers", response=LayersOut)
def layer_list(request):
    """The layer catalog, generated from the engine's registry."""
    return {"layers": selectors.layer_catalog()}


@router.post("/designs/validate", response=dict[str, Any])
def design_validate(request, payload: GraphIn):
    """Per-node output shapes and errors for a graph, without saving it."""
    graph_check_shape(payload.graph)
    return graph_validate(payload.graph)


@router.post("/designs/import-h5", response=dict[str, Any])
def design_import_h5(request, file: File[UploadedFile]):
    """The architecture of a Keras .h5 file as ``{"model_config": {...}}`` (weights are not read)."""
    return {"model_config": design_config_from_h5(upload=file)}


@router.post("/designs", response={201: DesignOut})
def design_create(request, payload: DesignIn):
    return Status(
        201, services.design_create(owner=request.auth, name=payload.name, graph=payload.graph)
    )


@router.get("/designs", response=list[DesignOut])
def design_list(request):
    return list(selectors.design_list(user=request.auth))


@router.get("/designs/{design_id}", response=DesignOut)
def design_get(request, design_id: int):
    return selectors.design_get(user=request.auth, design_id=design_id)


@router.put("/designs/{design_id}", response=DesignOut)
def design_update(request, design_id: int, payload: DesignUpdateIn):
    design = selectors.design_get(user=request.auth, design_id=design_id)
    return services.design_update(design=design, name=payload.name, graph=payload.graph)


@router.delete("/designs/{design_id}", response={204: None})
def design_delete(request, design_id: int):
    services.design_delete(design=selectors.design_get(user=request.auth, design_id=design_id))
    return Status(204, None)


@router.get("/designs/{design_id}/versions", response=list[DesignVersionOut])
def design_version_list(request, design_id: int):
    """Every saved version, newest first."""
    design = selectors.design_get(user=request.auth, design_id=design_id)
    return list(selectors.design_version_list(design=design))
