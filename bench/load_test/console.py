"""The load test's report as text on stdout."""

from __future__ import annotations


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f} ms"


def print_report(r: dict) -> None:
    c, runs, v, api = r["config"], r["runs"], r["viewers"], r["api"]
    print(f"load test: {c['workers']} workers, {c['runs']} runs x {c['epochs']} epochs, "
          f"{c['viewers']} viewers, {c['api_rps']} req/s, "
          f"{c['database']}, {c['redis']} Redis, storage {c['storage']}; websocket stack "
          f"{c['websocket_stack']}, daphne {c['daphne']}")  # fmt: skip
    print(
        f"  setup {r['setup_s']} s; {c['runs']} runs queued in {r['submit_s']} s; all ended after {r['load_s']} s"
    )
    print(f"  runs: {runs['succeeded']}/{c['runs']} succeeded, {runs['epochs_stored_complete']} with every epoch "
          f"stored, {runs['models_downloaded']} models downloaded; {runs['throughput_runs_per_min']} runs/min; "
          f"queue wait p50 {runs['queue_wait_s']['p50']} s, p95 {runs['queue_wait_s']['p95']} s; "
          f"training p50 {runs['train_wall_s']['p50']} s")  # fmt: skip
    print(f"  viewers: {v['connected']}/{c['viewers']} connected, {v['saw_every_epoch_once']} saw every epoch "
          f"exactly once, {v['saw_final_status']} saw the final status, {v['duplicates']} duplicates; "
          f"snapshot p50 {ms(v['snapshot_latency_s']['p50'])}, p95 {ms(v['snapshot_latency_s']['p95'])}")  # fmt: skip
    d = v["delivery_s"]
    print(f"  handshakes: {v['handshakes_completed']}/{c['viewers']} completed, p50 "
          f"{ms(v['handshake_s']['p50'])}, p99 {ms(v['handshake_s']['p99'])}, max "
          f"{ms(v['handshake_s']['max'])}; epochs by websocket: {v['epochs_via_snapshot']} in "
          f"snapshots + {v['epochs_via_live_events']} live; epoch stored -> received p50 "
          f"{ms(d['p50'])}, p99 {ms(d['p99'])}, max {ms(d['max'])}")  # fmt: skip
    for failure in v["failed"]:
        print(f"    failed: {failure}")
    for missing in v["incomplete"]:
        print(f"    incomplete: {missing}")
    if "handshake_probe" in r:
        probe = r["handshake_probe"]
        print(f"  server side ({probe['connections']} handshakes; db threads {probe['db_threads']}; "
              f"loop lag p99 {ms(probe['loop_lag_s']['p99'])}, max {ms(probe['loop_lag_s']['max'])}):")  # fmt: skip
        for stage, q in probe["stages_s"].items():
            print(f"    {stage}: p50 {ms(q['p50'])}, p99 {ms(q['p99'])}, max {ms(q['max'])}, "
                  f"sum {q['sum']} s")  # fmt: skip
    lat = api["latency_s"]
    print(f"  api: {api['requests']} requests ({api['achieved_rps']}/s), {api['errors']} errors; latency p50 "
          f"{ms(lat['p50'])}, p95 {ms(lat['p95'])}, p99 {ms(lat['p99'])}, max {ms(lat['max'])}")  # fmt: skip
    q = api["latency_s_without_health"]
    print(f"    all but /api/health: p50 {ms(q['p50'])}, p99 {ms(q['p99'])}")
    for path, q in api["per_endpoint_s"].items():
        print(f"    {path}: p50 {ms(q['p50'])}, p95 {ms(q['p95'])}")
    if "machine" in r:
        m = r["machine"]
        print(f"  machine: load average {m['load_average_1m_at_end']} on {m['cpus']} CPUs; CPU s "
              f"used during the load: {m['cpu_s_during_load']}")  # fmt: skip
    print(f"  nothing lost: {r['nothing_lost']}")
