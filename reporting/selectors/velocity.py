"""
The velocity report: how long contacts stay in each stage, how long MQLs wait for a sales
action, and whether sales keep the SLA (the domain's test: a 48 h SLA with a median wait of
three days means sales are dropping the ball).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.utils import timezone

from leads.stages import Stage
from sla.models import CLOCK_ANSWERS, Clock, ClockKind
from sla.verdicts import verdict_case

from ..aggregates import NONE, duration_spreads, grouped
from ..definitions import note
from ..periods import Period
from .scope import NO_FILTER, GroupBy, Scope, group_key, group_labels, ordered_keys, rate
from .stays import stays_entered, with_group

TIMED = (Stage.LEAD, Stage.MQL, Stage.SQL, Stage.QSO)
# What answers an MQL: accept or reject (a claim or an assignment is not an answer).
SALES_ACTIONS = tuple(CLOCK_ANSWERS[ClockKind.MQL_RESPONSE])


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
    """The hand-offs made in the range, sorted by their verdict (``sla.verdicts``) against
    the deadline each was given when it was made."""

    handed_off: int = 0
    in_time: int = 0  # answered by the deadline
    late: int = 0  # answered after the deadline
    overdue: int = 0  # not answered, and the deadline was reached
    pending: int = 0  # not answered, the deadline still ahead
    withdrawn: int = 0  # taken off the owner before the deadline, unanswered: not judged
    no_deadline: int = 0  # made while no SLA policy ran: not judged

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
    now = now or timezone.now()
    stays = stays_entered(period, scope).filter(stage__in=TIMED)
    by_group, keys = with_group(stays, group_by, period)
    rows = grouped(by_group, [*keys, "stage"], spreads=SPREADS, **COUNTS)
    lines = _lines(rows, group_by, sla_hours) if group_by else {}
    total = _lines(_total(stays, rows) if group_by else rows, None, sla_hours).get(
        None, _line({}, sla_hours)
    )
    passes = stays.filter(stage=Stage.MQL)
    total.sla = _compliance(_passes_judged(passes, now), []).get((), SlaCompliance())
    if group_by == GroupBy.OWNER:
        _judge_each_owner(lines, _clocks(period, scope), now, sla_hours)
    elif group_by is not None:
        found = _compliance(_passes_judged(with_group(passes, group_by, period)[0], now), keys)
        by_key = {group_key(group_by, value): sla for (value,), sla in found.items()}
        for key, line in lines.items():
            line.sla = by_key.get(key, SlaCompliance())
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
COUNTS: dict[str, Any] = {
    "completed": Count("entered_at", filter=ENDED),
    "still_there": Count("entered_at", filter=STILL),
    "acted": Count("entered_at", filter=ACTED),
}


def _passes_judged(passes, now: datetime):
    """MQL stays with the verdict of their first hand-off: the deadline the pass's first
    clock was given (the clock started with the stay), answered when the stay ended by a
    sales action. Each pass counts once for the team, whoever answered it; a pass that
    started no clock (no policy ran) has no verdict.

    The verdict is worked out inside the one subquery that finds the clock, so that the
    database looks the clock up once per stay (a deadline annotation mentioned in each
    branch of the verdict, and in each count, was looked up again every time)."""
    first_verdict = (
        Clock.objects.filter(
            contact_id=OuterRef("contact_id"),
            kind=ClockKind.MQL_RESPONSE,
            started_at=OuterRef("entered_at"),
        )
        .order_by("pk")
        .annotate(stay_acted=_moment(OuterRef("acted")), stay_left=_moment(OuterRef("left_at")))
        .annotate(
            verdict=verdict_case(due="due_at", acted="stay_acted", stopped="stay_left", now=now)
        )
    )
    return passes.annotate(acted=Case(When(ACTED, then=F("left_at")))).annotate(
        verdict=Subquery(first_verdict.values("verdict")[:1])
    )


def _moment(expression) -> ExpressionWrapper:
    """An outer stay's time, typed so that a lookup can compare with it."""
    return ExpressionWrapper(expression, output_field=DateTimeField())


def _clocks(period: Period, scope: Scope):
    """The MQL hand-offs made in the range, each judged for its own owner."""
    clocks = Clock.objects.filter(period.covers("started_at"), kind=ClockKind.MQL_RESPONSE)
    if scope.campaign is not None or scope.channel:
        clocks = clocks.filter(contact__campaign_id__in=scope.campaigns().values("pk"))
    if scope.owner is not None:
        clocks = clocks.filter(owner_id=scope.owner)
    return clocks


def _compliance(judged, keys: list[str]) -> dict[tuple, SlaCompliance]:
    """Per value of ``keys``, the hand-offs counted by verdict; ``judged`` has a ``verdict``
    annotation, null for a hand-off made while no policy ran.

    Grouped by the verdict itself: PostgreSQL then works each verdict out once per row,
    where a count filtered on it per verdict worked it out (and its subquery) each time."""
    rows = judged.values(*keys, "verdict").annotate(n=Count("pk")).order_by()
    found: dict[tuple, SlaCompliance] = defaultdict(SlaCompliance)
    for row in rows:
        sla = found[tuple(row[k] for k in keys)]
        sla.handed_off += row["n"]
        name = row["verdict"] or "no_deadline"
        setattr(sla, name, getattr(sla, name) + row["n"])
    return dict(found)


def _judge_each_owner(lines: dict, clocks, now: datetime, sla_hours: float) -> None:
    """Per rep: each owner judged on their own hand-offs and deadlines (a breach belongs to
    the rep who missed it, the answer to the one who gave it), and the wait measured from
    the hand-off to them."""
    judged = clocks.annotate(
        group=F("owner_id"),
        wait=ExpressionWrapper(F("acted_at") - F("started_at"), output_field=DurationField()),
        verdict=verdict_case(due="due_at", acted="acted_at", stopped="stopped_at", now=now),
    )
    found = _compliance(judged, ["group"])
    waits = duration_spreads(judged, ["group"], {"wait": Q(acted_at__isnull=False)}, "wait")
    acted = dict(
        judged.filter(acted_at__isnull=False)
        .values("group")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("group", "n")
    )
    for (value,) in found:
        lines.setdefault(group_key(GroupBy.OWNER, value), _line({}, sla_hours))
    for key, line in lines.items():
        value = None if key is None else int(key)
        line.sla = found.get((value,), SlaCompliance())
        median, p90 = waits["wait"].get((value,), NONE)
        line.first_action = Spread(acted.get(value, 0), _hours(median), _hours(p90))


def _total(stays, rows: list[dict]) -> list[dict]:
    """The total per stage: counts add up over the groups (each stay is in exactly one), a
    median does not, so the spreads of the total are a query of their own."""
    totals: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        totals[row["stage"]].update({name: row[name] for name in COUNTS})
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
        sla=SlaCompliance(),  # filled in by the caller, from the stored deadlines
        sla_hours=sla_hours,
    )


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


NOTES = [note(key) for key in ("time_in_stage", "first_action", "verdict", "per_rep")]
