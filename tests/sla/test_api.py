"""The SLA endpoints: who may read and write what, the breach list, availability, inbox,
and the contact list's deadline filters behaving with real clocks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sla import services
from sla.models import Breach, ClockKind, Notification, SlaPolicy
from sla.selectors import mql_sla_hours
from sla.sweep import sla_sweep

from .conftest import MONDAY, make_mql, make_policy

pytestmark = pytest.mark.django_db

POLICIES = "/api/v1/sla/policies/"
BREACHES = "/api/v1/sla/breaches/"
AVAILABILITY = "/api/v1/sla/availability/"
NOTIFICATIONS = "/api/v1/sla/notifications/"

A_POLICY = {"name": "MQL in 2 days", "clock": "mql_response", "hours": "48", "action": "reassign"}


@pytest.mark.parametrize(("user", "status"), [("manager", 201), ("rep", 403), ("marketer", 403)])
def test_only_managers_create_policies(api, request, user, status):
    response = api.as_user(request.getfixturevalue(user)).post(POLICIES, A_POLICY)
    assert response.status_code == status
    assert SlaPolicy.objects.count() == (status == 201)


def test_every_role_reads_the_policies_with_their_stage(api, rep, mql_policy):
    body = api.as_user(rep).get(POLICIES).json()
    assert [(p["clock"], p["stage"], p["hours"]) for p in body["results"]] == [
        ("mql_response", "mql", "48.00")
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hours": "0"}, "hours"),
        ({"clock": "forever"}, "clock"),
        ({"business_hours": True, "work_days": []}, "work_days"),
        ({"business_hours": True, "work_days": [7]}, "work_days"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"start_hour": 18, "end_hour": 9}, "__all__"),
        ({"action": "escalate"}, "escalate_to"),
    ],
)
def test_a_bad_policy_is_a_400_naming_the_field(api, manager, change, field):
    response = api.as_user(manager).post(POLICIES, {**A_POLICY, **change})
    assert response.status_code == 400
    assert field in response.json() or "non_field_errors" in response.json()
    assert not SlaPolicy.objects.exists()


def test_a_second_active_policy_on_the_same_clock_is_refused(api, manager, mql_policy):
    response = api.as_user(manager).post(POLICIES, A_POLICY)
    assert response.status_code == 409  # taken: a conflict with the stored policies
    assert "Another active policy" in str(response.json())


def test_switching_a_policy_off_through_the_api_stops_its_clocks(api, manager, mql_policy):
    contact = make_mql()
    response = api.as_user(manager).patch(f"{POLICIES}{mql_policy.pk}/", {"active": False})
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.sla_due_at is None


def test_a_policy_that_ran_clocks_cannot_be_deleted(api, manager, mql_policy):
    make_mql()
    assert api.as_user(manager).delete(f"{POLICIES}{mql_policy.pk}/").status_code == 409


@pytest.fixture
def breaches(mql_policy, rep, other_rep):
    mine, theirs = make_mql(owner=rep), make_mql(owner=other_rep)
    sla_sweep(now=MONDAY + timedelta(hours=48))
    return mine, theirs


def test_a_rep_sees_only_the_breaches_on_their_watch(api, rep, breaches):
    body = api.as_user(rep).get(BREACHES).json()
    assert [b["contact"] for b in body["results"]] == [breaches[0].pk]


def test_breach_records_carry_due_breached_resolved_and_action(api, manager, rep, breaches):
    body = api.as_user(manager).get(f"{BREACHES}?owner={rep.pk}").json()
    (breach,) = body["results"]
    assert breach["due"].startswith("2026-03-04T09:00:00")
    assert breach["breached_at"] == breach["due"]
    assert (breach["resolved_at"], breach["action"], breach["owner"]) == (None, "notify", rep.pk)


def test_breaches_filter_by_resolution(api, manager, rep, breaches):
    from leads import services as leads_services

    leads_services.contact_accept(contact=breaches[0], by=rep)
    unresolved = api.as_user(manager).get(f"{BREACHES}?resolved=false").json()["results"]
    assert [b["contact"] for b in unresolved] == [breaches[1].pk]


def test_a_manager_marks_a_rep_away_and_a_rep_only_themselves(api, manager, rep, other_rep):
    back = (timezone.now() + timedelta(days=7)).isoformat()
    url = f"{AVAILABILITY}{rep.pk}/"
    response = api.as_user(manager).put(url, {"away": True, "away_until": back, "note": "Leave"})
    assert response.status_code == 200
    assert response.json()["away"] is True
    assert api.as_user(rep).patch(url, {"away": False}).json()["away_until"] is None
    assert (
        api.as_user(rep).patch(f"{AVAILABILITY}{other_rep.pk}/", {"away": True}).status_code == 404
    )
    listed = api.as_user(rep).get(AVAILABILITY).json()["results"]
    assert [r["rep"] for r in listed] == [rep.pk]


def test_the_inbox_lists_my_notifications_and_marks_them_read(api, rep, manager, breaches):
    inbox = api.as_user(rep).get(f"{NOTIFICATIONS}?unread=true").json()["results"]
    assert [n["contact"] for n in inbox] == [breaches[0].pk]
    assert "missed" in inbox[0]["text"]
    read = api.as_user(rep).post(f"{NOTIFICATIONS}{inbox[0]['id']}/read/")
    assert read.json()["read_at"] is not None
    assert api.as_user(rep).get(f"{NOTIFICATIONS}?unread=true").json()["results"] == []
    others = Notification.objects.exclude(user=rep).first()
    assert api.as_user(rep).post(f"{NOTIFICATIONS}{others.pk}/read/").status_code == 404


def test_contacts_overdue_and_the_reps_queue_by_deadline_follow_the_clocks(api, rep):
    make_policy(ClockKind.MQL_RESPONSE, 48)
    now = timezone.now()
    late = make_mql(owner=rep, at=now - timedelta(hours=50))
    soon = make_mql(owner=rep, at=now - timedelta(hours=40))
    fresh = make_mql(owner=rep, at=now)
    queue = api.as_user(rep).get("/api/v1/contacts/?stage=mql&ordering=sla_due_at").json()
    assert [c["id"] for c in queue["results"]] == [late.pk, soon.pk, fresh.pk]
    overdue = api.as_user(rep).get("/api/v1/contacts/?sla_overdue=true").json()["results"]
    assert [c["id"] for c in overdue] == [late.pk]


def test_the_reports_sla_hours_come_from_the_active_mql_policy(db):
    assert mql_sla_hours() == 48.0
    make_policy(ClockKind.MQL_RESPONSE, 24)
    make_policy(ClockKind.FIRST_TOUCH, 1)
    assert mql_sla_hours() == 24.0


def test_a_rep_cannot_set_another_reps_availability_through_the_service(rep, other_rep):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.rep_set_availability(rep=other_rep, by=rep, away=True)
    assert not Breach.objects.exists()


def test_breaches_cannot_be_written_through_the_api(api, manager, breaches):
    breach = Breach.objects.first()
    assert api.as_user(manager).post(BREACHES, {}).status_code in (403, 405)
    assert api.as_user(manager).delete(f"{BREACHES}{breach.pk}/").status_code in (403, 405)
    assert Breach.objects.count() == 2
