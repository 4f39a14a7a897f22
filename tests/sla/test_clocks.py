"""Clocks follow every move: started on entering a watched stage, stopped on leaving it,
in the same transaction as the move; ``Contact.sla_due_at`` is the earliest running one."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from leads import services as leads_services
from leads.stages import Stage
from sla import services
from sla.models import Breach, Clock, ClockKind
from tests.factories import ContactFactory
from tests.utils import receiving

from .conftest import MONDAY, make_mql, make_policy

pytestmark = pytest.mark.django_db


def running_kinds(contact) -> set[str]:
    return set(Clock.objects.running().filter(contact=contact).values_list("kind", flat=True))


@pytest.fixture
def every_clock(db):
    return {
        ClockKind.MQL_RESPONSE: make_policy(ClockKind.MQL_RESPONSE, 48),
        ClockKind.FIRST_TOUCH: make_policy(ClockKind.FIRST_TOUCH, 1),
        ClockKind.SQL_DECISION: make_policy(ClockKind.SQL_DECISION, 24 * 14),
    }


def test_becoming_an_mql_starts_its_clocks_from_the_move_time(every_clock):
    contact = make_mql(at=MONDAY)
    clocks = {c.kind: c for c in Clock.objects.filter(contact=contact)}
    assert set(clocks) == {ClockKind.MQL_RESPONSE, ClockKind.FIRST_TOUCH}
    assert clocks[ClockKind.MQL_RESPONSE].due_at == MONDAY + timedelta(hours=48)
    contact.refresh_from_db()
    assert contact.sla_due_at == MONDAY + timedelta(hours=1)  # the earliest running


def test_the_returned_contact_carries_its_new_deadline(every_clock, rep):
    contact = make_mql(owner=rep)
    accepted = leads_services.contact_accept(contact=contact, by=rep, at=MONDAY)
    assert accepted.sla_due_at == MONDAY + timedelta(days=14)


@pytest.mark.parametrize(
    ("move", "still_running"),
    [
        (lambda c, rep: leads_services.contact_accept(contact=c, by=rep), {"sql_decision"}),
        (lambda c, rep: leads_services.contact_reject(contact=c, by=rep, reason="Bad fit"), set()),
        (
            lambda c, rep: leads_services.contact_reject(
                contact=c, by=rep, reason="Competitor", recycle=False
            ),
            set(),
        ),
        (
            lambda c, rep: leads_services.contact_assign(contact=c, by=None, owner=None),
            {"mql_response", "first_touch"},
        ),
    ],
    ids=["accept", "reject-recycle", "reject-disqualify", "assign"],
)
def test_moves_from_mql_stop_and_start_the_right_clocks(every_clock, rep, move, still_running):
    contact = make_mql(owner=rep)
    move(contact, rep)
    assert running_kinds(contact) == still_running


def test_claiming_from_the_shared_queue_is_the_first_touch(every_clock, rep):
    contact = make_mql()
    leads_services.contact_claim(contact=contact, by=rep)
    assert running_kinds(contact) == {"mql_response"}


def test_leaving_sql_stops_its_clock_and_clears_the_deadline(every_clock, rep):
    contact = make_mql(owner=rep)
    leads_services.contact_accept(contact=contact, by=rep)
    leads_services.contact_qualify(
        contact=contact, by=rep, budget=Decimal(5000), currency="EUR", close_by=date(2026, 6, 1)
    )
    assert running_kinds(contact) == set()
    contact.refresh_from_db()
    assert contact.sla_due_at is None


def test_losing_an_sql_stops_its_clock(every_clock, rep):
    contact = ContactFactory(stage=Stage.LEAD, owner=rep)
    leads_services.contact_fast_track(contact=contact, by=rep, reason="Demo request")
    assert running_kinds(contact) == {"sql_decision"}
    leads_services.contact_lose(contact=contact, by=rep, reason="No budget")
    assert running_kinds(contact) == set()


def test_a_recycled_mql_marked_again_gets_fresh_clocks(every_clock, rep):
    contact = make_mql(owner=rep, at=MONDAY)
    leads_services.contact_reject(contact=contact, by=rep, reason="Too early")
    later = MONDAY + timedelta(days=30)
    leads_services.contact_mark_mql(contact=contact, by=None, at=later)
    running = Clock.objects.running().get(contact=contact, kind=ClockKind.MQL_RESPONSE)
    assert running.started_at == later
    assert Clock.objects.filter(contact=contact, kind=ClockKind.MQL_RESPONSE).count() == 2


def test_without_a_policy_no_clock_runs():
    contact = make_mql()
    assert not Clock.objects.exists()
    contact.refresh_from_db()
    assert contact.sla_due_at is None


def test_an_inactive_policy_starts_no_clock(db):
    make_policy(active=False)
    make_mql()
    assert not Clock.objects.exists()


def test_a_move_that_fails_later_in_its_transaction_leaves_no_clock(mql_policy):
    from leads import signals

    contact = ContactFactory(stage=Stage.LEAD)
    failing = receiving(signals.transitions_recorded, raising=RuntimeError("webhook outbox down"))
    with failing, pytest.raises(RuntimeError):
        leads_services.contact_mark_mql(contact=contact, by=None)
    assert not Clock.objects.exists()


def test_business_hours_policy_sets_a_working_time_deadline(db):
    make_policy(
        hours=2, business_hours=True, time_zone="UTC", work_days=[0, 1, 2, 3, 4], end_hour=18
    )
    friday_five_pm = MONDAY + timedelta(days=4, hours=8)
    contact = make_mql(at=friday_five_pm)
    contact.refresh_from_db()
    assert contact.sla_due_at == MONDAY + timedelta(days=7, hours=1)  # Monday 10:00


def test_leaving_the_stage_resolves_its_breaches(mql_policy, rep):
    from sla.sweep import sla_sweep

    contact = make_mql(owner=rep, at=MONDAY)
    sla_sweep(now=MONDAY + timedelta(hours=49))
    accepted_at = MONDAY + timedelta(hours=50)
    leads_services.contact_accept(contact=contact, by=rep, at=accepted_at)
    assert Breach.objects.get(contact=contact).resolved_at == accepted_at


def test_erasing_a_contact_stops_its_clocks(mql_policy, manager):
    contact = make_mql()
    leads_services.contact_erase(contact=contact, by=manager)
    assert running_kinds(contact) == set()


def test_switching_a_policy_off_stops_its_clocks_and_deadlines(mql_policy):
    contact = make_mql()
    services.policy_update(policy=mql_policy, by=None, active=False)
    assert running_kinds(contact) == set()
    contact.refresh_from_db()
    assert contact.sla_due_at is None


def test_a_policy_that_ran_clocks_cannot_change_its_clock(mql_policy):
    from django.core.exceptions import ValidationError

    make_mql()
    with pytest.raises(ValidationError) as refused:
        services.policy_update(policy=mql_policy, by=None, clock=ClockKind.SQL_DECISION)
    assert "clock" in refused.value.message_dict


def test_a_bulk_promotion_gives_each_contact_its_own_clock_deadline_and_queue_place(rep):
    from leads.models import Contact
    from leads.stages import Move
    from sla.models import PendingAssignment

    from .conftest import make_rule

    make_policy(hours=48)
    make_rule(reps=[rep])  # round-robin in use: new MQLs wait for the assignment task
    leads = ContactFactory.create_batch(3, stage=Stage.LEAD)
    when = {c.pk: MONDAY + timedelta(hours=n) for n, c in enumerate(leads)}
    leads_services.contacts_move_bulk(move=Move.MARK_MQL, at_by_id=when, reason="Score")
    clocks = dict(Clock.objects.values_list("contact_id", "due_at"))
    assert clocks == {pk: at + timedelta(hours=48) for pk, at in when.items()}
    assert dict(Contact.objects.filter(pk__in=when).values_list("pk", "sla_due_at")) == clocks
    assert set(PendingAssignment.objects.values_list("contact_id", flat=True)) == set(when)
