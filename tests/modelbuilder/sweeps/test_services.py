"""Sweeps in this process: trials trained with run_execute, then sweep_advance, as the worker would.

(The real worker path, with the run-ended hook and the websocket, is in test_live.py.)
"""

import pytest

from engine.tuning import RandomOracle
from modelbuilder.sweeps import services
from modelbuilder.sweeps.models import Sweep
from modelbuilder.sweeps.space import space_parse
from modelbuilder.training.execution import run_execute
from modelbuilder.training.models import Run

pytestmark = pytest.mark.django_db


def create(client, body) -> dict:
    response = client.post("/api/sweeps", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def train_active(sweep_id: int) -> int:
    """Train every queued trial run here, then advance the sweep; answers how many trained."""
    sweep = Sweep.objects.get(pk=sweep_id)
    runs = [t.run_id for t in sweep.trials.filter(status__in=["queued", "running"])]
    for run_id in runs:
        assert run_execute(run_id=run_id).status == "succeeded"
    services.sweep_advance(sweep_id=sweep_id)
    return len(runs)


def run_to_end(sweep_id: int) -> Sweep:
    for _ in range(20):
        if not train_active(sweep_id):
            break
    return Sweep.objects.get(pk=sweep_id)


def test_a_grid_sweep_trains_every_point_and_picks_the_best(alice, sweep_body):
    created = create(alice, sweep_body())
    assert created["status"] == "running" and created["trial_count"] == 1  # parallelism 1
    assert created["trials"][0]["params"] == {"units@d1": 4}
    sweep = run_to_end(created["id"])
    assert sweep.status == "succeeded"
    trials = list(sweep.trials.select_related("run"))
    assert [t.params["units@d1"] for t in trials] == [4, 8, 12]
    for trial in trials:
        run = trial.run
        assert run.status == "succeeded" and trial.status == "succeeded"
        d1 = next(n for n in run.graph["nodes"] if n["id"] == "d1")
        assert (
            d1["params"]["units"] == trial.params["units@d1"]
        )  # the run trained the trial's graph
        losses = [e.logs["val_loss"] for e in run.epochs.all()]
        assert len(losses) == 2 and trial.objective == min(losses)
    best = min(trials, key=lambda t: t.objective)
    assert sweep.best_trial_id == best.pk
    body = alice.get(f"/api/sweeps/{sweep.pk}").json()
    assert body["best_trial"] == best.number and body["best_params"] == best.params
    assert [t["status"] for t in body["trials"]] == ["succeeded"] * 3
    assert all(t["model_url"] == f"/api/runs/{t['run']}/model.h5" for t in body["trials"])
    assert alice.get(body["trials"][0]["model_url"]).status_code == 200


def test_parallel_trials_and_a_maximised_objective(alice, sweep_body):
    body = sweep_body(
        {"learning_rate": {"type": "choice", "values": [0.001, 0.05]}},
        parallelism=2,
        objective="val_accuracy",
    )
    created = create(alice, body)
    assert created["direction"] == "max" and created["trial_count"] == 2
    assert {r.status for r in Run.objects.all()} == {"queued"}
    sweep = run_to_end(created["id"])
    trials = list(sweep.trials.all())
    assert sweep.status == "succeeded" and len(trials) == 2
    assert {t.run.config["learning_rate"] for t in trials} == {0.001, 0.05}
    assert sweep.best_trial == max(trials, key=lambda t: (t.objective, -t.number))


def test_random_trials_replay_one_oracle_so_a_sweep_survives_restarts(alice, sweep_body):
    space = {
        "learning_rate": {"type": "float", "min": 1e-3, "max": 1e-1, "log": True},
        "units@d1": {"type": "int", "min": 2, "max": 16},
    }
    sweep = run_to_end(create(alice, sweep_body(space, strategy="random", max_trials=3))["id"])
    oracle = RandomOracle(space_parse(space), max_trials=3, seed=sweep.seed)
    expected = [oracle.ask() for _ in range(3)]
    assert [t.params for t in sweep.trials.all()] == expected  # one oracle, rebuilt per trial
    assert len({t.params["learning_rate"] for t in sweep.trials.all()}) == 3


def test_bayesian_proposes_from_the_results_so_far(alice, sweep_body):
    space = {"learning_rate": {"type": "float", "min": 1e-3, "max": 0.3, "log": True}}
    sweep = run_to_end(create(alice, sweep_body(space, strategy="bayesian", max_trials=4))["id"])
    trials = list(sweep.trials.all())
    assert sweep.status == "succeeded" and len(trials) == 4
    # Two random starting points, then each proposal knew every earlier result.
    assert [t.based_on for t in trials] == [0, 1, 2, 3]
    for earlier, later in zip(trials, trials[1:]):
        assert later.created_at >= earlier.finished_at
    # The third trial is what the Gaussian process proposes from the first two results...
    oracle = services._oracle(sweep, trials[:2])
    assert len(oracle.history) == 2 and oracle.history[0][1] == trials[0].objective
    assert oracle.ask() == trials[2].params
    # ... and the results changed it: other scores give another proposal.
    for t in trials[:2]:
        t.objective = 10.0 if t.objective < 5 else 0.1
    assert services._oracle(sweep, trials[:2]).ask() != trials[2].params


def test_cancel_stops_queued_trials_and_ends_the_sweep(alice, sweep_body):
    created = create(alice, sweep_body(parallelism=2, max_trials=3))
    response = alice.post(f"/api/sweeps/{created['id']}/cancel")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled" and body["finished_at"]
    assert [t["status"] for t in body["trials"]] == ["cancelled", "cancelled"]
    assert set(Run.objects.values_list("status", flat=True)) == {"cancelled"}
    services.sweep_advance(sweep_id=created["id"])  # a late hook starts nothing new
    assert Run.objects.count() == 2
    again = alice.post(f"/api/sweeps/{created['id']}/cancel").json()
    assert again["status"] == "cancelled"


def test_cancel_while_a_trial_runs_asks_its_worker_to_stop(alice, sweep_body):
    created = create(alice, sweep_body())
    run = Run.objects.get()
    Run.objects.filter(pk=run.pk).update(status="running")
    assert alice.post(f"/api/sweeps/{created['id']}/cancel").json()["status"] == "cancelled"
    run.refresh_from_db()
    assert run.cancel_requested and run.status == "running"


def test_apply_best_writes_a_new_design_version(alice, sweep_body, iris_design):
    body = sweep_body(
        {
            "units@d1": {"type": "choice", "values": [3, 5]},
            "learning_rate": {"type": "choice", "values": [0.02]},
        },
        max_trials=2,
    )
    sweep = run_to_end(create(alice, body)["id"])
    best = sweep.best_trial.params
    response = alice.post(f"/api/sweeps/{sweep.pk}/apply-best")
    assert response.status_code == 200, response.content
    applied = response.json()
    assert applied["version"] == iris_design["version"] + 1 and applied["valid"]
    assert applied["params"] == {"units@d1": best["units@d1"]}
    assert applied["config"] == {"learning_rate": 0.02}
    design = alice.get(f"/api/designs/{iris_design['id']}").json()
    assert design["version"] == applied["version"]
    d1 = next(n for n in design["graph"]["nodes"] if n["id"] == "d1")
    assert d1["params"]["units"] == best["units@d1"]
    versions = alice.get(f"/api/designs/{iris_design['id']}/versions").json()
    assert [v["version"] for v in versions][:2] == [applied["version"], iris_design["version"]]
    assert alice.get(f"/api/sweeps/{sweep.pk}").json()["applied_version"] == applied["version"]


def test_apply_best_before_any_result_is_a_400(alice, sweep_body, mb):
    created = create(alice, sweep_body())
    mb.assert_error(alice.post(f"/api/sweeps/{created['id']}/apply-best"), 400, "no_best_trial")


def test_a_trial_whose_values_break_the_design_fails_and_the_sweep_goes_on(alice, sweep_body):
    created = create(alice, sweep_body(max_trials=2))
    sweep = Sweep.objects.get(pk=created["id"])
    # A value between the checked ends that the engine refuses (grid from a tampered space).
    Sweep.objects.filter(pk=sweep.pk).update(
        space={"units@d1": {"type": "choice", "values": [4, 0]}}
    )
    sweep = run_to_end(sweep.pk)
    first, second = sweep.trials.all()
    assert first.status == "succeeded"
    assert second.status == "failed" and second.run is None and "invalid" in second.error
    assert sweep.status == "succeeded" and sweep.best_trial == first


def test_a_trial_run_cancelled_from_the_run_page_is_noticed_on_the_next_read(alice, sweep_body):
    created = create(alice, sweep_body(max_trials=2))
    first = Run.objects.get()
    assert alice.post(f"/api/runs/{first.pk}/cancel").json()["status"] == "cancelled"
    body = alice.get(f"/api/sweeps/{created['id']}").json()
    assert [t["status"] for t in body["trials"]] == ["cancelled", "queued"]
    assert body["status"] == "running"
