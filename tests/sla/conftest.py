"""Shared arrangements of the SLA tests: a fixed Monday morning, policies, MQLs."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from leads import services as leads_services
from leads.models import Contact
from leads.stages import Stage
from sla import services
from sla.models import AssignmentMode, AssignmentRule, BreachAction, ClockKind, SlaPolicy
from tests.factories import ContactFactory

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_policy(clock: ClockKind = ClockKind.MQL_RESPONSE, hours: int = 48, **fields) -> SlaPolicy:
    fields.setdefault("name", f"{clock} in {hours} h")
    return services.policy_create(by=None, clock=clock, hours=Decimal(hours), **fields)


def make_mql(*, owner=None, at: datetime = MONDAY, **fields) -> Contact:
    """A lead that became an MQL at ``at`` through the lifecycle service (so its clocks
    start), then given to ``owner`` if any."""
    contact = ContactFactory(stage=Stage.LEAD, **fields)
    leads_services.contact_mark_mql(contact=contact, by=None, at=at)
    if owner is not None:
        leads_services.contact_assign(contact=contact, by=None, owner=owner, at=at)
    return contact


def make_rule(name: str = "Everyone", **fields) -> AssignmentRule:
    reps = fields.pop("reps", [])
    fields.setdefault("mode", AssignmentMode.ROUND_ROBIN)
    rule = AssignmentRule.objects.create(name=name, **fields)
    rule.reps.set(reps)
    return rule


@pytest.fixture
def mql_policy(db) -> SlaPolicy:
    return make_policy(name="MQL answered within 2 days")


@pytest.fixture
def reassigning_policy(db) -> SlaPolicy:
    return make_policy(
        name="MQL answered within 2 days, or moved on", action=BreachAction.REASSIGN
    )
