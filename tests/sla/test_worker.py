"""A real Celery worker on Redis runs the beat-scheduled sweep (not eager mode).

Needs ``REDIS_URL``: skipped locally without it, a failure in CI (``CI=true``)."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from leadfunnel.celery import app
from leads.models import Contact
from sales.services import activities_log
from sla.models import Breach, StopsOn

from .conftest import make_mql, make_policy

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


def test_under_a_first_touch_policy_the_worker_breaches_only_the_lead_nobody_called(
    redis_broker, finished, rep
):
    make_policy(hours=1, stops_on=StopsOn.FIRST_TOUCH)
    handed_off = timezone.now() - timedelta(hours=3)
    called = make_mql(owner=rep, at=handed_off)
    forgotten = make_mql(owner=rep, at=handed_off)
    call = {"contact": called, "kind": "call", "direction": "outbound", "outcome": "no_answer"}
    activities_log(by=rep, entries=[{**call, "occurred_at": handed_off + timedelta(minutes=20)}])
    task_name = settings.CELERY_BEAT_SCHEDULE["sla-sweep"]["task"]
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        app.send_task(task_name)
        assert finished(task_name).wait(timeout=30)
    assert list(Breach.objects.values_list("contact", flat=True)) == [forgotten.pk]
    assert Contact.objects.get(pk=called.pk).sla_due_at is None
