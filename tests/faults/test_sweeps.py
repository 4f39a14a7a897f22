"""The sweeps that find lost work again, without a broker or a worker (so they run on SQLite
too); the processes and the real outages are in the other modules here."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from leadfunnel.celery import app
from leads.models import JobStatus
from scoring import services, tasks
from scoring.models import RecomputeJob

pytestmark = pytest.mark.django_db

LATER = timedelta(seconds=settings.RECOMPUTE_STALLED_SECONDS + 1)


def test_every_kind_of_deferred_work_has_a_sweep_in_the_beat_schedule():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "sla.tasks.sla_sweep",  # MQL assignments, breaches, their e-mails
        "integrations.tasks.deliver_due_webhooks",
        "integrations.tasks.resume_stalled_imports",
        "scoring.tasks.resume_stalled_recomputes",
    } <= scheduled
    app.loader.import_default_modules()  # what a worker or beat does first: find the tasks
    assert scheduled <= set(app.tasks)


def test_a_recompute_asked_for_while_the_broker_is_down_is_answered_and_left_for_the_sweep(
    api, marketer, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.recompute_scores, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(marketer).post("/api/v1/scoring/recompute/", {}, format="json")
    assert (response.status_code, response.json()["status"]) == (202, "pending")
    assert services.recompute_stalled(now=timezone.now() + LATER) == [response.json()["id"]]


def test_a_recompute_is_stalled_only_when_quiet_for_long_and_not_ended():
    job = services.recompute_start(by=None, enqueue=False)
    assert services.recompute_stalled() == []  # just queued
    assert services.recompute_stalled(now=timezone.now() + LATER) == [job.pk]
    services.recompute_run(job_id=job.pk)
    assert services.recompute_stalled(now=timezone.now() + LATER) == []
    assert RecomputeJob.objects.get(pk=job.pk).status == JobStatus.DONE
