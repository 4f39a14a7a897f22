"""Two batches creating the same unknown e-mail at once (found by the stress test next door,
where it deadlocked event batches): the one whose insert lost announces nothing."""

import threading

import pytest
from django.db import connection, transaction

from leads import services, signals
from tests.utils import receiving

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def commit_once_waited_on(commit: threading.Event) -> None:
    """Set ``commit`` as soon as a session of the test database waits for a lock."""
    try:
        with connection.cursor() as cursor:
            for _ in range(600):
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    break
                threading.Event().wait(0.05)
    finally:
        commit.set()
        connection.close()


def test_a_contact_another_batch_created_meanwhile_is_found_not_announced_again():
    inserted, commit = threading.Event(), threading.Event()

    def first_batch():
        try:
            with transaction.atomic():
                services.contacts_for_emails(emails=["both@example.com", "first@example.com"])
                inserted.set()
                commit.wait(timeout=30)
        finally:
            connection.close()

    with receiving(signals.contacts_created) as announced:
        first = threading.Thread(target=first_batch)
        first.start()
        assert inserted.wait(timeout=30)
        # This insert waits on the first batch's uncommitted row: it commits meanwhile.
        threading.Thread(target=commit_once_waited_on, args=(commit,)).start()
        ids = services.contacts_for_emails(emails=["both@example.com", "second@example.com"])
        first.join(timeout=30)

    by_first, by_second = (set(a["contact_ids"]) for a in announced)
    assert ids["both@example.com"] in by_first
    assert by_second == {ids["second@example.com"]}
