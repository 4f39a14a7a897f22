"""
The velocity report: how long contacts stay in each stage, how long MQLs wait for a sales
action, and whether sales keep the SLA (the domain's test: a 48 h SLA with a median wait of
three days means sales are dropping the ball).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from leads.stages import Move, Stage

from ..aggregates import NONE, duration_spreads, grouped
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
    began in the range, per group and in total."""
    stays = stays_entered(period, scope).filter(stage__in=TIMED)
    counts = _counts(timedelta(hours=sla_hours), now or timezone.now())
    by_group, keys = with_group(stays, group_by, period)
    rows = grouped(by_group, [*keys, "stage"], spreads=SPREADS, **counts)
    lines = _lines(rows, group_by, sla_hours) if group_by else {}
    total = _lines(_total(stays, rows, counts) if group_by else rows, None, sla_hours).get(
        None, _line({}, sla_hours)
    )
    total.label = "Total"
    labels = group_labels(group_by, lines)
    for key, line in lines.items():
        line.key, line.label = key, labels[key]
    return VelocityReport(
        period=period,
        group_by=group_by,
        sla_hours=sla_hours,
        groups=[lines[key] for key in ordered_keys(group_by, labels)],
        total=total,
        notes=NOTES,
    )


ENDED, STILL = Q(exit__isnull=False), Q(exit__isnull=True)
ACTED = Q(stage=Stage.MQL, exit_by__isnull=False, exit_move__in=SALES_ACTIONS)
SPREADS = {"in_stage": ENDED, "wait": ACTED}


def _counts(sla: timedelta, now: datetime) -> dict[str, Count]:
    """What is counted per group and stage; the SLA figures only mean something for MQLs."""
    mql = Q(stage=Stage.MQL)
    timed_out = (STILL & Q(entered_at__lt=now - sla)) | (ENDED & Q(duration__gt=sla))
    conditions = {
        "completed": ENDED,
        "still_there": STILL,
        "acted": ACTED,
        "in_time": ACTED & Q(duration__lte=sla),
        "late": ACTED & Q(duration__gt=sla),
        "overdue": mql & ~ACTED & timed_out,
        "pending": mql & STILL & Q(entered_at__gte=now - sla),
    }
    return {name: _count(condition) for name, condition in conditions.items()}


def _total(stays, rows: list[dict], counts: dict) -> list[dict]:
    """The total per stage: counts add up over the groups (each stay is in exactly one), a
    median does not, so the spreads of the total are a query of their own."""
    totals: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        totals[row["stage"]].update({name: row[name] for name in counts})
    found = duration_spreads(stays, ["stage"], SPREADS)
    return [
        {"stage": stage, **summed, **{name: found[name].get((stage,), NONE) for name in SPREADS}}
        for stage, summed in totals.items()
    ]


def _lines(rows: list[dict], group_by, sla_hours: float) -> dict[str | None, VelocityLine]:
    by_group: dict = defaultdict(dict)
    for row in rows:
        by_group[row.get("group")][row["stage"]] = row
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
