"""Batches arriving at the same moment, on PostgreSQL (real row locks, separate connections):
a repeated batch is stored and scored once, overlapping batches both count, and a recompute
running meanwhile leaves the scores a fresh recompute would give."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from rest_framework.test import APIClient

from leads import signals
from leads.models import Contact
from leads.stages import Stage
from scoring import services
from scoring.models import Activity, ContactRuleScore
from tests.factories import ContactFactory
from tests.scoring.helpers import T0, event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def at_once(*jobs):
    """Run each callable in its own thread and connection, released together; return their
    results in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait()
            results[index] = job()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def poster(user, body):
    def post():
        client = APIClient()
        client.force_authenticate(user)
        response = client.post("/api/v1/events/", body, format="json")
        return response.status_code, response.json()

    return post


@pytest.fixture
def lingering_moves():
    """Hold each batch's transaction open a moment after its first move."""
    seen = threading.local()

    def linger(**kwargs):
        if not getattr(seen, "lingered", False):
            seen.lingered = True
            threading.Event().wait(0.3)

    signals.transitions_recorded.connect(linger, weak=False)
    yield
    signals.transitions_recorded.disconnect(linger)


def test_the_same_batch_posted_twice_at_once_is_stored_and_scored_once(
    marketer, rule, lingering_moves
):
    rule("Opened", 5, event_type="email_opened")
    contacts = [ContactFactory() for _ in range(20)]
    batch = [event(f"k{n}", c, at=T0 + timedelta(minutes=n)) for n, c in enumerate(contacts)]
    batch.append(
        {
            "id": "new",
            "type": "email_opened",
            "occurred_at": T0.isoformat(),
            "email": "new@example.com",
        }
    )
    replies = at_once(poster(marketer, batch), poster(marketer, batch))
    assert sorted(replies, key=lambda r: r[1]["accepted"]) == [
        (200, {"accepted": 0, "duplicates": 21}),
        (200, {"accepted": 21, "duplicates": 0}),
    ]
    assert Activity.objects.count() == 21
    assert Contact.objects.filter(email="new@example.com").count() == 1
    assert set(Contact.objects.values_list("score", "stage")) == {(5, Stage.LEAD)}
    assert set(ContactRuleScore.objects.values_list("times", flat=True)) == {1}


def test_overlapping_batches_for_the_same_contacts_both_count(marketer, rule, lingering_moves):
    rule("Opened", 5, event_type="email_opened")
    contacts = [ContactFactory() for _ in range(30)]
    forward = [event(f"a{n}", c) for n, c in enumerate(contacts)]
    backward = [event(f"b{n}", c) for n, c in enumerate(reversed(contacts))]
    replies = at_once(poster(marketer, forward), poster(marketer, backward))
    assert [code for code, _ in replies] == [200, 200]
    assert set(Contact.objects.values_list("score", flat=True)) == {10}


def test_events_arriving_during_a_recompute_leave_consistent_scores(marketer, rule, settings):
    settings.SCORING_CHUNK_SIZE = 10
    rule("Opened", 5, event_type="email_opened", max_times=3)
    rule("Big", 20, dimension="fit", attribute="company_size", operator="gte", value=100)
    contacts = [ContactFactory(company_size=500) for _ in range(60)]
    job = services.recompute_start(by=None)
    batches = [[event(f"{b}-{n}", c) for n, c in enumerate(contacts[b::3])] for b in range(3)]

    def post_batches():
        return [poster(marketer, batch)()[0] for batch in batches]

    results = at_once(lambda: services.recompute_run(job_id=job.pk).status, post_batches)
    assert results == ["done", [200, 200, 200]]
    during = dict(Contact.objects.values_list("pk", "score"))
    services.recompute_run(job_id=services.recompute_start(by=None).pk)
    assert (
        dict(Contact.objects.values_list("pk", "score")) == during == {c.pk: 25 for c in contacts}
    )
