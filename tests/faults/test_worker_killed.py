"""A Celery worker killed (SIGKILL) in the middle of a recompute or an import: the job stays
half done, the beat's stalled-job sweep queues it again on another worker, and it finishes
with the right result, nothing counted twice.

"In the middle" is made certain, not raced: the test holds a row that the job's second range
(or chunk) needs, so the worker commits the first one and then waits; the test kills it
there and lets go of the row."""

import threading
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from integrations.models import ImportJob
from integrations.services import imports
from leadfunnel.celery import app
from leads.models import Contact, JobStatus, Transition
from leads.stages import Move
from scoring import services
from scoring.models import RecomputeJob, Rule, ScoringSettings
from scoring.services import EventIn
from tests.scoring.helpers import T0

from .conftest import wait_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]

CONTACTS = 300
RANGE = 50  # contacts per recompute range and rows per import chunk, in the workers


@contextmanager
def held(hold: Callable[[], object]):
    """Run ``hold`` in a transaction of another connection, kept open (its locks and
    uncommitted rows in place) until the block ends, then rolled back."""
    ready, release = threading.Event(), threading.Event()

    def run():
        try:
            with transaction.atomic():
                hold()
                ready.set()
                release.wait(timeout=120)
                transaction.set_rollback(True)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert ready.wait(timeout=30)
    try:
        yield
    finally:
        release.set()
        thread.join(timeout=30)


def opened(contact: Contact) -> int:
    """How many e-mails the contact opened: 0 to 4, by position."""
    return contact.pk % 5


@pytest.fixture
def scored_contacts():
    """Contacts scored incrementally by their events (5 points an open), then the open rule
    raised to 12 points: a recompute must rescore all, and make MQLs of the big companies
    that opened 4 e-mails (12 * 4 + 20 = 68 >= 60)."""
    Rule.objects.all().delete()
    ScoringSettings.objects.update_or_create(
        pk=1,
        defaults={
            "mql_threshold": 60,
            "min_fit": None,
            "min_engagement": None,
            "hot_threshold": 1000,
            "half_life_days": None,
        },
    )
    rule = services.rule_create(
        name="Opened", points=5, dimension="engagement", event_type="email_opened"
    )
    services.rule_create(
        name="Big", points=20, dimension="fit", attribute="company_size", operator="gte", value=100
    )
    Contact.objects.bulk_create(
        Contact(email=f"p{n}@example.com", company_size=500 if n % 2 else 10)
        for n in range(CONTACTS)
    )
    contacts = list(Contact.objects.order_by("pk"))
    services.events_ingest(
        events=[
            EventIn(key=f"{c.pk}-{n}", type="email_opened", occurred_at=T0, contact_id=c.pk)
            for c in contacts
            for n in range(opened(c))
        ]
    )
    services.rule_update(rule=rule, points=12)
    return contacts


def figures(contact: Contact) -> tuple[int, int, int]:
    """Score, fit and engagement the rules give the contact: 20 for a big company, 12 an open."""
    fit, engagement = (20 if contact.company_size == 500 else 0), 12 * opened(contact)
    return fit + engagement, fit, engagement


def scores() -> dict[int, tuple[int, int, int]]:
    return {
        pk: (score, fit, engagement)
        for pk, score, fit, engagement in Contact.objects.values_list(
            "pk", "score", "fit_score", "engagement_score"
        )
    }


def test_a_recompute_whose_worker_is_killed_resumes_and_counts_every_contact_once(
    redis_url, processes, scored_contacts
):
    first, second = scored_contacts[0].pk, scored_contacts[0].pk + RANGE
    with held(lambda: Contact.objects.select_for_update().get(pk=second)):
        worker = processes.worker(SCORING_CHUNK_SIZE=str(RANGE))
        job = services.recompute_start(by=None, full=True)  # enqueued after its commit
        wait_for(
            lambda: RecomputeJob.objects.get(pk=job.pk).done,
            timeout=60,
            what="the first range",
            log=worker.log,
        )
        worker.kill()
    job.refresh_from_db()
    assert (job.status, job.done, job.cursor) == (JobStatus.RUNNING, RANGE, first + RANGE)

    rescuer = processes.worker(SCORING_CHUNK_SIZE=str(RANGE), RECOMPUTE_STALLED_SECONDS="0")
    app.send_task("scoring.tasks.resume_stalled_recomputes")  # what beat sends
    wait_for(
        lambda: RecomputeJob.objects.filter(pk=job.pk, status=JobStatus.DONE).exists(),
        timeout=60,
        what="the resumed job",
        log=rescuer.log,
    )

    job.refresh_from_db()
    big_and_keen = {c.pk for c in scored_contacts if c.company_size == 500 and opened(c) == 4}
    assert (job.done, job.total, job.promoted) == (CONTACTS, CONTACTS, len(big_and_keen))
    mql_moves = Transition.objects.filter(move=Move.MARK_MQL).values_list("contact", flat=True)
    assert sorted(mql_moves) == sorted(big_and_keen)
    after_the_kill = scores()
    assert after_the_kill == {c.pk: figures(c) for c in scored_contacts}
    fresh = services.recompute_run(
        job_id=services.recompute_start(by=None, full=True, enqueue=False).pk
    )
    assert (fresh.done, fresh.promoted) == (CONTACTS, 0)
    assert scores() == after_the_kill


def test_an_import_whose_worker_is_killed_resumes_after_its_last_chunk_without_duplicates(
    redis_url, processes, marketer
):
    rows = [f"row{n}@example.com,Row {n}" for n in range(6 * RANGE)]
    upload = SimpleUploadedFile("big.csv", "\r\n".join(["email,first name", *rows]).encode())
    in_second_chunk = f"row{RANGE + 10}@example.com"
    # An uncommitted contact with an e-mail of the second chunk: its insert waits on it.
    with held(lambda: Contact.objects.create(email=in_second_chunk)):
        worker = processes.worker(IMPORT_CHUNK_ROWS=str(RANGE))
        job = imports.import_create(by=marketer, file=upload)  # enqueued after its commit
        wait_for(
            lambda: ImportJob.objects.get(pk=job.pk).processed_rows,
            timeout=60,
            what="the first chunk",
            log=worker.log,
        )
        worker.kill()
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count) == ("running", RANGE, RANGE)
    assert Contact.objects.count() == RANGE

    rescuer = processes.worker(IMPORT_CHUNK_ROWS=str(RANGE), IMPORT_STALLED_SECONDS="0")
    app.send_task("integrations.tasks.resume_stalled_imports")  # what beat sends
    wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.DONE).exists(),
        timeout=60,
        what="the resumed import",
        log=rescuer.log,
    )

    job.refresh_from_db()
    counts = (job.processed_rows, job.created_count, job.skipped_count, job.rejected_count)
    assert counts == (len(rows), len(rows), 0, 0)
    emails = list(Contact.objects.values_list("email", flat=True))
    assert sorted(emails) == sorted(row.split(",")[0] for row in rows)
