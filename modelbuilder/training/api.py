"""Run endpoints: create (checked, queued after commit), list, get, cancel, download the model, try
it (predict) and how to use the download (usage)."""

from datetime import datetime
from typing import Any

from django.utils.text import slugify
from ninja import Field, Router, Schema, Status

from modelbuilder.core.files import download_response
from modelbuilder.training import predict, selectors, services
from modelbuilder.training.schemas import RunConfig

router = Router(tags=["runs"])


class RunIn(Schema):
    design: int
    dataset: int
    target: str | None = None
    features: list[str] | None = None
    config: RunConfig = Field(default_factory=RunConfig)


class PredictIn(Schema):
    rows: list[Any]  # [{feature: value, ...}]; checked row by row by the service (≤ 1000)


class PredictionOut(Schema):
    label: str | None = None
    value: float | list[float] | None = None
    probabilities: dict[str, float] | None = None


class PredictOut(Schema):
    predictions: list[PredictionOut]


class FeatureOut(Schema):
    name: str
    kind: str  # "numeric" | "categorical"
    labels: list[str]  # a categorical feature's one-hot order


class UsageOut(Schema):
    format: str
    target: str
    features: list[FeatureOut]
    input_shape: list[int]
    encoding: str
    labels: list[str]
    output_width: int
    standardized: bool
    standardization_in_model: bool
    mean: list[float] | None
    std: list[float] | None


class RunCreatedOut(Schema):
    id: int
    status: str


class EpochOut(Schema):
    epoch: int
    logs: dict[str, float | None]


class RunTrialOut(Schema):
    sweep: int
    sweep_name: str
    number: int
    status: str
    pruned_epoch: int | None = None
    prune_reason: str | None = None


class RunOut(Schema):
    id: int
    status: str
    design: int | None
    design_name: str
    design_version: int
    dataset: int | None
    dataset_name: str
    target: str
    features: list[str]
    config: dict[str, Any]
    encoding: str
    labels: list[str]
    device: str | None
    error: str | None
    cancel_requested: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    wall_time: float | None
    final_metrics: dict[str, float | None] | None
    model_url: str | None
    # resilience/: pause/resume and restarts after a lost worker
    pause_requested: bool = False
    attempts: int = 0
    resumed_from_epoch: int | None = None
    resume_reason: str | None = None
    trial: RunTrialOut | None = None  # the sweep trial this run trained
    epochs: list[EpochOut] = []


@router.post("/runs", response={201: RunCreatedOut})
def run_create(request, payload: RunIn):
    run = services.run_create(
        owner=request.auth,
        design_id=payload.design,
        dataset_id=payload.dataset,
        target=payload.target,
        features=payload.features,
        config=payload.config.model_dump(),
    )
    return Status(201, {"id": run.pk, "status": run.status})


@router.get("/runs", response=list[RunOut])
def run_list(request):
    """The user's runs, newest first (without per-epoch history; GET /runs/{id} has it)."""
    return [selectors.run_to_dict(r, epochs=False) for r in selectors.run_list(user=request.auth)]


@router.get("/runs/{run_id}", response=RunOut)
def run_get(request, run_id: int):
    return selectors.run_to_dict(selectors.run_get(user=request.auth, run_id=run_id))


@router.post("/runs/{run_id}/cancel", response=RunOut)
def run_cancel(request, run_id: int):
    run = services.run_cancel(run=selectors.run_get(user=request.auth, run_id=run_id))
    return selectors.run_to_dict(run)


@router.get("/runs/{run_id}/model.h5", response={200: None})
def run_model_download(request, run_id: int):
    """The trained model in Keras' HDF5 format (404 until the run has succeeded)."""
    run = selectors.run_artifact(user=request.auth, run_id=run_id)
    filename = f"{slugify(run.design_name) or 'model'}.h5"
    return download_response(run.artifact, filename=filename, content_type="application/x-hdf5")


@router.post("/runs/{run_id}/predict", response=PredictOut)
def run_predict(request, run_id: int, payload: PredictIn):
    """Raw feature rows → predicted labels (with class probabilities) or values."""
    result = predict.run_predict(user=request.auth, run_id=run_id, rows=payload.rows)
    return result


@router.get("/runs/{run_id}/usage", response=UsageOut)
def run_usage(request, run_id: int):
    """What the downloaded model takes (feature order, encodings, standardisation) and answers."""
    return predict.run_usage(user=request.auth, run_id=run_id)
