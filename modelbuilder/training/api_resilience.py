"""Pause and resume endpoints (the mechanism is in resilience/pause.py)."""

from ninja import Router

from modelbuilder.training import resilience, selectors
from modelbuilder.training.api import RunOut

router = Router(tags=["runs"])


@router.post("/runs/{run_id}/pause", response=RunOut)
def run_pause(request, run_id: int):
    """Queued: `paused` at once. Running: `pause_requested`; the worker checkpoints at its next batch
    and the run becomes `paused`. Ended: 400 `run_ended`."""
    run = resilience.run_pause(run=selectors.run_get(user=request.auth, run_id=run_id))
    return selectors.run_to_dict(run)


@router.post("/runs/{run_id}/resume", response=RunOut)
def run_resume(request, run_id: int):
    """Paused: `queued` again; it continues from its checkpoint. Not paused: 400 `not_paused`;
    over the user's concurrency limit: 429 `too_many_runs`."""
    run = resilience.run_resume(run=selectors.run_get(user=request.auth, run_id=run_id))
    return selectors.run_to_dict(run)


@router.get("/runs/{run_id}/queue")
def run_queue(request, run_id: int):
    """`{status, queue, position, ahead, running, eta_seconds}`: a queued run's place in its queue
    (1-based) and a rough ETA; position/eta are null once it is not queued."""
    return resilience.run_queue_info(run=selectors.run_get(user=request.auth, run_id=run_id))
