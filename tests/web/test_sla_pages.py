"""The SLA pages: breaches (scoped as in the API), the policies editor with the services'
rules on its fields, notifications and their bell, and the top bar's links per role."""

from datetime import timedelta

import pytest
from django.test import RequestFactory

from leadfunnel.views import navigation
from sla.models import BreachAction, ClockKind, Notification, SlaPolicy
from sla.sweep import sla_sweep
from tests.sla.conftest import MONDAY, make_mql, make_policy

pytestmark = pytest.mark.django_db

LATE = MONDAY + timedelta(hours=49)


def policy_form(**fields) -> dict:
    return {
        "name": "MQL within a day",
        "clock": ClockKind.MQL_RESPONSE,
        "hours": "24",
        "action": BreachAction.NOTIFY,
        "time_zone": "Europe/Paris",
        "work_days": ["0", "1", "2", "3", "4"],
        "start_hour": "9",
        "end_hour": "18",
        "active": "on",
        **fields,
    }


@pytest.fixture
def breaches(rep, other_rep, manager):
    """One missed deadline on each rep's watch (the sweep records them and notifies)."""
    make_policy(name="MQL answered within 2 days")
    mine = make_mql(owner=rep, first_name="Mine")
    theirs = make_mql(owner=other_rep, first_name="Theirs")
    sla_sweep(now=LATE)
    return mine, theirs


def test_a_manager_sees_every_breach_and_a_rep_their_own(login, manager, rep, breaches):
    everyone = login(manager).get("/sla/").content.decode()
    assert "Mine" in everyone and "Theirs" in everyone
    own = login(rep).get("/sla/").content.decode()
    assert "Mine" in own and "Theirs" not in own


def test_breaches_filter_by_rep(login, manager, rep, breaches):
    html = login(manager).get(f"/sla/?owner={rep.pk}").content.decode()
    assert "Mine" in html and "Theirs" not in html


def test_a_rep_is_told_in_the_top_bar_and_reads_the_notification(login, rep, breaches):
    bell = login(rep).get("/notifications/bell/").content.decode()
    assert "1 unread" in bell
    page = login(rep).get("/notifications/").content.decode()
    assert "A deadline was missed" in page and "Mine" in page
    notification = Notification.objects.get(user=rep)
    login(rep).post(f"/notifications/{notification.pk}/read/")
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "none unread" in login(rep).get("/notifications/bell/").content.decode()


def test_nobody_marks_someone_elses_notification(login, rep, other_rep, breaches):
    theirs = Notification.objects.get(user=other_rep)
    assert login(rep).post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read(login, manager, breaches):
    assert Notification.objects.filter(user=manager, read_at__isnull=True).count() == 2
    login(manager).post("/notifications/read/")
    assert not Notification.objects.filter(user=manager, read_at__isnull=True).exists()


def test_every_role_reads_the_policies_and_only_managers_edit(login, rep, manager):
    policy = make_policy(name="MQL answered within 2 days")
    assert "MQL answered within 2 days" in login(rep).get("/sla/policies/").content.decode()
    assert login(rep).get(f"/sla/policies/{policy.pk}/edit/").status_code == 403
    assert login(rep).post("/sla/policies/new/", policy_form()).status_code == 403


def test_a_manager_creates_a_policy(login, manager):
    response = login(manager).post("/sla/policies/new/", policy_form())
    assert response.status_code == 302
    policy = SlaPolicy.objects.get()
    assert (policy.hours, policy.work_days, policy.active) == (24, [0, 1, 2, 3, 4], True)


def test_a_second_active_policy_on_one_clock_is_refused_on_the_form(login, manager):
    make_policy(name="MQL answered within 2 days")
    response = login(manager).post("/sla/policies/new/", policy_form())
    assert response.status_code == 400
    assert "Another active policy runs this clock already." in response.content.decode()
    assert SlaPolicy.objects.count() == 1


def test_escalating_needs_a_manager_to_escalate_to(login, manager):
    response = login(manager).post("/sla/policies/new/", policy_form(action=BreachAction.ESCALATE))
    assert response.status_code == 400
    assert "Name the manager breaches escalate to." in response.content.decode()


def test_a_manager_changes_the_hours_of_a_policy(login, manager):
    policy = make_policy(name="MQL answered within 2 days")
    form = policy_form(name=policy.name, hours="36")
    assert login(manager).post(f"/sla/policies/{policy.pk}/edit/", form).status_code == 302
    policy.refresh_from_db()
    assert policy.hours == 36


def nav_for(user, path: str = "/contacts/") -> list[tuple[str, bool]]:
    request = RequestFactory().get(path)
    request.user = user
    return [(item["label"], item["current"]) for item in navigation(request)["nav"]]


def test_the_top_bar_gives_each_role_its_pages(marketer, rep, manager):
    assert [label for label, _ in nav_for(marketer)] == [
        "Dashboard",
        "Contacts",
        "Companies",
        "Scoring",
        "Campaigns",
        "Forms",
        "Imports",
        "Duplicates",
        "Definitions",
    ]
    assert [label for label, _ in nav_for(rep)] == [
        "My queue",
        "Contacts",
        "Companies",
        "Definitions",
    ]
    assert "SLA" in [label for label, _ in nav_for(manager)]


def test_the_top_bar_marks_the_page_one_is_on(marketer):
    assert ("Scoring", True) in nav_for(marketer, "/scoring/thresholds/")
    assert ("Contacts", False) in nav_for(marketer, "/scoring/thresholds/")
