"""The rollups under concurrent writers and folds: nothing lost, nothing counted twice."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from leads import services as leads
from leads.models import Contact
from reporting import rollups
from reporting.models import ReachedChange
from reporting.periods import Period
from reporting.selectors import Mode, funnel_report
from reporting.selectors import funnel as funnel_module
from tests.factories import ContactFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TODAY = Period.of(timezone.localdate().replace(day=1), timezone.localdate())


def both_ways(monkeypatch) -> list:
    """The funnel of this month, from the rollup and from the contacts."""
    found = []
    for from_rollup in (True, False):
        monkeypatch.setattr(funnel_module, "rollups_ready", lambda tz, r=from_rollup: r)
        found.append([funnel_report(period=TODAY, mode=mode).total.counts for mode in Mode])
    return found


def in_thread(target) -> threading.Thread:
    def run():
        try:
            target()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_fold_while_a_write_is_open_leaves_its_change_for_the_next_fold(monkeypatch):
    contact = ContactFactory()
    written, folded = threading.Event(), threading.Event()

    def engage():
        with transaction.atomic():
            leads.contact_engage(contact=Contact.objects.get(pk=contact.pk))
            written.set()
            assert folded.wait(timeout=20)

    writer = in_thread(engage)
    assert written.wait(timeout=20)
    rollups.rollups_fold()  # cannot see the open write's change: leaves it
    folded.set()
    writer.join(timeout=20)

    assert ReachedChange.objects.exists()
    with_rollup, counted = both_ways(monkeypatch)
    assert with_rollup == counted and counted[0]["lead"] == 1
    rollups.rollups_fold()
    assert not ReachedChange.objects.exists()
    assert both_ways(monkeypatch)[0] == counted


def test_writers_and_folds_at_once_give_the_figures_the_contacts_give(monkeypatch):
    contacts = ContactFactory.create_batch(40)
    start = threading.Barrier(5)

    def walk(mine):
        start.wait(timeout=20)
        for contact in mine:
            leads.contact_engage(contact=Contact.objects.get(pk=contact.pk))
            leads.contact_mark_mql(contact=Contact.objects.get(pk=contact.pk), by=None)

    def fold():
        start.wait(timeout=20)
        for _ in range(20):
            rollups.rollups_fold()

    threads = [in_thread(lambda m=contacts[i::4]: walk(m)) for i in range(4)]
    threads.append(in_thread(fold))
    for thread in threads:
        thread.join(timeout=60)

    with_rollup, counted = both_ways(monkeypatch)
    assert with_rollup == counted and counted[0]["mql"] == 40
