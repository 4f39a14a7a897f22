"""Targets in the admin (managers write, every role reads) and the demo's targets."""

from datetime import date

import pytest
from django.urls import reverse

from demo.reporting import GOALS, ensure_targets
from reporting.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    def login(user):
        user.is_staff = True
        user.save()
        client.force_login(user)
        return client

    return login


def test_a_manager_sets_a_target_in_the_admin_for_the_month_of_the_day_picked(staff, manager):
    client = staff(manager)
    response = client.post(
        reverse("admin:reporting_target_add"),
        {"stage": "mql", "month": "2026-03-17", "goal": "120"},
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert (target.month, target.goal, target.created_by) == (date(2026, 3, 1), 120, manager)


def test_a_rep_reads_targets_in_the_admin_but_cannot_add_one(staff, rep):
    client = staff(rep)
    assert client.get(reverse("admin:reporting_target_changelist")).status_code == 200
    assert client.get(reverse("admin:reporting_target_add")).status_code == 403


def test_the_demo_targets_are_loaded_once(manager):
    users = {"manager": manager}
    assert ensure_targets(users) == 5 * len(GOALS)
    assert ensure_targets(users) == 0
    assert Target.objects.count() == 5 * len(GOALS)
