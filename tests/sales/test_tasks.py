"""Tasks of the next touch: planned, listed, completed once, reminded once by the beat."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone

from integrations.models import Delivery, Event, Webhook
from leadfunnel.celery import app
from sales import reminders
from sales.models import SalesTask
from tests.sla.conftest import make_mql

URL = "/api/v1/tasks/"


def plan(client, contact, due, **fields):
    body = {"title": "Call back", "contact": contact.pk, "kind": "call", "due_at": due.isoformat()}
    return client.post(URL, {**body, **fields}, format="json")


@pytest.mark.django_db
def test_a_rep_plans_lists_and_completes_a_task(api, rep):
    contact = make_mql(owner=rep)
    client = api.as_user(rep)
    due = timezone.now() + timedelta(hours=2)
    created = plan(client, contact, due)
    assert created.status_code == 201 and created.json()["owner"] == rep.pk
    task_id = created.json()["id"]
    assert [t["id"] for t in client.get(URL, {"open": "true"}).json()["results"]] == [task_id]
    later = (due + timedelta(hours=1)).isoformat()
    assert client.get(URL, {"due_before": later}).json()["count"] == 1
    assert client.get(URL, {"due_before": due.isoformat()}).json()["count"] == 0
    done = client.post(f"{URL}{task_id}/complete/")
    assert done.status_code == 200 and done.json()["done_at"]
    again = client.post(f"{URL}{task_id}/complete/").json()
    assert again["done_at"] == done.json()["done_at"]  # done once, at the first time
    assert client.get(URL, {"open": "true"}).json()["count"] == 0
    assert client.get(URL, {"open": "false"}).json()["count"] == 1


@pytest.mark.django_db
def test_tasks_are_the_reps_own(api, rep, other_rep, manager):
    contact = make_mql(owner=other_rep)
    due = timezone.now() + timedelta(hours=1)
    assert plan(api.as_user(rep), contact, due).status_code == 403
    assert plan(api.as_user(other_rep), contact, due, owner=rep.pk).status_code == 400
    task = plan(api.as_user(manager), contact, due, owner=other_rep.pk).json()
    assert api.as_user(rep).post(f"{URL}{task['id']}/complete/").status_code == 404
    assert SalesTask.objects.get().done_at is None


@pytest.mark.django_db
def test_completing_a_task_tells_the_webhooks(api, rep):
    Webhook.objects.create(url="https://hooks.example.com/x", events=[Event.TASK_COMPLETED])
    contact = make_mql(owner=rep)
    task = plan(api.as_user(rep), contact, timezone.now()).json()
    api.as_user(rep).post(f"{URL}{task['id']}/complete/")
    delivery = Delivery.objects.get(event=Event.TASK_COMPLETED)
    assert delivery.data["task"]["id"] == task["id"]


@pytest.mark.django_db
def test_a_due_task_is_reminded_once(api, rep):
    rep.email = "rep@example.com"
    rep.save()
    contact = make_mql(owner=rep)
    plan(api.as_user(rep), contact, timezone.now() - timedelta(minutes=1))
    plan(api.as_user(rep), contact, timezone.now() + timedelta(days=1), title="Later")
    assert reminders.tasks_remind() == 1
    assert reminders.tasks_remind() == 0
    assert len(mail.outbox) == 1 and "Call back" in mail.outbox[0].body
    assert "Later" not in mail.outbox[0].body
    assert SalesTask.objects.filter(reminded_at__isnull=False).count() == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_beat_scheduled_reminders(redis_broker, finished, api, rep):
    rep.email = "rep@example.com"
    rep.save()
    contact = make_mql(owner=rep)
    plan(api.as_user(rep), contact, timezone.now() - timedelta(minutes=5))
    task_name = settings.CELERY_BEAT_SCHEDULE["tasks-remind-due"]["task"]
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        app.send_task(task_name)
        assert finished(task_name).wait(timeout=30)
    assert SalesTask.objects.get().reminded_at is not None
    assert len(mail.outbox) == 1
