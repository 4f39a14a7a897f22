"""
Trends: each conversion rate month by month, with the team that owns the step, so that a
falling rate points at who can fix it (lead to MQL is marketing's, MQL to SQL is sales').
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..periods import Period
from .funnel import STEPS, FunnelLine, Mode, Step, funnel_report
from .scope import NO_FILTER, GroupBy, Scope


@dataclass
class TrendMonth:
    month: str
    label: str
    counts: dict[str, int | Decimal]  # contacts: ints (a month counts people, not credit)
    rates: dict[str, float | None]
    change: dict[str, float | None]  # the rate minus the previous month's


@dataclass
class TrendsReport:
    period: Period
    mode: Mode
    steps: tuple[Step, ...]
    months: list[TrendMonth]
    notes: list[str]


def trends_report(
    *,
    period: Period,
    mode: Mode = Mode.PERIOD,
    scope: Scope = NO_FILTER,
    today: date | None = None,
) -> TrendsReport:
    """The funnel grouped by month, read as rates and their month-over-month change.

    Period mode by default: a cohort's rates keep rising while its people convert, so recent
    months would always look like a fall.
    """
    funnel = funnel_report(
        period=period, mode=mode, group_by=GroupBy.MONTH, scope=scope, today=today
    )
    months, previous = [], None
    for line in funnel.groups:
        months.append(
            TrendMonth(
                month=line.key or "",
                label=line.label,
                counts=line.counts,
                rates=line.rates,
                change=_change(line, previous),
            )
        )
        previous = line
    return TrendsReport(
        period=period, mode=mode, steps=STEPS, months=months, notes=[funnel.mode_help]
    )


def _change(line: FunnelLine, previous: FunnelLine | None) -> dict[str, float | None]:
    def delta(name: str) -> float | None:
        now, before = line.rates[name], previous.rates[name] if previous else None
        return None if now is None or before is None else round(now - before, 4)

    return {step.name: delta(step.name) for step in STEPS}
