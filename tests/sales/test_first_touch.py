"""A policy whose clock stops on the first touch: an outbound call, e-mail or meeting (or an
accept or reject) answers it; attempts before an "unreachable" rejection."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leads import services as leads_services
from leads.models import Contact
from sales import services
from sales.models import SalesActivity
from sla.models import Clock, ClockKind, StopsOn
from sla.verdicts import verdict
from tests.factories import ContactFactory
from tests.sla.conftest import make_mql, make_policy

pytestmark = pytest.mark.django_db


def log(rep, contact, at, **fields):
    fields = {"kind": "call", "direction": "outbound", "outcome": "no_answer", **fields}
    return services.activities_log(
        by=rep, entries=[{"contact": contact, **fields, "occurred_at": at}]
    )


def test_the_first_outbound_touch_answers_a_first_touch_clock(rep):
    make_policy(hours=1, stops_on=StopsOn.FIRST_TOUCH, name="Call within the hour")
    handed = timezone.now() - timedelta(hours=3)
    contact = make_mql(owner=rep, at=handed)
    assert Contact.objects.get(pk=contact.pk).sla_due_at == handed + timedelta(hours=1)
    log(rep, contact, handed + timedelta(minutes=20), kind="note", direction="", outcome="")
    log(rep, contact, handed + timedelta(minutes=40), direction="inbound")
    assert Clock.objects.get().stopped_at is None  # a note and an inbound call are no touch
    log(rep, contact, handed + timedelta(minutes=50))
    log(rep, contact, handed + timedelta(minutes=90))  # a later touch changes nothing
    clock = Clock.objects.get()
    assert clock.acted_at == clock.stopped_at == handed + timedelta(minutes=50)
    judged = verdict(
        due_at=clock.due_at, acted_at=clock.acted_at, stopped_at=clock.stopped_at, now=handed
    )
    assert judged == "in_time"
    assert Contact.objects.get(pk=contact.pk).sla_due_at is None


def test_the_touch_that_answered_a_clock_stays_as_the_record(api, rep):
    make_policy(hours=1, stops_on=StopsOn.FIRST_TOUCH)
    handed = timezone.now() - timedelta(hours=3)
    contact = make_mql(owner=rep, at=handed)
    (call,), _ = log(rep, contact, handed + timedelta(minutes=20))
    client, url = api.as_user(rep), f"/api/v1/activities/{call.pk}/"
    deleted = client.delete(url)
    assert deleted.status_code == 409
    assert "answered the SLA clock" in deleted.json()["detail"]
    moved = client.patch(url, {"occurred_at": (handed + timedelta(hours=2)).isoformat()})
    assert moved.status_code == 409
    assert client.patch(url, {"direction": "inbound"}).status_code == 409
    assert (
        client.patch(url, {"subject": "Left a message", "outcome": "voicemail"}).status_code == 200
    )
    clock = Clock.objects.get()
    assert clock.acted_at == handed + timedelta(minutes=20)  # the clock keeps its answer
    assert SalesActivity.objects.get(pk=call.pk).occurred_at == clock.acted_at


def test_a_touch_that_answered_nothing_may_go(api, rep):
    make_policy(hours=1, stops_on=StopsOn.FIRST_TOUCH)
    handed = timezone.now() - timedelta(hours=3)
    contact = make_mql(owner=rep, at=handed)
    log(rep, contact, handed + timedelta(minutes=20))
    (later,), _ = log(rep, contact, handed + timedelta(minutes=50))
    assert api.as_user(rep).delete(f"/api/v1/activities/{later.pk}/").status_code == 204


def test_a_touch_does_not_answer_a_first_action_clock(rep):
    make_policy(hours=48)  # stops_on defaults to the first action
    contact = make_mql(owner=rep, at=timezone.now() - timedelta(hours=1))
    log(rep, contact, timezone.now())
    assert Clock.objects.get().stopped_at is None
    assert Contact.objects.get(pk=contact.pk).sla_due_at is not None


def test_a_claim_does_not_answer_a_first_touch_clock_but_makes_it_the_reps(rep):
    make_policy(ClockKind.FIRST_TOUCH, hours=1, stops_on=StopsOn.FIRST_TOUCH)
    contact = make_mql(at=timezone.now() - timedelta(minutes=10))
    leads_services.contact_claim(contact=contact, by=rep)
    clock = Clock.objects.get()
    assert (clock.stopped_at, clock.owner_id) == (None, rep.pk)
    log(rep, contact, timezone.now())
    assert Clock.objects.get().acted_at is not None


def test_an_accept_still_answers_a_first_touch_clock(rep):
    make_policy(hours=1, stops_on=StopsOn.FIRST_TOUCH)
    contact = make_mql(owner=rep, at=timezone.now() - timedelta(minutes=10))
    leads_services.contact_accept(contact=contact, by=rep)
    assert Clock.objects.get().acted_at is not None


def test_a_touch_before_the_hand_off_does_not_answer_the_new_clock(rep, other_rep, manager):
    make_policy(hours=4, stops_on=StopsOn.FIRST_TOUCH)
    start = timezone.now() - timedelta(hours=2)
    contact = make_mql(owner=rep, at=start)
    leads_services.contact_assign(contact=contact, by=manager, owner=other_rep)
    # The first rep's call, logged late, is dated before the new hand-off.
    services.activities_log(
        by=manager,
        entries=[
            {
                "contact": contact,
                "kind": "call",
                "direction": "outbound",
                "owner": rep,
                "occurred_at": start + timedelta(minutes=5),
            }
        ],
    )
    first, second = Clock.objects.order_by("started_at")
    assert first.acted_at == start + timedelta(minutes=5)
    assert second.stopped_at is None and second.owner == other_rep


def test_an_sql_decision_clock_cannot_stop_on_a_touch():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        make_policy(ClockKind.SQL_DECISION, stops_on=StopsOn.FIRST_TOUCH)
    assert "stops_on" in error.value.message_dict


def test_unreachable_needs_the_policys_attempts_over_its_days(api, rep):
    make_policy(unreachable_attempts=3, unreachable_days=2)
    start = timezone.now() - timedelta(days=5)
    contact = make_mql(owner=rep, at=start)
    url = f"/api/v1/contacts/{contact.pk}/reject/"
    client = api.as_user(rep)
    log(rep, contact, start + timedelta(hours=1))
    log(rep, contact, start + timedelta(hours=2))
    refused = client.post(url, {"reason": "Unreachable"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["attempts"] == 2 and refused.json()["required_attempts"] == 3
    log(rep, contact, start + timedelta(hours=3))
    too_soon = client.post(url, {"reason": "Unreachable"}, format="json")
    assert too_soon.status_code == 409 and too_soon.json()["required_days"] == 2
    assert Contact.objects.get(pk=contact.pk).stage == "mql"
    assert client.post(url, {"reason": "Bad fit"}, format="json").status_code == 200


def test_unreachable_after_enough_attempts_is_accepted(api, rep):
    make_policy(unreachable_attempts=2, unreachable_days=1)
    start = timezone.now() - timedelta(days=3)
    contact = make_mql(owner=rep, at=start)
    log(rep, contact, start + timedelta(hours=1))
    log(rep, contact, start + timedelta(days=2))
    answer = api.as_user(rep).post(
        f"/api/v1/contacts/{contact.pk}/reject/", {"reason": "unreachable"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["stage"] == "recycled"


def test_an_activity_cannot_be_logged_on_an_erased_contact(rep, manager):
    from django.core.exceptions import PermissionDenied

    contact = ContactFactory(owner=rep)
    leads_services.contact_erase(contact=contact, by=manager)
    with pytest.raises(PermissionDenied):
        log(rep, Contact.objects.get(pk=contact.pk), timezone.now())
