"""Sweep endpoints: create (checked; first trials queued after commit), list, get, cancel,
apply the best trial to the design."""

from typing import Any, Literal

from ninja import Field, Router, Schema, Status

from modelbuilder.sweeps import selectors, services
from modelbuilder.training.schemas import RunConfig

router = Router(tags=["sweeps"])


class SweepIn(Schema):
    design: int
    dataset: int
    target: str | None = Field(None, max_length=200)
    features: list[str] | None = Field(None, max_length=10000)
    config: RunConfig = RunConfig()
    space: dict[str, dict[str, Any]] = Field(..., description="see docs/api.md, Sweeps")
    strategy: Literal["grid", "random", "bayesian"] = "random"
    max_trials: int = Field(10, ge=1, le=services.MAX_TRIALS)
    parallelism: int = Field(1, ge=1, le=services.MAX_PARALLELISM)
    objective: str = Field("val_loss", min_length=1, max_length=64)
    direction: Literal["min", "max"] | None = None
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    name: str = Field("", max_length=200)
    # Checked by the service (a message that says what the values mean), not by the schema.
    pruning: str = Field("median", max_length=16, description='"median" or "none"')
    pruning_warmup_epochs: int = Field(1, description="epochs every trial trains before a check")
    pruning_startup_trials: int = Field(3, description="succeeded trials needed for a median")


class TrialOut(Schema):
    number: int
    run: int | None
    params: dict[str, Any]
    based_on: int
    status: str
    objective: float | None
    error: str | None
    pruned_epoch: int | None
    prune_reason: str | None
    final_metrics: dict[str, float | None] | None
    model_url: str | None
    created_at: str | None
    finished_at: str | None


class SweepOut(Schema):
    id: int
    name: str
    status: str
    error: str | None
    design: int | None
    design_name: str
    design_version: int
    dataset: int | None
    dataset_name: str
    target: str | None
    features: list[str] | None
    config: dict[str, Any]
    space: dict[str, Any]
    strategy: str
    max_trials: int
    parallelism: int
    objective: str
    direction: str
    seed: int
    pruning: str
    pruning_warmup_epochs: int
    pruning_startup_trials: int
    best_trial: int | None
    best_objective: float | None
    best_params: dict[str, Any] | None
    applied_version: int | None
    trial_count: int
    created_at: str | None
    finished_at: str | None
    trials: list[TrialOut] = []


class AppliedOut(Schema):
    design: int
    version: int
    params: dict[str, Any]
    skipped: list[str]
    config: dict[str, Any]
    valid: bool


@router.post("/sweeps", response={201: SweepOut})
def sweep_create(request, payload: SweepIn):
    sweep = services.sweep_create(
        owner=request.auth,
        design_id=payload.design,
        dataset_id=payload.dataset,
        target=payload.target,
        features=payload.features,
        config=payload.config.model_dump(),
        space=payload.space,
        strategy=payload.strategy,
        max_trials=payload.max_trials,
        parallelism=payload.parallelism,
        objective=payload.objective,
        direction=payload.direction,
        seed=payload.seed,
        name=payload.name,
        pruning=payload.pruning,
        pruning_warmup_epochs=payload.pruning_warmup_epochs,
        pruning_startup_trials=payload.pruning_startup_trials,
    )
    return Status(201, selectors.sweep_to_dict(sweep))


@router.get("/sweeps", response=list[SweepOut])
def sweep_list(request, design: int | None = None):
    """The user's sweeps, newest first (without trials; GET /sweeps/{id} has them)."""
    sweeps = selectors.sweep_list(user=request.auth).select_related("best_trial")
    if design is not None:
        sweeps = sweeps.filter(design_id=design)
    return [selectors.sweep_to_dict(s, trials=False) for s in sweeps]


@router.get("/sweeps/{sweep_id}", response=SweepOut)
def sweep_get(request, sweep_id: int):
    sweep = selectors.sweep_get(user=request.auth, sweep_id=sweep_id)
    return selectors.sweep_to_dict(services.sweep_reconcile(sweep=sweep))


@router.post("/sweeps/{sweep_id}/cancel", response=SweepOut)
def sweep_cancel(request, sweep_id: int):
    sweep = services.sweep_cancel(sweep=selectors.sweep_get(user=request.auth, sweep_id=sweep_id))
    return selectors.sweep_to_dict(sweep)


@router.post("/sweeps/{sweep_id}/apply-best", response=AppliedOut)
def sweep_apply_best(request, sweep_id: int):
    """Write the best trial's `param@node` values into a new version of the design."""
    sweep = selectors.sweep_get(user=request.auth, sweep_id=sweep_id)
    return services.sweep_apply_best(sweep=sweep)
