"""The median rule on stored epochs (no worker): trials' runs get hand-written histories, then
`sweep_prune_check` decides as `engine.tuning.MedianPruner` would; `sweep_advance` then records the
stopped trial as "pruned". (The real worker path is in test_live.py.)"""

import statistics

import pytest

from engine.tuning import MedianPruner
from modelbuilder.sweeps import services
from modelbuilder.sweeps.models import Sweep, SweepTrial
from modelbuilder.sweeps.pruning import sweep_prune_check
from modelbuilder.sweeps.selectors import trial_to_dict
from modelbuilder.training.models import EpochMetric, Run

pytestmark = pytest.mark.django_db

GOOD = {1: [1.0, 0.8, 0.6, 0.5], 2: [1.0, 0.7, 0.5, 0.4], 3: [1.0, 0.9, 0.8, 0.7]}


@pytest.fixture
def make_sweep(alice, sweep_body):
    """A sweep with 5 trials queued at once (4 epochs each): trials 1-3 succeeded with GOOD's
    val_loss curves, trials 4 and 5 running with no epoch yet."""

    def make(succeeded=GOOD, **extra) -> Sweep:
        values = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06]
        extra = {"max_trials": 5, **extra}
        body = sweep_body(
            {"learning_rate": {"type": "choice", "values": values}},
            parallelism=5,
            config={"epochs": 4},
            **extra,
        )
        response = alice.post("/api/sweeps", body, content_type="application/json")
        assert response.status_code == 201, response.content
        sweep = Sweep.objects.get(pk=response.json()["id"])
        for trial in sweep.trials.all():
            curve = succeeded.get(trial.number)
            status = "succeeded" if curve is not None else "running"
            Run.objects.filter(pk=trial.run_id).update(status=status)
            for epoch, value in enumerate(curve or [], start=1):
                store(trial, epoch, value)
        return sweep

    return make


def store(trial: SweepTrial, epoch: int, value, key: str = "val_loss") -> dict:
    logs = {"loss": 0.5, key: value}
    EpochMetric.objects.update_or_create(run_id=trial.run_id, epoch=epoch, defaults={"logs": logs})
    return logs


def check(sweep: Sweep, number: int, epoch: int, value, key: str = "val_loss"):
    trial = sweep.trials.get(number=number)
    return sweep_prune_check(run_id=trial.run_id, epoch=epoch, logs=store(trial, epoch, value, key))


def test_a_trial_worse_than_the_median_is_stopped_like_a_cancel(make_sweep):
    sweep = make_sweep()
    assert check(sweep, 4, 1, 5.0) is None  # warm-up epoch: never
    pruned = check(sweep, 4, 2, 0.95)
    # The engine's rule on the same curves, and the median written out by hand:
    pruner = MedianPruner(startup_trials=3, warmup_epochs=1)
    pruner.curves = list(GOOD.values())
    assert pruner.should_prune(1, 0.95) and statistics.median([0.8, 0.7, 0.9]) == 0.8
    assert pruned is not None and pruned.number == 4
    trial = SweepTrial.objects.select_related("run").get(pk=pruned.pk)
    assert trial.pruned_epoch == 2
    assert (
        trial.prune_reason
        == "pruned at epoch 2: val_loss 0.95 worse than the median 0.8 of 3 trials"
    )
    assert trial.run.cancel_requested and trial.run.status == "running"  # stops after its batch
    assert trial.status == "queued"  # recorded "pruned" only once the run has stopped
    # Idempotent: a second look (the same epoch again, or the partial epoch the stop stores).
    assert check(sweep, 4, 2, 0.95) is None and check(sweep, 4, 3, 2.0) is None
    assert SweepTrial.objects.get(pk=pruned.pk).prune_reason == trial.prune_reason


def test_at_or_better_than_the_median_a_trial_goes_on(make_sweep):
    sweep = make_sweep()
    assert check(sweep, 4, 2, 0.8) is None  # equal to the median: not worse
    assert check(sweep, 4, 3, 0.59) is None  # median of 0.6, 0.5, 0.8 is 0.6
    assert check(sweep, 4, 4, 9.9) is None  # the last epoch: done anyway, nothing to save
    assert check(sweep, 5, 2, None) is not None  # a non-finite objective is the worst
    assert not Run.objects.get(pk=sweep.trials.get(number=4).run_id).cancel_requested


def test_too_few_succeeded_trials_or_pruning_off_never_prune(make_sweep):
    two = make_sweep(succeeded={1: GOOD[1], 2: GOOD[2]})  # startup_trials is 3
    assert check(two, 4, 2, 5.0) is None
    assert check(make_sweep(pruning="none"), 4, 2, 5.0) is None
    fewer = make_sweep(succeeded={1: GOOD[1], 2: GOOD[2]}, pruning_startup_trials=2)
    assert check(fewer, 4, 2, 0.76) is not None  # median of 0.8 and 0.7 is 0.75
    late = make_sweep(pruning_warmup_epochs=2)
    assert check(late, 4, 2, 5.0) is None and check(late, 4, 3, 5.0) is not None


def test_a_maximised_objective_prunes_the_low_ones(make_sweep):
    acc = {n: [1 - v for v in c] for n, c in GOOD.items()}  # 0.2, 0.3, 0.1 at epoch 2
    sweep = make_sweep(succeeded={}, objective="val_accuracy")
    assert sweep.direction == "max"
    for trial in sweep.trials.filter(number__lte=3):
        Run.objects.filter(pk=trial.run_id).update(status="succeeded")
        for epoch, value in enumerate(acc[trial.number], start=1):
            store(trial, epoch, value, key="val_accuracy")
    assert check(sweep, 4, 2, 0.25, key="val_accuracy") is None
    pruned = check(sweep, 5, 2, 0.15, key="val_accuracy")
    assert pruned.prune_reason == (
        "pruned at epoch 2: val_accuracy 0.15 worse than the median 0.2 of 3 trials"
    )


def test_a_stopped_trial_is_pruned_with_its_best_epoch_and_the_sweep_goes_on(make_sweep, alice):
    sweep = make_sweep(max_trials=6)  # 5 start at once: room for one more
    for trial in sweep.trials.filter(number__lte=3):
        trial.status = "succeeded"  # as sweep_advance recorded them
        trial.save()
    trial = sweep.trials.get(number=4)
    store(trial, 1, 0.99)
    assert check(sweep, 4, 2, 1.2) is not None
    store(trial, 3, 1.1)  # the partial epoch the stop leaves
    run = Run.objects.get(pk=trial.run_id)
    Run.objects.filter(pk=run.pk).update(status="cancelled")  # what the worker does on the flag
    services.sweep_advance(sweep_id=sweep.pk)

    trial.refresh_from_db()
    assert trial.status == "pruned" and trial.is_terminal
    assert trial.objective == 0.99 and trial.error == ""  # its best epoch so far
    sweep.refresh_from_db()
    trials = list(sweep.trials.order_by("number"))
    assert len(trials) == 6 and trials[5].status == "queued"  # counted; the next one queued
    assert trials[5].based_on == 4  # ... proposed knowing trials 1-3 and the pruned one
    oracle = services._oracle(sweep, trials)
    assert (trial.params, 0.99) in oracle.history  # Bayesian would learn its partial result
    shown = trial_to_dict(sweep.trials.select_related("run").get(number=4))
    assert shown["status"] == "pruned" and shown["prune_reason"].startswith("pruned at epoch 2")
    assert shown["pruned_epoch"] == 2 and shown["error"] is None
    # its run (ended `cancelled`) says which sweep stopped it and why, in the detail and the list
    seen = alice.get(f"/api/runs/{run.pk}").json()
    assert seen["status"] == "cancelled" and seen["trial"] == {
        "sweep": sweep.pk, "sweep_name": sweep.name, "number": 4, "status": "pruned",
        "pruned_epoch": 2, "prune_reason": shown["prune_reason"],
    }  # fmt: skip
    listed = {r["id"]: r["trial"] for r in alice.get("/api/runs").json()}
    assert listed[run.pk]["status"] == "pruned" and listed[trials[0].run_id]["number"] == 1


def test_the_epoch_hook_runs_the_check_after_the_epoch_is_committed(
    make_sweep, django_capture_on_commit_callbacks
):
    sweep = make_sweep()
    trial = sweep.trials.get(number=4)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        store(trial, 2, 3.0)
    assert callbacks[0].func.__name__ == "_prune_check"  # then the trial event it sent
    assert SweepTrial.objects.get(pk=trial.pk).pruned_epoch == 2


def test_the_check_is_cheap(make_sweep, django_assert_num_queries):
    sweep = make_sweep()
    trial = sweep.trials.get(number=4)
    logs = store(trial, 2, 0.1)
    with django_assert_num_queries(2):  # the trial with its sweep and run; the others' epochs
        assert sweep_prune_check(run_id=trial.run_id, epoch=2, logs=logs) is None
    with django_assert_num_queries(1):  # not a running sweep trial (here: no such run)
        assert sweep_prune_check(run_id=trial.run_id + 1000, epoch=2, logs=logs) is None


def test_a_failing_check_never_fails_the_epoch(
    make_sweep, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    from modelbuilder.sweeps import pruning

    sweep = make_sweep()

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pruning, "sweep_prune_check", broken)
    trial = sweep.trials.get(number=4)
    with caplog.at_level("ERROR"), django_capture_on_commit_callbacks(execute=True):
        store(trial, 2, 3.0)
    assert EpochMetric.objects.filter(run_id=trial.run_id, epoch=2).exists()
    assert "Pruning check" in caplog.text
