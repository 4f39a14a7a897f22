"""
The date range of a report, read in the configured time zone (``TIME_ZONE``): a report "for
March" counts what happened between March 1st 00:00 and April 1st 00:00 *there*, which is
what a team in Paris means, whatever UTC says.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from django.db.models import Q
from django.utils import timezone


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_key(day: date) -> str:
    # Not ``%Y``: C's strftime writes the year 2 as "2", not "0002".
    return f"{day.year:04}-{day.month:02}"


@dataclass(frozen=True)
class Period:
    """Whole days from ``start`` to ``end``, both included, in ``tz``."""

    start: date
    end: date
    tz: tzinfo

    @classmethod
    def of(cls, start: date, end: date) -> "Period":
        return cls(start, end, timezone.get_default_timezone())

    @classmethod
    def month_of(cls, day: date, tz: tzinfo) -> "Period":
        """The whole month ``day`` is in."""
        return cls(month_start(day), next_month(day) - timedelta(days=1), tz)

    @property
    def start_at(self) -> datetime:
        return self.midnight(self.start)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period (exclusive bound)."""
        return self.midnight(self.end + timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def covers(self, column: str) -> Q:
        """A filter: the time in ``column`` falls inside the period."""
        return Q(**{f"{column}__gte": self.start_at, f"{column}__lt": self.end_at})

    def midnight(self, day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time.min), self.tz)

    def months(self) -> Iterator["Period"]:
        """The period cut at month boundaries: one sub-period per month it touches."""
        first = self.start
        while first <= self.end:
            last = min(next_month(first) - timedelta(days=1), self.end)
            yield Period(first, last, self.tz)
            first = last + timedelta(days=1)

    def overlap_days(self, first: date, last: date) -> int:
        """How many days of ``first``..``last`` (both included) fall inside the period."""
        return max(0, (min(last, self.end) - max(first, self.start)).days + 1)

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "time_zone": str(self.tz)}
