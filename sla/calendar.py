"""
Deadlines counted in working time: a pure function, no database, so it can be tested across
weekends and daylight-saving changes on its own.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class BusinessCalendar:
    """When a team works: its time zone, its working days (0 = Monday) and daily hours.

    ``end_hour`` may be 24 (working until midnight). Hours are whole local hours, as teams
    state them ("9 to 18, Monday to Friday, Paris time").
    """

    time_zone: ZoneInfo
    work_days: frozenset[int]
    start_hour: int
    end_hour: int

    def __post_init__(self) -> None:
        if not self.work_days or not self.work_days <= set(range(7)):
            raise ValueError(_("work_days must be a non-empty subset of 0..6 (Monday is 0)."))
        if not 0 <= self.start_hour < self.end_hour <= 24:
            raise ValueError(_("Working hours need 0 <= start_hour < end_hour <= 24."))

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's working window in UTC, or None on a day off.

        Built from local wall-clock times and converted to UTC, so a day on which the clocks
        change has its true length (arithmetic on aware datetimes sharing a tzinfo would
        ignore the offset change).
        """
        if day.weekday() not in self.work_days:
            return None
        start = datetime.combine(day, time(self.start_hour), tzinfo=self.time_zone)
        end_day = day + timedelta(days=1) if self.end_hour == 24 else day
        end = datetime.combine(end_day, time(self.end_hour % 24), tzinfo=self.time_zone)
        return start.astimezone(UTC), end.astimezone(UTC)


def add_business_hours(start: datetime, hours: float, calendar: BusinessCalendar) -> datetime:
    """The moment ``hours`` of working time after ``start`` (an aware datetime), in UTC.

    Time outside the working windows does not count: a clock started on Friday at 17:00 with
    2 hours in a 9-18 Monday-Friday calendar is due on Monday at 10:00.
    """
    if start.tzinfo is None:
        raise ValueError(_("start must be an aware datetime."))
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(UTC)
    day = cursor.astimezone(calendar.time_zone).date()
    while True:
        window = calendar.window(day)
        day += timedelta(days=1)
        if window is None or window[1] <= cursor:
            continue
        opens, closes = window
        cursor = max(cursor, opens)
        if cursor + remaining <= closes:
            return cursor + remaining
        remaining -= closes - cursor
        cursor = closes


def business_time_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> timedelta:
    """The working time from ``start`` to ``end`` (aware datetimes): the inverse of
    ``add_business_hours``, so a reply on Monday at 10:00 to a lead of Friday 17:00 in a
    9-18 week took 2 working hours."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError(_("start and end must be aware datetimes."))
    total = timedelta()
    cursor, end = start.astimezone(UTC), end.astimezone(UTC)
    day = cursor.astimezone(calendar.time_zone).date()
    while cursor < end:
        window = calendar.window(day)
        day += timedelta(days=1)
        if window is None or window[1] <= cursor:
            if day > end.astimezone(calendar.time_zone).date():
                break
            continue
        opens, closes = window
        if opens >= end:
            break
        total += min(closes, end) - max(cursor, opens)
        cursor = closes
    return total
