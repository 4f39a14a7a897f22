"""Regression tests of the holes the security tests found, one per fix."""

import pytest

from sla.models import AssignmentRule

pytestmark = pytest.mark.django_db


def test_an_assignment_rule_can_be_changed_through_the_api_without_a_500(api, manager):
    rule = AssignmentRule.objects.create(name="France", country="FR")
    response = api.as_user(manager).patch(
        f"/api/v1/sla/assignment-rules/{rule.pk}/", {"country": "DE"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["country"] == "DE"
