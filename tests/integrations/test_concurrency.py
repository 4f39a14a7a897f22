"""Races that only PostgreSQL can show: SQLite runs one writer at a time."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import override_settings

from integrations.models import Delivery, Event, ImportJob, Webhook
from integrations.services import imports, webhooks
from leads import services as leads_services
from leads.models import Contact

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def together(*jobs: Callable[[], object]) -> list[BaseException]:
    """Run the callables at the same moment, each on its own connection; their errors."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        try:
            barrier.wait()
            job()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_workers_racing_for_the_same_deliveries_send_each_once(receiver):
    server = receiver()
    Webhook.objects.create(url=server.url, events=[Event.CONTACT_CREATED])
    leads_services.contacts_for_emails(emails=[f"race{n}@example.com" for n in range(20)])
    ids = list(Delivery.objects.values_list("pk", flat=True))

    def send():
        webhooks.deliveries_send(delivery_ids=ids)

    assert together(send, send, send, webhooks.deliveries_send_due) == []
    assert len(server.requests) == 20
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert Delivery.objects.filter(attempt_count=1).count() == 20


@override_settings(IMPORT_CHUNK_ROWS=3)
def test_two_tasks_on_one_job_never_apply_a_chunk_twice(marketer, csv_upload):
    job = imports.import_create(
        by=marketer, file=csv_upload("email", *(f"twice{n}@example.com" for n in range(20)))
    )

    def run():
        imports.import_run(job_id=job.pk)

    assert together(run, run) == []
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count) == (ImportJob.Status.DONE, 20, 20)
    assert Contact.objects.count() == 20


def test_imports_creating_the_same_emails_at_once_make_no_duplicates(marketer, csv_upload):
    lines = ("email,first name", *(f"same{n}@example.com,N{n}" for n in range(200)))
    jobs = [imports.import_create(by=marketer, file=csv_upload(*lines)) for _ in range(3)]
    errors = together(*(lambda j=j: imports.import_run(job_id=j.pk) for j in jobs))
    assert errors == []
    assert Contact.objects.count() == 200
    created = sum(ImportJob.objects.values_list("created_count", flat=True))
    skipped = sum(ImportJob.objects.values_list("skipped_count", flat=True))
    assert (created, skipped) == (200, 400)
