"""Faults made real: a TCP proxy takes Redis or PostgreSQL away and brings it back; the app
runs as separate processes (gunicorn, Celery workers) on the test database, so a worker can
be killed with SIGKILL and a server can lose its broker while the test process keeps its own.

Needs PostgreSQL and ``REDIS_URL``: skipped locally without them, a failure in CI.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import redis
from django.db import connection

from leadfunnel.celery import app
from tests.conftest import IN_CI

from .proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str, log=None):
    """Poll ``predicate`` until it gives something truthy and return it; fail after
    ``timeout`` seconds, with the tail of a process's ``log`` when one is given."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            tail = log.read_text()[-3000:] if log is not None else ""
            pytest.fail(f"Timed out after {timeout} s waiting for {what}\n{tail}")
        time.sleep(0.05)
    return value


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url():
    """The suite's Redis, emptied of this app's queue and of the unacknowledged messages a
    killed worker leaves (they would come back an hour later, into another test)."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if IN_CI:
            pytest.fail("CI must run the fault tests: REDIS_URL is not set")
        pytest.skip("needs Redis: set REDIS_URL=redis://...")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    client.ping()  # down: fail, do not skip
    app.control.purge()
    yield url
    app.control.purge()
    client.delete("unacked", "unacked_index")


@pytest.fixture
def proxy():
    """``proxy(url)``: a switchable TCP proxy to the host and port of ``url``."""
    proxies: list[TcpProxy] = []

    def make(url: str) -> TcpProxy:
        parts = urlsplit(url)
        proxies.append(TcpProxy((parts.hostname, parts.port)))
        return proxies[-1]

    yield make
    for each in proxies:
        each.close()


def database_url() -> str:
    """The test database (pytest-django's), as the other processes reach it."""
    db = connection.settings_dict
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Process:
    """An app process started by a test, its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        self._out = log.open("wb")
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._out, stderr=subprocess.STDOUT
        )

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as when the machine loses the process."""
        self.popen.kill()
        self.popen.wait(timeout=10)

    def quit(self) -> None:
        """SIGQUIT: gunicorn and Celery both stop at once, without finishing their work."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGQUIT)

    def wait(self) -> None:
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        self._out.close()


class Processes:
    """App processes on the test database: ``worker(**env)`` starts a Celery worker (solo
    pool: the task runs in the process a SIGKILL hits), ``servers(*envs)`` gunicorns. The
    keyword arguments and ``envs`` override the environment."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[Process] = []

    def start(self, name: str, args: list[str], **env: str) -> Process:
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
        environment.update(
            DJANGO_SETTINGS_MODULE="leadfunnel.settings.test",
            DATABASE_URL=database_url(),
            CONN_MAX_AGE="0",
            **env,
        )
        self.started.append(Process(args, environment, self.logs / f"{name}.log"))
        return self.started[-1]

    def worker(self, **env: str) -> Process:
        name = f"worker-{uuid.uuid4().hex[:8]}"
        args = [str(BIN / "celery"), "-A", "leadfunnel", "worker", "--pool=solo"]
        args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        args += ["--loglevel=WARNING", f"--hostname={name}@%h"]
        return self.start(name, args, **env)

    def servers(self, *envs: dict[str, str]) -> list[str]:
        """One gunicorn per environment, started together; their URLs once all answer."""
        started = []
        for env in envs:
            port = free_port()
            args = [str(BIN / "gunicorn"), "leadfunnel.wsgi:application", "--log-level=warning"]
            args += [f"--bind=127.0.0.1:{port}", "--workers=1", "--threads=4", "--timeout=60"]
            started.append((f"http://127.0.0.1:{port}", self.start(f"server-{port}", args, **env)))
        for url, process in started:
            ready = partial(_answers, f"{url}/healthz")
            wait_for(ready, timeout=60, what=url, log=process.log)
        return [url for url, _ in started]

    def stop(self) -> None:
        for process in self.started:
            process.quit()
        for process in self.started:
            process.wait()


@pytest.fixture
def processes(transactional_db, tmp_path):
    """Set up after the test database and stopped before it is flushed."""
    started = Processes(tmp_path)
    yield started
    started.stop()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


class Receiver:
    """A webhook receiver on 127.0.0.1 that answers 204 and keeps what it was sent."""

    def __init__(self):
        self.bodies: list[dict] = []
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings, monkeypatch):
    """The receiver is on 127.0.0.1, as an on-premise install's is on its own network: the
    setting such an install turns on, here and in the processes the test starts."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    server = Receiver()
    yield server
    server.close()
