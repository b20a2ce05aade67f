"""The load: steady REST API traffic (`ApiTraffic`) and the websocket viewers of the runs (`viewers`)."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import requests

TERMINAL = {"succeeded", "failed", "cancelled"}


class ApiTraffic(threading.Thread):
    """Steady GETs at `rps` (runs list, one run, datasets, health) until stopped: an open-loop
    schedule (a slow answer does not slow the next request) on a pool of client threads."""

    def __init__(self, base: str, headers: dict, rps: float, run_ids: list[int]):
        super().__init__(daemon=True)
        self.base, self.headers, self.rps, self.run_ids = base, headers, rps, run_ids
        self.latencies: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.local = threading.local()

    def _get(self, key: str, path: str) -> None:
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
            session.headers.update(self.headers)
        began = time.monotonic()
        error = None
        try:
            response = session.get(self.base + path, timeout=30)
            if response.status_code != 200:
                error = f"{path}: {response.status_code}"
        except requests.RequestException as exc:
            error = f"{path}: {exc}"
        with self.lock:
            self.latencies.setdefault(key, []).append(time.monotonic() - began)
            if error:
                self.errors.append(error)

    def run(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        paths = ["/api/runs", "/api/runs/{id}", "/api/datasets", "/api/health"]
        i, start = 0, time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            while not self.stop_event.is_set():
                key = paths[i % len(paths)]
                pool.submit(self._get, key, key.format(id=self.run_ids[i % len(self.run_ids)]))
                i += 1
                delay = start + i / self.rps - time.monotonic()  # open loop, no drift
                if delay > 0:
                    self.stop_event.wait(delay)

    def all_latencies(self) -> list[float]:
        return [v for values in self.latencies.values() for v in values]


async def viewer(
    base: str, token: str, run_id: int, epochs: int, deadline: float, delay: float = 0.0
) -> dict:
    """One viewer: everything it knows comes through its websocket (the snapshot, then live events);
    it never asks the REST API. Wall-clock marks (time.time()) compare with the server's."""
    import websockets

    await asyncio.sleep(delay)  # 0 for all: the burst of viewers in one instant

    url = base.replace("http://", "ws://") + f"/ws/runs/{run_id}/"
    seen: list[int] = []
    received_at: dict[int, float] = {}  # live epoch -> when it arrived
    final = None
    began = time.time()
    try:
        socket = await websockets.connect(
            url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=60
        )
    except Exception as exc:
        return {"run": run_id, "handshake_error": repr(exc), "began": began,
                "failed_after": time.time() - began}  # fmt: skip
    opened = time.time()
    async with socket:
        snapshot = json.loads(await asyncio.wait_for(socket.recv(), timeout=60))
        snapshot_at = time.time()
        seen += [e["epoch"] for e in snapshot["epochs"]]
        if snapshot["run"]["status"] in TERMINAL:
            final = snapshot["run"]["status"]
        while final is None:
            message = json.loads(
                await asyncio.wait_for(socket.recv(), timeout=max(1.0, deadline - time.monotonic()))
            )
            if message["type"] == "epoch":
                seen.append(message["epoch"])
                received_at.setdefault(message["epoch"], time.time())
            elif message["type"] == "status" and message["status"] in TERMINAL:
                final = message["status"]
    return {
        "run": run_id,
        "final": final,
        "complete": sorted(set(seen)) == list(range(1, epochs + 1)),
        "in_order": seen == sorted(seen),
        "duplicates": len(seen) - len(set(seen)),
        "began": began,
        "handshake_s": opened - began,
        "snapshot_latency": snapshot_at - began,
        "seen": seen,
        "received_at": received_at,
        "snapshot_epochs": len(snapshot["epochs"]),
        "snapshot_status": snapshot["run"]["status"],
    }


async def viewers(base, token, run_ids, n, epochs, deadline, ramp) -> list[dict | BaseException]:
    tasks = [
        viewer(base, token, run_ids[i % len(run_ids)], epochs, deadline, ramp * i / n)
        for i in range(n)
    ]
    return await asyncio.gather(*tasks, return_exceptions=True)
