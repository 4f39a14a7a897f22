"""The rollups under concurrent writers and folds: nothing lost, nothing counted twice."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from leads import services as leads
from leads.models import Contact, TouchSource
from leads.touches import TouchIn, touches_record
from reporting import rollups
from reporting.models import ReachedChange
from reporting.periods import Period
from reporting.selectors import GroupBy, Mode, funnel_report
from reporting.selectors import funnel as funnel_module
from reporting.selectors.attribution import Attribution
from tests.factories import CampaignFactory, ContactFactory

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


def test_two_writers_of_one_contacts_touches_take_turns_and_both_are_credited(monkeypatch):
    """The second writer's trigger waits for the first to commit, then counts its touch
    against the touches the first left: each campaign keeps half of the lead."""
    first, second = CampaignFactory.create_batch(2)
    now = timezone.now()
    contact = ContactFactory(first_seen_at=now - timedelta(days=2))
    leads.contact_engage(contact=contact, at=now)
    written, go = threading.Event(), threading.Event()

    def touch(campaign, days_before):
        at = now - timedelta(days=days_before)
        return TouchIn(contact.pk, at, TouchSource.EVENT, campaign.pk)

    def hold_the_first():
        with transaction.atomic():
            touches_record([touch(first, 2)])
            written.set()
            assert go.wait(timeout=20)

    def write_the_second():
        assert written.wait(timeout=20)
        touches_record([touch(second, 1)])

    threads = [in_thread(hold_the_first), in_thread(write_the_second)]
    time.sleep(0.5)  # the second writer is queued behind the first's open transaction
    go.set()
    for thread in threads:
        thread.join(timeout=20)

    found = []
    for from_rollup in (True, False):
        monkeypatch.setattr(funnel_module, "rollups_ready", lambda tz, r=from_rollup: r)
        report = funnel_report(
            period=TODAY,
            mode=Mode.PERIOD,  # entered today: in this month whatever the day
            group_by=GroupBy.CAMPAIGN,
            attribution=Attribution.LINEAR,
        )
        found.append({g.label: float(g.counts["lead"]) for g in report.groups})
    assert found[0] == pytest.approx(found[1])
    assert found[0][first.name] == pytest.approx(0.5) == found[0][second.name]
