"""Dataset endpoints: upload (multipart `file`, `name`), list, get, delete, preview."""

from datetime import datetime
from typing import Any

from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from modelbuilder.datasets import selectors, services

router = Router(tags=["datasets"])


class DatasetOut(Schema):
    id: int
    name: str
    format: str
    status: str
    error: str
    size: int
    sha256: str
    rows: int
    is_public: bool
    owner: str | None
    created_at: datetime
    columns: list[dict[str, Any]]
    summary: dict[str, Any]

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.username if obj.owner_id else None

    @staticmethod
    def resolve_columns(obj) -> list[dict[str, Any]]:
        """CSV: one entry per column (name, kind, dtype, statistics or class counts)."""
        return obj.schema.get("columns", [])

    @staticmethod
    def resolve_summary(obj) -> dict[str, Any]:
        """The whole stored schema (NPZ: shapes, dtypes, x statistics, target classes)."""
        return obj.schema


class PreviewOut(Schema):
    id: int
    columns: list[str]
    rows: list[list[str]]
    stats: list[dict[str, Any]]


@router.post("/datasets", response={201: DatasetOut})
def dataset_upload(request, file: File[UploadedFile], name: Form[str] = ""):
    """Upload a CSV (header row) or NPZ (`x`, `y`, optional `x_test`, `y_test`) file."""
    return Status(201, services.dataset_ingest(owner=request.auth, name=name, file=file))


@router.get("/datasets", response=list[DatasetOut])
def dataset_list(request):
    return list(selectors.dataset_list(user=request.auth))


@router.get("/datasets/{dataset_id}", response=DatasetOut)
def dataset_get(request, dataset_id: int):
    return selectors.dataset_get(user=request.auth, dataset_id=dataset_id)


@router.delete("/datasets/{dataset_id}", response={204: None})
def dataset_delete(request, dataset_id: int):
    dataset = selectors.dataset_get(user=request.auth, dataset_id=dataset_id)
    services.dataset_delete_owned(user=request.auth, dataset=dataset)
    return Status(204, None)


@router.get("/datasets/{dataset_id}/preview", response=PreviewOut)
def dataset_preview(request, dataset_id: int):
    dataset = selectors.dataset_get(user=request.auth, dataset_id=dataset_id)
    return {"id": dataset.id, **selectors.dataset_preview(dataset=dataset)}
