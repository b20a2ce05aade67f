"""The cores of a machine shared by the runs training on it (modelbuilder.training.cpu_share)."""

import subprocess
import sys

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from modelbuilder.training import cpu_share


def blas_threads() -> set[int]:
    return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}


def test_held_slots_are_counted_and_a_dead_holders_file_is_not(tmp_path):
    assert cpu_share.training_runs_here(tmp_path) == 0
    with cpu_share.training_slot(tmp_path), cpu_share.training_slot(tmp_path):
        (tmp_path / "123-gone.lock").write_bytes(b"")  # its process died: nobody holds the lock
        assert cpu_share.training_runs_here(tmp_path) == 2
        assert not (tmp_path / "123-gone.lock").exists()
    assert cpu_share.training_runs_here(tmp_path) == 0
    assert list(tmp_path.iterdir()) == []


def test_a_slot_held_by_another_process_counts_until_it_is_killed(tmp_path):
    code = ("import sys, time; from pathlib import Path; from modelbuilder.training import cpu_share\n"
            "with cpu_share.training_slot(Path(sys.argv[1])):\n"
            "    print('held', flush=True); time.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        assert cpu_share.training_runs_here(tmp_path) == 1
    finally:
        child.kill()
        child.wait()
    assert cpu_share.training_runs_here(tmp_path) == 0  # the kernel dropped the dead process's lock


@pytest.mark.parametrize(("runs", "cores", "threads"), [(1, 2, 2), (2, 2, 1), (3, 2, 1), (2, 8, 4), (0, 4, 4)])
def test_each_run_takes_its_share_of_the_cores(runs, cores, threads, monkeypatch):
    monkeypatch.delenv("MODELBUILDER_ENGINE_THREADS", raising=False)
    assert cpu_share.threads_for_run(runs=runs, cores=cores) == threads


def test_a_fixed_number_of_threads_wins(monkeypatch):
    monkeypatch.setenv("MODELBUILDER_ENGINE_THREADS", "3")
    assert cpu_share.threads_for_run(runs=2, cores=2) == 3


def test_the_callback_sets_the_blas_threads_at_each_epoch(tmp_path, monkeypatch):
    monkeypatch.delenv("MODELBUILDER_ENGINE_THREADS", raising=False)
    monkeypatch.setattr(cpu_share, "cpu_cores", lambda: 2)
    callback = cpu_share.cpu_share_callback(tmp_path)
    with threadpool_limits(None):  # whatever the test leaves, the suite's limits come back
        with cpu_share.training_slot(tmp_path):
            callback.on_train_begin()
            assert blas_threads() == {2}  # alone: every core
            with cpu_share.training_slot(tmp_path):  # a second run starts training here
                callback.on_epoch_begin(1)
                assert blas_threads() == {1}
            callback.on_epoch_begin(2)
            assert blas_threads() == {2}  # it ended: the cores come back


@pytest.mark.django_db
def test_a_cpu_run_is_counted_while_it_trains(alice, run_body, tmp_path, monkeypatch):
    from modelbuilder.training.execution import run_execute

    monkeypatch.setattr(cpu_share, "LOCK_DIR", tmp_path)
    seen = []
    real = cpu_share.training_runs_here
    monkeypatch.setattr(cpu_share, "training_runs_here", lambda lock_dir=None: seen.append(real(lock_dir)) or seen[-1])
    response = alice.post("/api/runs", run_body(epochs=3), content_type="application/json")
    with threadpool_limits(None):
        run = run_execute(run_id=response.json()["id"])
    assert run.status == "succeeded", run.error
    assert seen == [1, 1, 1, 1]  # at the start and at each epoch: this run itself
    assert list(tmp_path.iterdir()) == []  # and it let go
