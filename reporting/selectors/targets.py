"""
Targets against actuals: for each goal (stage, month), how many contacts entered the stage in
that month, the gap to the goal, and the pace: where the month is heading at today's rate and
what it takes per remaining day to get there.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from leads.models import Contact

from ..models import Target
from ..periods import Period, month_start, next_month
from ..rollups import REACHED, rollups_ready
from .cells import cells_summed
from .scope import NO_FILTER, rate


@dataclass
class TargetLine:
    id: int
    stage: str
    month: date
    goal: int
    actual: int
    elapsed: float  # the share of the month gone by, 0 to 1

    @property
    def gap(self) -> int:
        """What is still missing to reach the goal (negative: the goal is beaten)."""
        return self.goal - self.actual

    @property
    def progress(self) -> float | None:
        return rate(self.actual, self.goal)

    @property
    def expected_to_date(self) -> float:
        """Where an even pace through the month would be by now."""
        return round(self.goal * self.elapsed, 2)

    @property
    def pace(self) -> float | None:
        """Actual / expected to date: 1.0 is on pace, 0.8 is 20% behind."""
        return rate(self.actual, self.goal * self.elapsed)

    @property
    def projected(self) -> float | None:
        """The month's total if the rest of it goes as it has so far."""
        return round(self.actual / self.elapsed, 2) if self.elapsed else None

    @property
    def on_track(self) -> bool | None:
        return None if self.projected is None else self.projected >= self.goal

    @property
    def needed_per_day(self) -> float | None:
        """How many a day the rest of the month needs to reach the goal (None once over)."""
        days_left = (1 - self.elapsed) * _days_in_month(self.month)
        if days_left <= 0:
            return None
        return round(max(self.gap, 0) / days_left, 2)


@dataclass
class TargetsReport:
    period: Period
    targets: list[TargetLine]


def targets_report(*, period: Period, now: datetime | None = None) -> TargetsReport:
    """Every target of a month touching the range, with its actual and pace at ``now``."""
    now = now or timezone.now()
    targets = list(
        Target.objects.filter(month__gte=month_start(period.start), month__lte=period.end)
    )
    actual = _actuals(targets, period)
    lines = [
        TargetLine(
            id=target.pk,
            stage=target.stage,
            month=target.month,
            goal=target.goal,
            actual=actual.get((target.stage, target.month), 0),
            elapsed=_elapsed(target.month, period, now),
        )
        for target in targets
    ]
    return TargetsReport(period=period, targets=lines)


def _actuals(targets: list[Target], period: Period) -> dict[tuple[str, date], int]:
    """Contacts that reached each stage per month: one indexed range query per stage, each
    month counted by a filter on the time (no per-row time zone conversion)."""
    months: dict[str, set[date]] = defaultdict(set)
    for target in targets:
        months[target.stage].add(target.month)
    if months and rollups_ready(period.tz):
        return _actuals_from_cells(months, period)
    actual: dict[Any, Any] = {}
    for stage, wanted in months.items():
        column = f"{stage}_at"
        parts = {month: Period.month_of(month, period.tz) for month in wanted}
        span = Period(min(wanted), max(part.end for part in parts.values()), period.tz)
        counts = (
            Contact.objects.counted()
            .filter(span.covers(column))
            .aggregate(
                **{
                    f"m{m:%Y%m}": Count(column, filter=part.covers(column))
                    for m, part in parts.items()
                }
            )
        )
        actual |= {(stage, month): counts[f"m{month:%Y%m}"] for month in wanted}
    return actual


def _actuals_from_cells(
    months: dict[str, set[date]], period: Period
) -> dict[tuple[str, date], int]:
    """The same counts from the rollup's period cells: one statement for every target."""
    first = min(min(wanted) for wanted in months.values())
    last = max(next_month(max(wanted)) for wanted in months.values()) - timedelta(days=1)
    cells = cells_summed(
        REACHED,
        period=Period(first, last, period.tz),
        scope=NO_FILTER,
        fields=("stage",),
        keys={"month": TruncMonth("day", output_field=DateField())},
        where=Q(mode="period", stage__in=list(months)),
    )
    actual: dict[tuple[str, date], int] = {}
    for row in cells:
        if row["month"] in months[row["stage"]]:
            actual[(row["stage"], row["month"])] = row["total"]
    return actual


def _elapsed(month: date, period: Period, now: datetime) -> float:
    whole = Period.month_of(month, period.tz)
    return min(max((now - whole.start_at) / (whole.end_at - whole.start_at), 0.0), 1.0)


def _days_in_month(month: date) -> int:
    return (next_month(month) - month).days
