import os
import threading

import pytest
import redis
from celery.signals import task_postrun
from django.db import connection
from rest_framework.test import APIClient

from leadfunnel.celery import app
from leads.stages import Role
from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_runtest_setup(item):
    """Tests marked ``postgres`` need PostgreSQL (row locks, real concurrency). Locally on
    SQLite they are skipped with a visible reason; in CI they fail instead."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run on PostgreSQL: DATABASE_URL is not a PostgreSQL URL")
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def marketer(db):
    return UserFactory(username="marketer", role=Role.MARKETING)


@pytest.fixture
def rep(db):
    return UserFactory(username="rep", role=Role.SALES)


@pytest.fixture
def other_rep(db):
    return UserFactory(username="rep2", role=Role.SALES)


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", role=Role.MANAGERS)


@pytest.fixture
def nobody(db):
    """Logged in, but in no role group."""
    return UserFactory(username="nobody")


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates it."""

    class Client(APIClient):
        def as_user(self, user):
            self.force_authenticate(user)
            return self

    return Client()


@pytest.fixture
def redis_broker():
    """For a real Celery worker: Redis as the broker, its queue emptied of earlier runs'
    messages. Without REDIS_URL the test is skipped locally and fails in CI."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if IN_CI:
            pytest.fail("CI must run the Celery worker tests: REDIS_URL is not set")
        pytest.skip("needs Redis: set REDIS_URL=redis://...")
    redis.Redis.from_url(url, socket_connect_timeout=2).ping()  # down: fail, do not skip
    app.control.purge()
    return url


@pytest.fixture
def finished():
    """``finished(task_name)``: an event set when a worker has run a task of that name (no
    polling, no sleep)."""
    events: dict[str, threading.Event] = {}

    def on_postrun(sender=None, **kwargs):
        connection.close()  # the worker thread's own: the test database can then be dropped
        events.setdefault(sender.name, threading.Event()).set()

    task_postrun.connect(on_postrun, weak=False)
    yield lambda name: events.setdefault(name, threading.Event())
    task_postrun.disconnect(on_postrun)
