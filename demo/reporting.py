"""The demo's monthly targets: the last three months, this one and the next, so the targets
report shows a finished month, one in progress with its pace, and one not started."""

from datetime import timedelta

from django.utils import timezone

from reporting.models import Target
from reporting.periods import month_start, next_month

# Sized for the few hundred demo contacts: about what the demo funnel brings in a month.
GOALS = {"lead": 60, "mql": 25, "sql": 10, "client": 2}


def ensure_targets(users: dict) -> int:
    """Create the demo targets once; returns how many were added."""
    this_month = month_start(timezone.localdate())
    months = [this_month, next_month(this_month)]
    for _ in range(3):
        months.insert(0, month_start(months[0] - timedelta(days=1)))
    added = 0
    for month in months:
        for stage, goal in GOALS.items():
            _, created = Target.objects.get_or_create(
                stage=stage, month=month, defaults={"goal": goal, "created_by": users["manager"]}
            )
            added += created
    return added
