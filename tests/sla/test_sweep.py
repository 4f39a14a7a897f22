"""The checker: one breach per missed deadline, the rep and managers told once, the
policy's action taken, nothing breached that was handled in time."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core import mail as outbox
from django.db import transaction

from leads import services as leads_services
from leads.models import Transition
from leads.stages import Move, Role
from sla import mail, services, tasks
from sla.models import Breach, BreachAction, Clock, ClockKind, Notification, NotificationKind
from sla.signals import breaches_recorded
from sla.sweep import sla_sweep
from tests.factories import UserFactory
from tests.utils import receiving

from .conftest import MONDAY, make_mql, make_policy, make_rule

pytestmark = pytest.mark.django_db

DUE = MONDAY + timedelta(hours=48)


def test_an_mql_accepted_after_47_hours_is_no_breach(mql_policy, rep, manager):
    contact = make_mql(owner=rep)
    leads_services.contact_accept(contact=contact, by=rep, at=MONDAY + timedelta(hours=47))
    assert sla_sweep(now=DUE + timedelta(hours=1)).breaches == 0
    assert not Breach.objects.exists()


def test_an_mql_left_untouched_breaches_once_after_48_hours(mql_policy, rep, manager):
    contact = make_mql(owner=rep)
    assert sla_sweep(now=DUE - timedelta(seconds=1)).breaches == 0
    assert sla_sweep(now=DUE).breaches == 1
    assert sla_sweep(now=DUE + timedelta(minutes=1)).breaches == 0
    breach = Breach.objects.get()
    assert (breach.contact, breach.owner, breach.due_at) == (contact, rep, DUE)
    assert (breach.breached_at, breach.action, breach.resolved_at) == (DUE, "notify", None)


def test_the_rep_and_every_manager_are_notified_once(mql_policy, rep, manager):
    other_manager = UserFactory(username="manager2", role=Role.MANAGERS)
    make_mql(owner=rep)
    sla_sweep(now=DUE)
    sla_sweep(now=DUE + timedelta(minutes=1))
    told = Notification.objects.values_list("user", "kind")
    assert sorted(told) == sorted(
        [(u.pk, NotificationKind.BREACH) for u in (rep, manager, other_manager)]
    )


def test_a_notified_breach_leaves_the_contact_overdue_in_its_reps_queue(mql_policy, rep):
    contact = make_mql(owner=rep)
    sla_sweep(now=DUE)
    contact.refresh_from_db()
    assert (contact.owner, contact.sla_due_at) == (rep, DUE)


def test_a_clock_stopped_before_the_sweep_is_no_breach_even_when_swept_late(mql_policy, rep):
    contact = make_mql(owner=rep)
    leads_services.contact_reject(
        contact=contact, by=rep, reason="Bad fit", at=MONDAY + timedelta(hours=60)
    )
    assert sla_sweep(now=MONDAY + timedelta(hours=61)).breaches == 0


def test_breaches_are_announced_in_the_sweeps_transaction_once_each(mql_policy, rep):
    first, second = make_mql(owner=rep), make_mql(owner=rep)
    with receiving(breaches_recorded) as sent:
        with pytest.raises(RuntimeError), transaction.atomic():
            sla_sweep(now=DUE)
            raise RuntimeError("the sweep's work rolls back")  # and what receivers wrote
        assert not Breach.objects.exists()
        sla_sweep(now=DUE)
        sla_sweep(now=DUE + timedelta(minutes=1))
    breaches = dict(Breach.objects.values_list("contact_id", "pk"))
    assert len(sent) == 2  # the batch rolled back, then the one that stayed
    assert sorted(sent[-1]["breaches"]) == sorted(
        [(breaches[first.pk], first.pk), (breaches[second.pk], second.pk)]
    )


def test_the_sweep_works_through_many_batches(mql_policy, rep):
    for _ in range(7):
        make_mql(owner=rep)
    assert sla_sweep(now=DUE, batch=3).breaches == 7
    assert Clock.objects.due(DUE).count() == 0


def test_reassign_hands_the_mql_to_the_next_rep_with_a_fresh_deadline(
    reassigning_policy, rep, other_rep, manager
):
    make_rule()
    contact = make_mql(owner=rep)
    sla_sweep(now=DUE)
    contact.refresh_from_db()
    assert contact.owner == other_rep
    assert contact.sla_due_at == DUE + timedelta(hours=48)
    breach = Breach.objects.get()
    assert (breach.owner, breach.handed_to, breach.action) == (rep, other_rep, "reassign")
    handover = contact.transitions.filter(move=Move.ASSIGN).last()
    assert (handover.actor, handover.at, handover.data["previous_owner"]) == (None, DUE, rep.pk)
    assert Notification.objects.filter(user=other_rep, kind=NotificationKind.HANDED_OVER).exists()


def test_reassign_chain_goes_round_the_available_reps(reassigning_policy, rep, other_rep):
    third = UserFactory(username="rep3", role=Role.SALES)
    away = UserFactory(username="rep4", role=Role.SALES)
    services.rep_set_availability(rep=away, by=away, away=True)
    contact = make_mql(owner=rep)
    owners, now = [], DUE
    for _ in range(4):
        sla_sweep(now=now)
        contact.refresh_from_db()
        owners.append(contact.owner)
        now = contact.sla_due_at
    assert owners == [other_rep, third, rep, other_rep]
    assert Breach.objects.count() == 4
    assert Clock.objects.running().filter(contact=contact).count() == 1


def test_a_reassigned_mql_accepted_in_time_by_its_new_rep_resolves_every_breach(
    reassigning_policy, rep, other_rep
):
    contact = make_mql(owner=rep)
    sla_sweep(now=DUE)
    leads_services.contact_accept(contact=contact, by=other_rep, at=DUE + timedelta(hours=3))
    assert sla_sweep(now=DUE + timedelta(days=5)).breaches == 0
    assert Breach.objects.get().resolved_at == DUE + timedelta(hours=3)


def test_reassign_with_nobody_else_returns_the_mql_to_the_shared_queue(reassigning_policy, rep):
    contact = make_mql(owner=rep)
    sla_sweep(now=DUE)
    contact.refresh_from_db()
    assert contact.owner is None
    assert contact.sla_due_at == DUE + timedelta(hours=48)


@pytest.fixture
def sales_manager(db):
    """A manager who may also own contacts (in both groups)."""
    user = UserFactory(username="head-of-sales", role=Role.MANAGERS)
    user.groups.add(Group.objects.get(name=Role.SALES))
    return user


def test_escalate_hands_the_mql_to_the_escalation_manager(rep, sales_manager):
    make_policy(action=BreachAction.ESCALATE, escalate_to=sales_manager)
    contact = make_mql(owner=rep)
    sla_sweep(now=DUE)
    contact.refresh_from_db()
    assert contact.owner == sales_manager
    # A hand-off of their own, due 48 h after the escalation; the miss stays the rep's.
    assert contact.sla_due_at == DUE + timedelta(hours=48)
    assert Breach.objects.get().handed_to == sales_manager
    missed, escalated = Clock.objects.filter(contact=contact).order_by("started_at")
    assert (missed.owner, missed.stopped_at, missed.acted_at) == (rep, DUE, None)
    assert (escalated.owner, escalated.due_at) == (sales_manager, DUE + timedelta(hours=48))


def test_a_hand_over_that_fails_is_recorded_as_a_notification(rep, sales_manager):
    make_policy(action=BreachAction.ESCALATE, escalate_to=sales_manager)
    sales_manager.groups.remove(Group.objects.get(name=Role.SALES))  # left sales since
    contact = make_mql(owner=rep)
    assert sla_sweep(now=DUE).breaches == 1
    contact.refresh_from_db()
    assert contact.owner == rep
    assert Breach.objects.get().action == BreachAction.NOTIFY


def test_first_touch_breaches_after_an_hour_while_the_answer_clock_runs(rep):
    make_policy(ClockKind.FIRST_TOUCH, 1)
    make_policy(ClockKind.MQL_RESPONSE, 48)
    make_mql(owner=rep)
    sla_sweep(now=MONDAY + timedelta(hours=2))
    assert list(Breach.objects.values_list("kind", flat=True)) == [ClockKind.FIRST_TOUCH]


def test_an_unassigned_mql_breach_tells_the_managers(mql_policy, manager):
    make_mql()
    sla_sweep(now=DUE)
    assert list(Notification.objects.values_list("user", flat=True)) == [manager.pk]
    assert Breach.objects.get().owner is None


# --- E-mail ----------------------------------------------------------------------------


def test_each_recipient_gets_one_digest_per_sweep_and_never_twice(mql_policy, rep, manager):
    for _ in range(3):
        make_mql(owner=rep)
    sla_sweep(now=DUE)
    assert mail.notifications_mail(now=DUE) == 2
    assert mail.notifications_mail(now=DUE) == 0
    assert sorted(m.to[0] for m in outbox.outbox) == [manager.email, rep.email]
    assert "3 SLA notifications" in outbox.outbox[0].subject


def test_a_failed_digest_is_released_and_sent_by_the_next_run(mql_policy, rep):
    make_mql(owner=rep)
    sla_sweep(now=DUE)
    with mock.patch("sla.mail.send_mail", side_effect=OSError("SMTP down")):
        assert mail.notifications_mail(now=DUE) == 0
    assert mail.notifications_mail(now=DUE + timedelta(minutes=1)) == 1
    assert len(outbox.outbox) == 1


def test_the_beat_task_enqueues_the_digests_when_notifications_wait(mql_policy, rep):
    make_mql(owner=rep, at=MONDAY - timedelta(days=30))
    with mock.patch.object(tasks.send_sla_emails, "delay") as delay:
        tasks.sla_sweep()
    delay.assert_called_once_with()
    assert Breach.objects.count() == 1


def test_the_history_of_a_reassigned_mql_tells_the_whole_story(reassigning_policy, rep, other_rep):
    contact = make_mql(owner=rep)
    sla_sweep(now=DUE)
    moves = list(
        Transition.objects.filter(contact=contact).values_list("move", "actor", "data__owner")
    )
    assert moves == [
        (Move.MARK_MQL, None, None),
        (Move.ASSIGN, None, rep.pk),
        (Move.ASSIGN, None, other_rep.pk),
    ]
