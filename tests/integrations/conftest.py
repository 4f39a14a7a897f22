import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from integrations.models import ImportJob, OnDuplicate
from integrations.services import imports
from tests.browser.conftest import (  # noqa: F401  (the browser suite's Chromium and login)
    browser_context_args,
    browser_type_launch_args,
    log_in,
    screenshot,
)


@pytest.fixture(autouse=True)
def on_premise_receivers(settings):
    """These tests' receivers listen on 127.0.0.1, as an on-premise install's do on its own
    network: the setting such an install turns on (tests/security/test_webhook_targets.py
    proves the default refuses them)."""
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True


@pytest.fixture
def csv_upload() -> Callable[..., SimpleUploadedFile]:
    """A CSV upload from text lines, encoded as a spreadsheet would write it."""

    def make(*lines: str, encoding: str = "utf-8", name: str = "contacts.csv"):
        return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding))

    return make


@pytest.fixture
def run_import(marketer, csv_upload, django_capture_on_commit_callbacks):
    """Import ``lines`` as the marketer would, and run the job to its end (as its task)."""

    def run(*lines: str, encoding: str = "utf-8", **options) -> ImportJob:
        options.setdefault("on_duplicate", OnDuplicate.SKIP)
        with django_capture_on_commit_callbacks(execute=False):
            job = imports.import_create(
                by=marketer, file=csv_upload(*lines, encoding=encoding), **options
            )
        return imports.import_run(job_id=job.pk)

    return run


class Receiver:
    """A real HTTP server on 127.0.0.1 that answers 500 ``failures`` times, then 204."""

    def __init__(self, failures: int = 0):
        self.failures = failures
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                failing = len(receiver.requests) <= receiver.failures
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self.thread.start()

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, body in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    servers = []

    def start(failures: int = 0) -> Receiver:
        servers.append(Receiver(failures))
        return servers[-1]

    yield start
    for server in servers:
        server.close()
