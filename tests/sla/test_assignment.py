"""New MQLs dealt round-robin (or left in the shared queue), skipping reps who are away;
recorded in the history; nothing lost when the broker is down."""

from datetime import timedelta
from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from leads import services as leads_services
from leads.models import Channel, Contact, Transition
from leads.stages import Move, Role
from sla import services, tasks
from sla.models import AssignmentMode, PendingAssignment
from sla.services import next_in_circle
from sla.sweep import sla_sweep
from tests.factories import CampaignFactory, UserFactory

from .conftest import MONDAY, make_mql, make_rule

pytestmark = pytest.mark.django_db


def deal(contact: Contact, now=MONDAY):
    services.mql_assign(contact_id=contact.pk, now=now)
    contact.refresh_from_db()
    return contact.owner


@pytest.fixture
def reps(db):
    return [UserFactory(username=f"rep-{n}", role=Role.SALES) for n in range(3)]


@pytest.mark.parametrize(
    ("circle", "after", "skip", "expected"),
    [
        ([1, 2, 3], None, None, 1),
        ([1, 2, 3], 1, None, 2),
        ([1, 2, 3], 3, None, 1),  # wraps round
        ([1, 2, 3], 1, 2, 3),  # never the one skipped
        ([1, 3], 2, None, 3),  # the cursor's rep left the circle
        ([2], 2, 2, None),  # nobody else
        ([], None, None, None),
    ],
)
def test_next_in_circle(circle, after, skip, expected):
    assert next_in_circle(circle, after=after, skip=skip) == expected


def test_round_robin_deals_mqls_to_each_rep_in_turn(reps):
    make_rule()
    owners = [deal(make_mql()) for _ in range(4)]
    assert owners == [reps[0], reps[1], reps[2], reps[0]]


def test_assignment_is_in_the_history_as_a_system_move(reps):
    make_rule(name="Everyone")
    contact = make_mql()
    deal(contact)
    assign = contact.transitions.get(move=Move.ASSIGN)
    assert assign.actor is None
    assert assign.data["owner"] == reps[0].pk
    assert "Everyone" in assign.reason


def test_reps_marked_away_are_skipped_until_they_are_back(reps):
    make_rule()
    services.rep_set_availability(
        rep=reps[0], by=reps[0], away=True, away_until=MONDAY + timedelta(days=7)
    )
    assert deal(make_mql()) == reps[1]
    assert deal(make_mql()) == reps[2]
    assert deal(make_mql()) == reps[1]
    assert deal(make_mql(), now=MONDAY + timedelta(days=8)) == reps[2]
    assert deal(make_mql(), now=MONDAY + timedelta(days=8)) == reps[0]


def test_with_everyone_away_the_mql_waits_in_the_shared_queue(reps):
    make_rule()
    for rep in reps:
        services.rep_set_availability(rep=rep, by=rep, away=True)
    assert deal(make_mql()) is None


def test_rules_by_country_and_channel_pick_their_own_reps(reps):
    make_rule(name="France", priority=1, country="FR", reps=[reps[2]])
    make_rule(name="Webinars", priority=2, channel=Channel.WEBINAR, reps=[reps[1]])
    make_rule(name="Everyone else", priority=3, reps=[reps[0]])
    webinar = CampaignFactory(channel=Channel.WEBINAR)
    assert deal(make_mql(country="FR", campaign=webinar)) == reps[2]
    assert deal(make_mql(country="DE", campaign=webinar)) == reps[1]
    assert deal(make_mql(country="DE")) == reps[0]


def test_a_shared_queue_rule_leaves_the_mql_for_reps_to_claim(reps):
    make_rule(name="Germany: queue", priority=1, country="DE", mode=AssignmentMode.QUEUE)
    make_rule(name="Everyone", priority=2)
    assert deal(make_mql(country="DE")) is None
    assert deal(make_mql(country="FR")) == reps[0]


def test_without_a_round_robin_rule_mqls_go_to_the_shared_queue_with_no_task(reps):
    make_rule(mode=AssignmentMode.QUEUE)
    make_mql()
    assert not PendingAssignment.objects.exists()


def test_assignment_runs_once_however_often_the_task_is_delivered(reps):
    make_rule()
    contact = make_mql()
    tasks.assign_mql(contact.pk)
    tasks.assign_mql(contact.pk)
    assert contact.transitions.filter(move=Move.ASSIGN).count() == 1


def test_an_mql_claimed_before_the_task_runs_keeps_its_claimant(reps):
    make_rule()
    contact = make_mql()
    leads_services.contact_claim(contact=contact, by=reps[2])
    assert deal(contact) == reps[2]


def test_new_mql_is_enqueued_for_assignment_after_commit(reps, django_capture_on_commit_callbacks):
    make_rule()
    with (
        mock.patch.object(tasks.assign_mql, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        contact = make_mql()
    delay.assert_called_once_with(contact.pk)


def test_with_the_broker_down_the_sweep_assigns_the_mql(reps, django_capture_on_commit_callbacks):
    make_rule()
    refused = OperationalError("Connection refused")
    with (
        mock.patch.object(tasks.assign_mql, "delay", side_effect=refused),
        django_capture_on_commit_callbacks(execute=True),
    ):
        contact = make_mql()
    contact.refresh_from_db()
    assert contact.owner is None
    assert sla_sweep(now=MONDAY).assigned == 1
    contact.refresh_from_db()
    assert contact.owner == reps[0]
    assert not PendingAssignment.objects.exists()


def test_two_rules_keep_their_own_round_robin_cursor(reps):
    make_rule(name="France", priority=1, country="FR", reps=reps[:2])
    make_rule(name="Everyone", priority=2, reps=reps[:2])
    assert deal(make_mql(country="FR")) == reps[0]
    assert deal(make_mql(country="DE")) == reps[0]
    assert deal(make_mql(country="FR")) == reps[1]
    assert Transition.objects.filter(move=Move.ASSIGN).count() == 3
