"""
The velocity report: how long contacts stay in each stage, how long MQLs wait for a sales
action, and whether sales keep the SLA (the domain's test: a 48 h SLA with a median wait of
three days means sales are dropping the ball).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from leads.stages import Move, Stage

from ..aggregates import grouped
from ..periods import Period
from .scope import NO_FILTER, GroupBy, Scope, group_key, group_labels, ordered_keys, rate
from .stays import stays_entered, with_group

TIMED = (Stage.LEAD, Stage.MQL, Stage.SQL, Stage.QSO)
SALES_ACTIONS = (Move.ACCEPT, Move.REJECT)  # a claim or an assignment is not an action


@dataclass
class Spread:
    """How many durations, and their median and 90th percentile in hours."""

    count: int
    median_hours: float | None
    p90_hours: float | None


@dataclass
class StageTime(Spread):
    still_there: int  # stays entered in the range and not ended yet


@dataclass
class SlaCompliance:
    """The MQLs passed to sales in the range, sorted by what happened against the SLA."""

    handed_off: int
    in_time: int  # first sales action within the SLA
    late: int  # first sales action after the SLA
    overdue: int  # no sales action, and the SLA has run out
    pending: int  # still waiting, within the SLA

    @property
    def share_within_sla(self) -> float | None:
        """In time / every MQL that can be judged (acted on, or out of time)."""
        return rate(self.in_time, self.in_time + self.late + self.overdue)


@dataclass
class VelocityLine:
    key: str | None
    label: str
    stages: dict[str, StageTime]
    first_action: Spread
    sla: SlaCompliance
    sla_hours: float

    @property
    def verdict(self) -> str | None:
        """The manager's question: is the median wait for a sales action within the SLA?"""
        median = self.first_action.median_hours
        if median is None:
            return None
        return "within_sla" if median <= self.sla_hours else "over_sla"


@dataclass
class VelocityReport:
    period: Period
    group_by: GroupBy | None
    sla_hours: float
    groups: list[VelocityLine]
    total: VelocityLine
    notes: list[str]


def velocity_report(
    *,
    period: Period,
    sla_hours: float,
    group_by: GroupBy | None = None,
    scope: Scope = NO_FILTER,
    now: datetime | None = None,
) -> VelocityReport:
    """Time in stage, wait for the first sales action and SLA compliance of the stays that
    began in the range, per group and in total (a median cannot be added up from groups, so
    the total is its own query)."""
    now = now or timezone.now()
    stays = stays_entered(period, scope).filter(stage__in=TIMED)
    total = _lines(stays, None, period, sla_hours, now)[None]
    lines = _lines(stays, group_by, period, sla_hours, now) if group_by else {}
    labels = group_labels(group_by, lines)
    for key, line in lines.items():
        line.key, line.label = key, labels[key]
    total.label = "Total"
    return VelocityReport(
        period=period,
        group_by=group_by,
        sla_hours=sla_hours,
        groups=[lines[key] for key in ordered_keys(group_by, labels)],
        total=total,
        notes=NOTES,
    )


def _lines(stays, group_by, period, sla_hours, now) -> dict[str | None, VelocityLine]:
    """One query: per group and stage, the counts and both spreads (time in stage, wait)."""
    stays, keys = with_group(stays, group_by, period)
    sla = timedelta(hours=sla_hours)
    ended, still = Q(exit__isnull=False), Q(exit__isnull=True)
    mql = Q(stage=Stage.MQL)
    acted = mql & Q(exit_by__isnull=False, exit_move__in=SALES_ACTIONS)
    timed_out = (still & Q(entered_at__lt=now - sla)) | (ended & Q(duration__gt=sla))
    rows = grouped(
        stays,
        [*keys, "stage"],
        spreads={"in_stage": ended, "wait": acted},
        completed=_count(ended),
        still_there=_count(still),
        acted=_count(acted),
        in_time=_count(acted & Q(duration__lte=sla)),
        late=_count(acted & Q(duration__gt=sla)),
        overdue=_count(mql & ~acted & timed_out),
        pending=_count(mql & still & Q(entered_at__gte=now - sla)),
    )
    by_group: dict = defaultdict(dict)
    for row in rows:
        by_group[row.get("group")][row["stage"]] = row
    if group_by is None:
        by_group.setdefault(None, {})
    return {
        group_key(group_by, value): _line(by_stage, sla_hours)
        for value, by_stage in by_group.items()
    }


def _count(condition: Q) -> Count:
    # COUNT of an indexed column rather than of the id: PostgreSQL answers from the index.
    return Count("entered_at", filter=condition)


def _line(by_stage: dict[str, dict], sla_hours: float) -> VelocityLine:
    stages = {}
    for stage in TIMED:
        row = by_stage.get(stage, {})
        median, p90 = row.get("in_stage", (None, None))
        stages[stage.value] = StageTime(
            count=row.get("completed", 0),
            median_hours=_hours(median),
            p90_hours=_hours(p90),
            still_there=row.get("still_there", 0),
        )
    mql = by_stage.get(Stage.MQL, {})
    median, p90 = mql.get("wait", (None, None))
    return VelocityLine(
        key=None,
        label="",
        stages=stages,
        first_action=Spread(mql.get("acted", 0), _hours(median), _hours(p90)),
        sla=SlaCompliance(
            handed_off=mql.get("completed", 0) + mql.get("still_there", 0),
            in_time=mql.get("in_time", 0),
            late=mql.get("late", 0),
            overdue=mql.get("overdue", 0),
            pending=mql.get("pending", 0),
        ),
        sla_hours=sla_hours,
    )


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


NOTES = [
    "Time in stage: from the move that brought a contact into the stage to the move that "
    "took it out, for the stays that began in the range and have ended; a skipped stage has "
    "no stay, and an assignment or a claim does not end one.",
    "First sales action: from the hand-off (the contact became an MQL) to the first move out "
    "of MQL made by a user (accept or reject).",
    "Within the SLA: acted on in time / every MQL that was acted on or has run out of time; "
    "MQLs still waiting within the SLA are not judged yet. Per rep means the contact's "
    "current owner.",
]
