"""
The window of dates and times anyone may type or send: one rule for every entry point.

A date far in the past breaks the maths a report or a decay does with it (an event of
0001-01-01 at a short half-life underflowed every later recompute), and one far in the
future is a typo. So every date a user gives (an event's time, a campaign's days, a rep's
"away until", a target's month, a report's range) falls between ``DATES_EARLIEST`` and a
horizon ahead: events ``EVENTS_MAX_AHEAD`` past now (clocks drift), plans
``DATES_HORIZON_DAYS`` ahead. The limits are settings, documented in the README and the
API schema.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

DAY_WINDOW = (
    "From DATES_EARLIEST (default 1970-01-01) to DATES_HORIZON_DAYS (default 3,660) days "
    "after today."
)


def earliest_day() -> date:
    return settings.DATES_EARLIEST


def earliest_moment() -> datetime:
    return timezone.make_aware(datetime.combine(earliest_day(), time.min))


# The calendar's end, less the month a report looks past its last day (its exclusive bound).
CALENDAR_END = date(9999, 11, 30)


def horizon_day() -> date:
    """The last day a plan may name (a campaign's end, a target's month, a report's end)."""
    today = timezone.localdate()
    return min(today + timedelta(days=min(settings.DATES_HORIZON_DAYS, 10**6)), CALENDAR_END)


def latest_event_moment(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + settings.EVENTS_MAX_AHEAD


def day_problem(value: date) -> str | None:
    """Why ``value`` is outside the window of days, or None."""
    first, last = earliest_day(), horizon_day()
    if not first <= value <= last:
        return f"Use a day from {first.isoformat()} to {last.isoformat()}."
    return None


def moment_problem(value: datetime, *, latest: datetime) -> str | None:
    """Why ``value`` (aware) is outside ``[DATES_EARLIEST, latest]``, or None."""
    if value < earliest_moment():
        return f"Use a time from {earliest_day().isoformat()} on."
    if value > latest:
        return f"Use a time up to {latest.isoformat(timespec='seconds')}."
    return None


def validate_day(value: date) -> None:
    """A field validator: models, forms and serializers refuse a day outside the window."""
    if problem := day_problem(value):
        raise ValidationError(problem, code="out_of_window")


def validate_planned_moment(value: datetime) -> None:
    """A field validator for a time that plans ahead (a rep away until...)."""
    latest = timezone.make_aware(datetime.combine(horizon_day(), time.max))
    if problem := moment_problem(value, latest=latest):
        raise ValidationError(problem, code="out_of_window")


def validate_event_moment(value: datetime) -> None:
    """A field validator for when an event happened: not before the window, at most
    ``EVENTS_MAX_AHEAD`` past now."""
    if problem := moment_problem(value, latest=latest_event_moment()):
        raise ValidationError(problem, code="out_of_window")


# What the API schema can say of the window. JSON Schema bounds no date, but a pattern can
# name the years: the whole calendar years inside the window (a day or a time of the years
# at its edges may be refused all the same, which the descriptions say).
_MONTH_DAY = r"-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
_TIME = r"T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|[+-](?:0\d|1[0-3]):[0-5]\d)"


def _years(first: date, last: date) -> str:
    starts = range(first.year + (first > date(first.year, 1, 1)), last.year + 1)
    years = [year for year in starts if date(year, 12, 31) <= last] or [first.year]
    return "(?:" + "|".join(str(year) for year in years) + ")"


def day_pattern() -> str:
    """The days ``validate_day`` takes, as a pattern for the schema."""
    return f"^{_years(earliest_day(), horizon_day())}{_MONTH_DAY}$"


def moment_pattern(latest: datetime) -> str:
    """Times from ``DATES_EARLIEST`` to ``latest`` as a pattern: a day's margin on each side,
    since a time's zone offset moves it across a year's edge."""
    first = earliest_day() + timedelta(days=1)
    return f"^{_years(first, latest.date() - timedelta(days=1))}{_MONTH_DAY}{_TIME}$"


def planned_moment_pattern() -> str:
    return moment_pattern(timezone.make_aware(datetime.combine(horizon_day(), time.max)))


def event_moment_pattern() -> str:
    return moment_pattern(latest_event_moment())
