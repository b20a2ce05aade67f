"""Run endpoints: create (checked, queued after commit), list, get, cancel, download the model."""

from datetime import datetime
from typing import Any

from django.utils.text import slugify
from ninja import Field, Router, Schema, Status

from modelbuilder.core.files import download_response
from modelbuilder.training import selectors, services
from modelbuilder.training.schemas import RunConfig

router = Router(tags=["runs"])


class RunIn(Schema):
    design: int
    dataset: int
    target: str | None = None
    features: list[str] | None = None
    config: RunConfig = Field(default_factory=RunConfig)


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
    # resilience.py: pause/resume and restarts after a lost worker
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
