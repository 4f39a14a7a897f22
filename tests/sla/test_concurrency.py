"""Real concurrency on PostgreSQL: overlapping sweeps and simultaneous assignments."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection

from leads.stages import Role
from sla import selectors, services, sweep
from sla.models import Breach, Notification
from tests.factories import UserFactory

from .conftest import MONDAY, make_mql, make_rule

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DUE = MONDAY + timedelta(hours=48)


def in_thread(target, name: str = ""):
    """Run ``target()`` in a thread with its own database connection; returns the thread
    and a list that receives its result."""
    result: list = []

    def run():
        try:
            result.append(target())
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name or None)
    thread.start()
    return thread, result


def test_two_overlapping_sweeps_record_one_breach_per_clock(mql_policy, rep, manager):
    for _ in range(5):
        make_mql(owner=rep)
    first_holds_its_clocks, second_done = threading.Event(), threading.Event()
    record = sweep._run

    def record_slowly(*args, **kwargs):
        # The first sweep, having claimed every due clock, waits for the second to run.
        first_holds_its_clocks.set()
        second_done.wait(timeout=10)
        return record(*args, **kwargs)

    with mock.patch.object(sweep, "_run", record_slowly):
        first, first_report = in_thread(lambda: sweep.sla_sweep(now=DUE))
        assert first_holds_its_clocks.wait(timeout=10)
        second, second_report = in_thread(lambda: sweep.sla_sweep(now=DUE))
        second.join(timeout=10)
        second_done.set()
        first.join(timeout=10)

    assert [first_report[0].breaches, second_report[0].breaches] == [5, 0]
    assert Breach.objects.count() == 5
    assert Notification.objects.count() == 10  # the rep and the manager, once per breach


def _wait_until_someone_waits_for_a_lock() -> None:
    with connection.cursor() as cursor:
        for _ in range(1000):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
    raise AssertionError("the second assignment never waited for the rule's lock")


def test_two_mqls_assigned_at_the_same_moment_go_to_two_reps(rep, other_rep):
    make_rule(reps=[rep, other_rep])
    first_mql, second_mql = make_mql(), make_mql()
    first_has_the_rule, release = threading.Event(), threading.Event()
    circle = selectors.available_rep_ids

    def circle_slowly(rule, now):
        if threading.current_thread().name == "first":
            first_has_the_rule.set()
            release.wait(timeout=10)
        return circle(rule, now)

    with mock.patch.object(selectors, "available_rep_ids", circle_slowly):
        first, _ = in_thread(
            lambda: services.mql_assign(contact_id=first_mql.pk, now=MONDAY), name="first"
        )
        assert first_has_the_rule.wait(timeout=10)
        second, _ = in_thread(lambda: services.mql_assign(contact_id=second_mql.pk, now=MONDAY))
        _wait_until_someone_waits_for_a_lock()
        release.set()
        first.join(timeout=10)
        second.join(timeout=10)

    first_mql.refresh_from_db()
    second_mql.refresh_from_db()
    assert {first_mql.owner, second_mql.owner} == {rep, other_rep}


def test_a_claim_racing_the_assignment_task_keeps_one_owner(rep, other_rep):
    """The task locks the contact before choosing a rep: a claim committed first wins."""
    from leads import services as leads_services

    make_rule(reps=[rep])
    contact = make_mql()
    third = UserFactory(username="rep3", role=Role.SALES)
    leads_services.contact_claim(contact=contact, by=third)
    services.mql_assign(contact_id=contact.pk, now=MONDAY)
    contact.refresh_from_db()
    assert contact.owner == third
