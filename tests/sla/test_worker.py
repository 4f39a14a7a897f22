"""A real Celery worker on Redis runs the beat-scheduled sweep (not eager mode).

Needs ``REDIS_URL``: skipped locally without it, a failure in CI (``CI=true``)."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from leadfunnel.celery import app
from sla.models import Breach

from .conftest import make_mql

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_runs_the_beat_scheduled_sweep_and_records_the_breach(
    redis_broker, finished, mql_policy, rep
):
    contact = make_mql(owner=rep, at=timezone.now() - timedelta(hours=49))
    task_name = settings.CELERY_BEAT_SCHEDULE["sla-sweep"]["task"]
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        app.send_task(task_name)
        assert finished(task_name).wait(timeout=30)
    assert list(Breach.objects.values_list("contact", flat=True)) == [contact.pk]
