"""Writes for sweeps: create (check the space, pin the graph, start the first trials), advance
(record finished trials, tell the oracle, start the next ones), cancel, apply the best trial.

Each trial is a training Run made by `training.services.run_create` (which checks the dataset,
target and config and queues it after commit); the run then gets the trial's graph (the pinned graph
with the trial's `param@node` values). The oracle is never stored: `_oracle` rebuilds it from the
stored trials (grid/random replay their proposals from the sweep's seed; Bayesian is told every
finished trial), so a sweep survives restarts of the web and worker processes.
"""

import math
import random

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from modelbuilder.core.errors import ApplicationError
from modelbuilder.datasets.selectors import dataset_get
from modelbuilder.designs.selectors import design_get, layer_catalog
from modelbuilder.designs.services import design_update
from modelbuilder.designs.validation import graph_validate
from modelbuilder.sweeps import events, selectors
from modelbuilder.sweeps.models import Sweep, SweepTrial
from modelbuilder.sweeps.space import (
    config_apply,
    graph_apply,
    graph_params,
    probe_values,
    space_clean,
    space_error,
    space_parse,
    split_name,
    storable_text,
)
from modelbuilder.training.models import EpochMetric, Run
from modelbuilder.training.schemas import config_parse
from modelbuilder.training.services import run_cancel, run_create

MAX_TRIALS = 200
MAX_PARALLELISM = 16
MAX_PRUNING_WARMUP = 1000
MAX_PRUNING_STARTUP = MAX_TRIALS
ACTIVE = ("queued", "running")


def _outputs(graph: dict, validation: dict) -> dict:
    sources = {e.get("source") for e in graph.get("edges", [])}
    shapes = validation.get("shapes") or {}
    return {n["id"]: shapes.get(n["id"]) for n in graph.get("nodes", []) if n["id"] not in sources}


def _graph_problem(base: dict, trial_graph: dict) -> str | None:
    """Why a trial's graph cannot train like the base graph (None when it can)."""
    validation = graph_validate(trial_graph)
    if not validation.get("ok"):
        first = (validation.get("errors") or [{}])[0]
        where = f" (node {first.get('node')})" if first.get("node") else ""
        return f"The design is invalid with these values{where}: {first.get('message', '')}"
    if _outputs(trial_graph, validation) != _outputs(base, graph_validate(base)):
        return "These values change the design's output shape."
    return None


def _check_space(space, raw: dict, graph: dict, base_config: dict) -> None:
    catalog = {layer["name"]: layer for layer in layer_catalog()}
    nodes = {n["id"]: n for n in graph.get("nodes", [])}
    for name, hp in space.params.items():
        param, node_id = split_name(name)
        if node_id is None:
            for value in probe_values(hp):
                try:
                    config_parse({**base_config, param: value})
                except ApplicationError as exc:
                    raise space_error(
                        name, f"{value!r} is not a valid {param}: {exc.message}"
                    ) from None
            continue
        node = nodes.get(node_id)
        if node is None:
            raise space_error(name, f"the design has no node {node_id!r}.")
        if node.get("layer") == "Input" or node.get("shared_with"):
            raise space_error(name, f"the parameters of {node_id!r} cannot be searched.")
        spec = catalog.get(node.get("layer"), {})
        if param not in {p["name"] for p in spec.get("params", [])}:
            raise space_error(name, f"{node.get('layer')} has no parameter {param!r}.")
        for value in probe_values(hp):
            problem = _graph_problem(graph, graph_apply(graph, {name: value}))
            if problem:
                raise space_error(name, f"{param}={value!r}: {problem}")


def _check_objective(objective: str, cfg: dict, dataset, space_raw: dict) -> None:
    names = {"loss", *cfg.get("metrics", [])}
    allowed = names | {f"val_{n}" for n in names}
    if objective not in allowed:
        raise ApplicationError(
            f"The objective must be one of {', '.join(sorted(allowed))}; got {objective!r}.",
            code="invalid_objective",
        )
    has_test = bool((dataset.schema or {}).get("test_rows"))
    if (
        objective.startswith("val_")
        and cfg.get("validation_split", 0) == 0
        and "validation_split" not in space_raw
        and not has_test
    ):
        raise ApplicationError(
            f"The objective {objective!r} needs validation data: set a validation split.",
            code="invalid_objective",
        )


def _check_pruning(pruning: str, warmup: int, startup: int) -> None:
    if pruning not in Sweep.Pruning.values:
        raise ApplicationError(
            f"pruning must be 'median' (stop trials worse than the median of the others at the "
            f"same epoch) or 'none'; got {pruning!r}.",
            code="invalid_pruning",
        )
    if not 0 <= warmup <= MAX_PRUNING_WARMUP or not 1 <= startup <= MAX_PRUNING_STARTUP:
        raise ApplicationError(
            f"pruning_warmup_epochs must be 0 to {MAX_PRUNING_WARMUP} and "
            f"pruning_startup_trials 1 to {MAX_PRUNING_STARTUP}.",
            code="invalid_pruning",
        )


def sweep_create(
    *,
    owner: AbstractBaseUser,
    design_id: int,
    dataset_id: int,
    config: dict,
    space: dict,
    strategy: str = "random",
    max_trials: int = 10,
    parallelism: int = 1,
    objective: str = "val_loss",
    direction: str | None = None,
    seed: int | None = None,
    target: str | None = None,
    features: list[str] | None = None,
    name: str = "",
    pruning: str = Sweep.Pruning.MEDIAN,
    pruning_warmup_epochs: int = 1,
    pruning_startup_trials: int = 3,
) -> Sweep:
    """Check everything, create the sweep and queue its first trials (after commit)."""
    if strategy not in Sweep.Strategy.values:
        raise ApplicationError(
            f"strategy must be one of {', '.join(Sweep.Strategy.values)}.", code="invalid_strategy"
        )
    if not 1 <= max_trials <= MAX_TRIALS or not 1 <= parallelism <= MAX_PARALLELISM:
        raise ApplicationError(
            f"max_trials must be 1 to {MAX_TRIALS} and parallelism 1 to {MAX_PARALLELISM}.",
            code="invalid_budget",
        )
    _check_pruning(pruning, pruning_warmup_epochs, pruning_startup_trials)
    texts = [name or "", target or "", *(features or [])]
    if not all(isinstance(t, str) and storable_text(t) for t in texts):
        raise ApplicationError(
            "name, target and features must not hold NUL characters or lone surrogates.",
            code="invalid_text",
        )
    direction = direction or ("max" if "acc" in objective or "auc" in objective else "min")
    if direction not in ("min", "max"):
        raise ApplicationError("direction must be 'min' or 'max'.", code="invalid_objective")
    base = config_parse(config).model_dump()
    design = design_get(user=owner, design_id=design_id)
    dataset = dataset_get(user=owner, dataset_id=dataset_id)
    search = space_parse(space)
    _check_objective(objective, base, dataset, space)
    if not graph_validate(design.graph).get("ok"):
        raise ApplicationError(
            f"The design {design.name!r} has errors; fix them before a sweep.",
            code="invalid_design",
        )
    _check_space(search, space, design.graph, base)
    with transaction.atomic():
        sweep = Sweep.objects.create(
            owner=owner,
            name=(name or "")[:200],
            design=design,
            design_version=design.version,
            design_name=design.name,
            graph=design.graph,
            dataset=dataset,
            dataset_name=dataset.name,
            target=target,
            features=features,
            base_config=base,
            space=space_clean(space),
            strategy=strategy,
            max_trials=max_trials,
            parallelism=parallelism,
            objective=objective,
            direction=direction,
            seed=random.randrange(2**31) if seed is None else seed,
            pruning=pruning,
            pruning_warmup_epochs=pruning_warmup_epochs,
            pruning_startup_trials=pruning_startup_trials,
        )
        # The first trial goes through run_create's checks (target, loss, shapes): a refusal there
        # refuses the whole sweep (this transaction rolls back) with run_create's 4xx.
        _launch(sweep, strict=True)
    return sweep


def _score(sweep: Sweep, objective: float | None) -> float:
    if objective is None:
        return math.inf
    return objective if sweep.direction == "min" else -objective


def _oracle(sweep: Sweep, trials: list[SweepTrial]):
    """Rebuild the oracle from the stored trials (see the module doc)."""
    from engine.tuning import BayesianOracle, GridOracle, RandomOracle

    space = space_parse(sweep.space)
    n = len(trials)
    if sweep.strategy == Sweep.Strategy.BAYESIAN:
        dims = len(space.params)
        initial = min(max(3, 2 * dims), max(2, sweep.max_trials // 2))
        oracle = BayesianOracle(
            space, max_trials=sweep.max_trials, seed=[sweep.seed, n], initial_points=initial
        )
        oracle._asked = n
    else:
        cls = GridOracle if sweep.strategy == Sweep.Strategy.GRID else RandomOracle
        oracle = cls(space, max_trials=sweep.max_trials, seed=sweep.seed)
        for _ in range(n):  # replay: the same seed proposes the same points again
            oracle.ask()
    for trial in trials:
        if trial.is_terminal:
            oracle.tell(trial.params, _score(sweep, trial.objective))
    return oracle


def _trial_event(trial: SweepTrial) -> None:
    events.sweep_event_send(
        sweep_id=trial.sweep_id, event={"type": "trial", "trial": selectors.trial_to_dict(trial)}
    )


def _trial_start(sweep: Sweep, *, number: int, params: dict, based_on: int, strict: bool):
    trial = SweepTrial(sweep=sweep, number=number, params=params, based_on=based_on)
    trial_graph = graph_apply(sweep.graph, params)
    problem = _graph_problem(sweep.graph, trial_graph)
    if problem is None and sweep.design_id is None:
        problem = "The design was deleted."
    if problem is None:
        try:
            with transaction.atomic():
                run = run_create(
                    owner=sweep.owner,
                    design_id=sweep.design_id,
                    dataset_id=sweep.dataset_id or 0,
                    config=config_apply(sweep.base_config, params),
                    target=sweep.target,
                    features=sweep.features,
                )
                # The run trains the trial's graph (queued only after the outer commit).
                Run.objects.filter(pk=run.pk).update(
                    graph=trial_graph, design_version=sweep.design_version
                )
                run.graph = trial_graph
                trial.run = run
        except ApplicationError as exc:
            if strict:
                raise
            problem = exc.message
    elif strict:
        raise ApplicationError(problem, code="invalid_search_space")
    if problem:
        trial.status, trial.error, trial.finished_at = "failed", problem, timezone.now()
    trial.save()
    _trial_event(trial)
    return trial


def _launch(sweep: Sweep, *, strict: bool = False) -> bool:
    """Start trials until `parallelism` are active or the budget is spent. True while more may come."""
    trials = list(sweep.trials.order_by("number"))
    active = sum(t.status in ACTIVE for t in trials)
    oracle = None
    while active < sweep.parallelism and len(trials) < sweep.max_trials:
        oracle = oracle or _oracle(sweep, trials)
        params = oracle.ask()
        if params is None:
            return False
        trial = _trial_start(
            sweep,
            number=len(trials) + 1,
            params=params,
            based_on=sum(t.is_terminal for t in trials),
            strict=strict and not trials,
        )
        trials.append(trial)
        active += trial.status in ACTIVE
    return len(trials) < sweep.max_trials and (oracle is None or not oracle.exhausted())


def _objective(sweep: Sweep, run: Run) -> float | None:
    """The trial's objective: its best epoch (lowest for min, highest for max), like the Tuner."""
    values = []
    for logs in EpochMetric.objects.filter(run=run).values_list("logs", flat=True):
        value = (logs or {}).get(sweep.objective)
        if isinstance(value, (int, float)) and math.isfinite(value):
            values.append(float(value))
    if not values:
        return None
    return min(values) if sweep.direction == "min" else max(values)


def _sync_trials(sweep: Sweep) -> None:
    """Record every trial whose run has ended; pick the best succeeded trial.

    A trial marked by the median rule (pruning.py) whose run then stopped is "pruned", with its
    best epoch so far as objective (the oracle is told it); it is never the best trial (its run
    stopped early and has no model file).
    """
    for trial in sweep.trials.select_related("run").exclude(status__in=SweepTrial.TERMINAL):
        run = trial.run
        if run is not None and not run.is_terminal:
            continue
        if run is None:
            trial.status, trial.error = "failed", "The trial's run was deleted."
        elif trial.pruned_epoch is not None and run.status == Run.Status.CANCELLED:
            trial.status, trial.objective = "pruned", _objective(sweep, run)
        else:
            trial.status = run.status
            trial.objective = _objective(sweep, run) if run.status == "succeeded" else None
            if run.status == "succeeded" and trial.objective is None:
                trial.error = f"The objective {sweep.objective!r} is not in the run's logs."
        trial.finished_at = (run.finished_at if run else None) or timezone.now()
        trial.save(update_fields=["status", "objective", "error", "finished_at"])
        _trial_event(trial)
    done = sweep.trials.filter(status="succeeded", objective__isnull=False)
    best = done.order_by(
        "objective" if sweep.direction == "min" else "-objective", "number"
    ).first()
    if best != sweep.best_trial:
        sweep.best_trial = best
        sweep.save(update_fields=["best_trial"])


def _finish(sweep: Sweep, status: str, error: str = "") -> None:
    sweep.status, sweep.error, sweep.finished_at = status, error, timezone.now()
    sweep.save(update_fields=["status", "error", "finished_at"])


def sweep_advance(*, sweep_id: int) -> Sweep | None:
    """Record ended trials, tell the oracle, start the next trials; end the sweep when all are done.

    Idempotent: called after any trial's run ends (the `advance` task), and safe to call any time.
    """
    with transaction.atomic():
        sweep = Sweep.objects.select_for_update().filter(pk=sweep_id).first()
        if sweep is None:
            return None
        best_before, status_before = sweep.best_trial_id, sweep.status
        _sync_trials(sweep)
        if not sweep.is_terminal:
            more = _launch(sweep)
            if not more and not sweep.trials.filter(status__in=ACTIVE).exists():
                if sweep.best_trial_id:
                    _finish(sweep, Sweep.Status.SUCCEEDED)
                else:
                    _finish(sweep, Sweep.Status.FAILED, "No trial succeeded.")
        if sweep.best_trial_id != best_before or sweep.status != status_before:
            events.sweep_event_send(sweep_id=sweep.pk, event=selectors.status_event(sweep))
    return sweep


def sweep_reconcile(*, sweep: Sweep) -> Sweep:
    """Advance a running sweep whose trials' runs ended unnoticed (e.g. cancelled from the run page)."""
    if sweep.is_terminal:
        return sweep
    pending = sweep.trials.exclude(status__in=SweepTrial.TERMINAL).select_related("run")
    if any(t.run is None or t.run.is_terminal for t in pending):
        sweep = sweep_advance(sweep_id=sweep.pk) or sweep
    return sweep


def sweep_cancel(*, sweep: Sweep) -> Sweep:
    """Cancel every queued/running trial's run; the sweep ends `cancelled` at once. Ended: no-op."""
    with transaction.atomic():
        sweep = Sweep.objects.select_for_update().get(pk=sweep.pk)
        if sweep.is_terminal:
            return sweep
        for trial in sweep.trials.select_related("run").filter(status__in=ACTIVE):
            if trial.run is not None and not trial.run.is_terminal:
                run_cancel(run=trial.run)
        _sync_trials(sweep)  # queued runs are cancelled already; running ones follow when they stop
        _finish(sweep, Sweep.Status.CANCELLED)
        events.sweep_event_send(sweep_id=sweep.pk, event=selectors.status_event(sweep))
    return sweep


def sweep_apply_best(*, sweep: Sweep) -> dict:
    """Write the best trial's layer parameters into a new version of the design."""
    best = sweep.best_trial
    if best is None:
        raise ApplicationError("The sweep has no successful trial yet.", code="no_best_trial")
    layer_params = graph_params(best.params)
    config = {k: v for k, v in best.params.items() if k not in layer_params}
    if not layer_params:
        raise ApplicationError(
            "The best trial changed only training settings; use them in the train form.",
            code="nothing_to_apply",
            details={"config": config},
        )
    if sweep.design_id is None:
        raise ApplicationError("The design was deleted.", code="design_deleted")
    design = design_get(user=sweep.owner, design_id=sweep.design_id)
    present = {n.get("id") for n in design.graph.get("nodes", [])}
    skipped = [k for k in layer_params if split_name(k)[1] not in present]
    applied = {k: v for k, v in layer_params.items() if k not in skipped}
    if not applied:
        raise ApplicationError(
            "The design no longer has the nodes the sweep searched.",
            code="nothing_to_apply",
            details={"skipped": skipped},
        )
    with transaction.atomic():
        design = design_update(design=design, graph=graph_apply(design.graph, applied))
        Sweep.objects.filter(pk=sweep.pk).update(applied_version=design.version)
        sweep.applied_version = design.version
        events.sweep_event_send(sweep_id=sweep.pk, event=selectors.status_event(sweep))
    return {
        "design": design.pk,
        "version": design.version,
        "params": applied,
        "skipped": skipped,
        "config": config,
        "valid": design.is_valid,
    }
