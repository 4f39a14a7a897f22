"""A real Celery worker on Redis runs the beat-scheduled sweep (not eager mode).

Needs ``REDIS_URL``: skipped locally without it, a failure in CI (``CI=true``)."""

import os
import threading
from datetime import timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connection
from django.utils import timezone

from leadfunnel.celery import app
from sla.models import Breach
from tests.conftest import IN_CI

from .conftest import make_mql

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_broker():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if IN_CI:
            pytest.fail("CI must run the Celery worker test: REDIS_URL is not set")
        pytest.skip("needs Redis: set REDIS_URL=redis://...")
    redis.Redis.from_url(url, socket_connect_timeout=2).ping()  # down: fail, do not skip
    app.control.purge()  # no stale messages from earlier runs
    return url


@pytest.fixture
def finished():
    """An event set when the worker has run a task of the given name (no polling, no sleep)."""
    events: dict[str, threading.Event] = {}

    def on_postrun(sender=None, **kwargs):
        connection.close()  # the worker thread's own: the test database can then be dropped
        events.setdefault(sender.name, threading.Event()).set()

    task_postrun.connect(on_postrun, weak=False)
    yield lambda name: events.setdefault(name, threading.Event())
    task_postrun.disconnect(on_postrun)


def test_a_worker_runs_the_beat_scheduled_sweep_and_records_the_breach(
    redis_broker, finished, mql_policy, rep
):
    contact = make_mql(owner=rep, at=timezone.now() - timedelta(hours=49))
    task_name = settings.CELERY_BEAT_SCHEDULE["sla-sweep"]["task"]
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        app.send_task(task_name)
        assert finished(task_name).wait(timeout=30)
    assert list(Breach.objects.values_list("contact", flat=True)) == [contact.pk]
