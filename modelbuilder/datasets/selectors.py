"""Reads for datasets. A user sees their own datasets and the public ones (samples)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from modelbuilder.core.errors import ApplicationError
from modelbuilder.core.files import local_copy
from modelbuilder.datasets import parsing
from modelbuilder.datasets.models import Dataset


def dataset_list(*, user: AbstractBaseUser) -> QuerySet[Dataset]:
    return Dataset.objects.filter(Q(owner=user) | Q(is_public=True)).select_related("owner")


def dataset_get(*, user: AbstractBaseUser, dataset_id: int) -> Dataset:
    dataset = (
        dataset_list(user=user).filter(pk=dataset_id).first() if 0 < dataset_id < 2**63 else None
    )
    if dataset is None:
        raise ApplicationError("Dataset not found.", code="not_found", status=404)
    return dataset


def dataset_preview(*, dataset: Dataset, limit: int = parsing.PREVIEW_ROWS) -> dict:
    """The first rows and the column statistics."""
    if dataset.format == Dataset.Format.CSV:
        try:
            with local_copy(dataset.file) as path:
                columns, rows = parsing.preview_csv(path, limit)
        except (parsing.DatasetInvalid, OSError) as exc:
            raise ApplicationError(
                f"The file cannot be read: {exc}", code="invalid_dataset"
            ) from None
        return {"columns": columns, "rows": rows, "stats": dataset.schema.get("columns", [])}
    try:
        with local_copy(dataset.file) as path:
            table, _ = parsing.read_npz(path)
    except (parsing.DatasetInvalid, OSError) as exc:
        raise ApplicationError(f"The file cannot be read: {exc}", code="invalid_dataset") from None
    x = table.x[:limit].reshape(min(limit, len(table.x)), -1)[:, :limit]
    columns = [f"x[{i}]" for i in range(x.shape[1])] + ["y"]
    y = table.y[:limit].reshape(len(x), -1)
    rows = [
        [str(v) for v in xr] + [" ".join(str(v) for v in yr)] for xr, yr in zip(x, y, strict=True)
    ]
    stats = [
        {"name": "x", **dataset.schema.get("x_stats", {})},
        {"name": "y", **dataset.schema.get("target", {})},
    ]
    return {"columns": columns, "rows": rows, "stats": stats}
