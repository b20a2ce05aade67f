"""The per-user concurrent run limit holds when two requests create at the same moment
(modelbuilder/training/resilience/admission.py: concurrency_check locks the owner's row)."""

import threading
import time

import pytest
from django.db import connection, connections

from modelbuilder.training import resilience
from modelbuilder.training.models import Run
from modelbuilder.training.resilience import admission


def race(requests) -> list:
    """Run the request callables in threads that start together; their answers, in order."""
    barrier = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def one(i, request):
        try:
            barrier.wait(timeout=10)
            answers[i] = request()
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=one, args=(i, r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return answers


@pytest.fixture
def slow_admission(monkeypatch):
    """Widen the window between counting the user's runs and creating the run to 0.5 s, so two
    requests without a lock would both count below the limit."""
    real = resilience.memory_check

    def slow(**kwargs):
        time.sleep(0.5)
        return real(**kwargs)

    monkeypatch.setattr(admission, "memory_check", slow)  # where run_admit looks it up


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_creates_cannot_both_pass_the_limit(
    alice, run_body, mb, settings, slow_admission, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writing transaction at a time anyway")
    from modelbuilder.training import services

    monkeypatch.setattr(services, "_enqueue", lambda *args: None)  # no worker takes them
    settings.MODELBUILDER_MAX_CONCURRENT_RUNS = 1
    body = run_body()

    def post():
        return alice.post("/api/runs", body, content_type="application/json")

    started = time.monotonic()
    answers = race([post, post])
    took = time.monotonic() - started
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201, 429], [a.content for a in answers]
    refused = next(a for a in answers if a.status_code == 429)
    mb.assert_error(refused, 429, "too_many_runs")
    assert refused.json()["error"]["details"] == {"active": 1, "limit": 1}
    assert Run.objects.filter(owner__username="alice").count() == 1
    assert took >= 0.5  # the second one waited for the first one's commit

    # a resume racing a create: the same lock
    paused = Run.objects.get()
    alice.post(f"/api/runs/{paused.pk}/pause")
    answers = race([post, lambda: alice.post(f"/api/runs/{paused.pk}/resume")])
    codes = [a.status_code for a in answers]  # (create, resume): one of them passes
    assert sorted(codes) in ([200, 429], [201, 429]), [a.content for a in answers]
    assert Run.objects.filter(status__in=resilience.ACTIVE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_limit_check_refuses_to_run_outside_a_transaction(user, settings):
    settings.MODELBUILDER_MAX_CONCURRENT_RUNS = 1
    with pytest.raises(RuntimeError, match="inside the transaction"):
        resilience.concurrency_check(owner=user)  # its lock would end at once: a race again
