"""
The speed-to-lead report: for each MQL hand-off made in the range, the time from the
hand-off to the rep's first touch (an outbound call, e-mail or meeting, or an accept or
reject, whichever came first), in bands, with the share of each band that reached SQL:
does speed pay?
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from leads.stages import Stage
from sales.models import SalesActivity
from sla.calendar import BusinessCalendar, business_time_between
from sla.models import CLOCK_ANSWERS, TOUCH_CLOCKS, ClockKind, SlaPolicy

from ..aggregates import percentile_cont
from ..definitions import note
from ..periods import Period
from .scope import NO_FILTER, GroupBy, Scope, group_key, group_labels, ordered_keys, rate
from .stays import stays_entered, with_group

# (key, upper bound in minutes): a response falls in the first band it is under.
BANDS: tuple[tuple[str, float], ...] = (
    ("lt_5m", 5),
    ("5m_30m", 30),
    ("30m_1h", 60),
    ("1h_4h", 240),
    ("4h_24h", 1440),
    ("gte_24h", float("inf")),
)
NEVER = "none"
# What people read for each band: the dashboard's charts and the spreadsheet's columns.
BAND_LABELS: dict[str, StrOrPromise] = {
    "lt_5m": gettext_lazy("Under 5 min"),
    "5m_30m": gettext_lazy("5–30 min"),
    "30m_1h": gettext_lazy("30 min–1 h"),
    "1h_4h": gettext_lazy("1–4 h"),
    "4h_24h": gettext_lazy("4–24 h"),
    "gte_24h": gettext_lazy("A day or more"),
    NEVER: gettext_lazy("Never touched"),
}
ANSWERS = tuple(CLOCK_ANSWERS[ClockKind.MQL_RESPONSE])  # accept, reject
REACHED_SQL = (Stage.SQL, Stage.QSO, Stage.CLIENT)
_NEVER_LEFT = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass
class Band:
    count: int = 0
    reached_sql: int = 0

    @property
    def sql_rate(self) -> float | None:
        return rate(self.reached_sql, self.count)


@dataclass
class ResponseLine:
    key: str | None
    label: str
    handed_off: int = 0
    touched: int = 0
    median_minutes: float | None = None
    p90_minutes: float | None = None
    working_median_minutes: float | None = None  # when the policy counts business hours
    working_p90_minutes: float | None = None
    bands: dict[str, Band] = field(default_factory=lambda: _empty_bands())
    _minutes: list[float] = field(default_factory=list, repr=False)
    _working: list[float] = field(default_factory=list, repr=False)


@dataclass
class ResponseTimeReport:
    period: Period
    group_by: GroupBy | None
    business_hours: bool
    groups: list[ResponseLine]
    total: ResponseLine
    notes: list[str] = field(default_factory=lambda: [note("speed_to_lead")])


def _empty_bands() -> dict[str, Band]:
    return {key: Band() for key, _ in BANDS} | {NEVER: Band()}


def band_of(minutes: float | None) -> str:
    if minutes is None:
        return NEVER
    return next(key for key, upper in BANDS if minutes < upper)


def _first_touches():
    """The first outbound touch on the outer hand-off's contact while it was an MQL."""
    return (
        SalesActivity.objects.touches()
        .filter(
            contact=OuterRef("contact_id"),
            occurred_at__gte=OuterRef("entered_at"),
            occurred_at__lte=Coalesce(OuterRef("left_at"), Value(_NEVER_LEFT)),
        )
        .order_by("occurred_at")
        .values("occurred_at")[:1]
    )


def hand_offs(period: Period, scope: Scope, group_by: GroupBy | None) -> Any:
    """Each MQL stay that began in the range: its group, start, first outbound touch, the
    rep's answer and whether it went on to SQL (one row per hand-off; the database finds the
    touches)."""
    stays, _ = with_group(stays_entered(period, scope).filter(stage=Stage.MQL), group_by, period)
    answered = Q(exit_move__in=ANSWERS, exit_by__isnull=False)
    # The earlier of the touch and the answer is taken by the caller: in SQL, each mention of
    # the touch would run its subquery again (and LEAST treats NULL apart on each database).
    stays = stays.annotate(
        touch=Subquery(_first_touches()),
        answer=Case(When(answered, then=F("left_at"))),
        sql=Case(When(exit_stage__in=REACHED_SQL, then=Value(True)), default=Value(False)),
    )
    group = ["group"] if group_by else []
    return stays.values_list(*group, "entered_at", "touch", "answer", "sql").order_by()


def _earlier(*moments: datetime | None) -> datetime | None:
    return min((moment for moment in moments if moment is not None), default=None)


def working_calendar() -> BusinessCalendar | None:
    """The business hours of the active MQL policy, the speed-to-lead clock first."""
    policies = SlaPolicy.objects.filter(active=True, clock__in=TOUCH_CLOCKS, business_hours=True)
    policy = policies.order_by(
        Case(When(clock=ClockKind.FIRST_TOUCH, then=Value(0)), default=Value(1)), "pk"
    ).first()
    return policy.calendar() if policy else None


def response_time_report(
    *, period: Period, group_by: GroupBy | None = None, scope: Scope = NO_FILTER
) -> ResponseTimeReport:
    """Hand-offs, touches, median and 90th percentile minutes to the first touch, and the
    response bands with their SQL rate, per group and in total."""
    calendar = working_calendar()
    total = ResponseLine(key=None, label="Total")
    lines: dict[str | None, ResponseLine] = defaultdict(lambda: ResponseLine(None, ""))
    for row in hand_offs(period, scope, group_by).iterator(chunk_size=5000):
        *group, entered_at, touch, answer, sql = row
        touched_at = _earlier(touch, answer)
        targets = [total, lines[group_key(group_by, group[0])]] if group_by else [total]
        minutes = working = None
        if touched_at is not None:
            minutes = max((touched_at - entered_at).total_seconds() / 60, 0.0)
            if calendar is not None:
                span = business_time_between(entered_at, max(touched_at, entered_at), calendar)
                working = span / timedelta(minutes=1)
        band = band_of(minutes)
        for line in targets:
            line.handed_off += 1
            line.bands[band].count += 1
            line.bands[band].reached_sql += bool(sql)
            if minutes is not None:
                line.touched += 1
                line._minutes.append(minutes)
            if working is not None:
                line._working.append(working)
    for line in [total, *lines.values()]:
        _spread(line)
    labels = group_labels(group_by, lines)
    for key, line in lines.items():
        line.key, line.label = key, labels[key]
    return ResponseTimeReport(
        period=period,
        group_by=group_by,
        business_hours=calendar is not None,
        groups=[lines[key] for key in ordered_keys(group_by, labels)],
        total=total,
    )


def _spread(line: ResponseLine) -> None:
    for values, names in (
        (line._minutes, ("median_minutes", "p90_minutes")),
        (line._working, ("working_median_minutes", "working_p90_minutes")),
    ):
        values.sort()
        for name, fraction in zip(names, (0.5, 0.9), strict=True):
            found = percentile_cont(values, fraction)
            setattr(line, name, None if found is None else round(found, 1))


def leaderboard(report: ResponseTimeReport) -> list[ResponseLine]:
    """Reps by median response, fastest first; those who touched nobody last."""
    reps = [line for line in report.groups if line.key is not None]
    return sorted(reps, key=lambda line: (line.median_minutes is None, line.median_minutes or 0))
