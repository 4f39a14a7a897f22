"""The demo's SLA: its three clocks, MQLs dealt round-robin among the reps, one rep away.

Loaded before the demo contacts walk through the funnel, so the MQLs and SQLs left waiting
have running clocks; the first sweep (`make run` starts beat) breaches the overdue ones and
reassigns the MQLs, which then show in the API, the history and the admin.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from sla import services
from sla.models import AssignmentMode, AssignmentRule, BreachAction, ClockKind, SlaPolicy

# name, clock, hours, action, business hours, active
POLICIES = (
    (
        gettext_noop("MQL answered within 2 days"),
        ClockKind.MQL_RESPONSE,
        48,
        BreachAction.REASSIGN,
        False,
        True,
    ),
    # Off in the demo: its MQLs are assigned by hand and never claimed, so all would breach.
    (
        gettext_noop("First call within the hour"),
        ClockKind.FIRST_TOUCH,
        1,
        BreachAction.NOTIFY,
        False,
        False,
    ),
    (
        gettext_noop("SQL qualified within 2 working weeks"),
        ClockKind.SQL_DECISION,
        80,
        BreachAction.NOTIFY,
        True,
        True,
    ),
)


def ensure_sla(users: dict) -> None:
    """Create the demo policies (one per clock), the round-robin rule and rep3's holiday
    once."""
    for name, clock, hours, action, business_hours, active in POLICIES:
        if not SlaPolicy.objects.filter(clock=clock).exists():
            services.policy_create(
                by=users["manager"],
                name=gettext(name),
                clock=clock,
                hours=Decimal(hours),
                action=action,
                business_hours=business_hours,
                time_zone="Europe/Paris",
                start_hour=9,
                end_hour=17,
                active=active,
            )
    AssignmentRule.objects.get_or_create(
        name=gettext("Every rep in turn"), defaults={"mode": AssignmentMode.ROUND_ROBIN}
    )
    rep3 = users["rep3"]
    if not hasattr(rep3, "sla_availability"):
        services.rep_set_availability(
            rep=rep3,
            by=users["manager"],
            away=True,
            away_until=timezone.now() + timedelta(days=3),
            note=gettext("Holiday"),
        )
