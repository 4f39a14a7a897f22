"""Deadlines in working hours: weekends, nights, daylight-saving changes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from sla.calendar import BusinessCalendar, add_business_hours

PARIS = ZoneInfo("Europe/Paris")
OFFICE = BusinessCalendar(
    time_zone=PARIS, work_days=frozenset(range(5)), start_hour=9, end_hour=18
)


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        # Within one working day.
        (paris(2026, 3, 2, 10), 2, paris(2026, 3, 2, 12)),
        # Friday 17:00 + 2 h: one hour on Friday, one on Monday.
        (paris(2026, 3, 6, 17), 2, paris(2026, 3, 9, 10)),
        # Saturday: the clock waits for Monday 9:00.
        (paris(2026, 3, 7, 11), 3, paris(2026, 3, 9, 12)),
        # Night: counting starts at the next morning.
        (paris(2026, 3, 3, 22), 1, paris(2026, 3, 4, 10)),
        # 48 working hours from Thursday 9:00 is 5 days of 9 h, plus 3 h: next Thursday 12:00.
        (paris(2026, 3, 5, 9), 48, paris(2026, 3, 12, 12)),
        # Ending exactly at closing time stays on that day.
        (paris(2026, 3, 2, 9), 9, paris(2026, 3, 2, 18)),
    ],
)
def test_business_hours_skip_nights_and_weekends(start, hours, due):
    assert add_business_hours(start, hours, OFFICE) == due


def test_daylight_saving_day_counts_its_real_working_hours():
    # Paris springs forward on Sunday 29 March 2026; a 24-hour window that day is 23 hours.
    always = BusinessCalendar(
        time_zone=PARIS, work_days=frozenset(range(7)), start_hour=0, end_hour=24
    )
    start = paris(2026, 3, 29, 0)
    assert add_business_hours(start, 24, always) == paris(2026, 3, 30, 1)


def test_result_is_in_utc_whatever_the_start_zone():
    start = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)  # 17:00 in Paris
    assert add_business_hours(start, 2, OFFICE) == datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "fields",
    [
        {"work_days": frozenset()},
        {"work_days": frozenset({7})},
        {"start_hour": 18, "end_hour": 9},
        {"end_hour": 25},
    ],
)
def test_impossible_calendars_are_refused(fields):
    values = {"time_zone": PARIS, "work_days": frozenset(range(5)), "start_hour": 9}
    values["end_hour"] = 18
    with pytest.raises(ValueError):
        BusinessCalendar(**{**values, **fields})


def test_naive_start_is_refused():
    with pytest.raises(ValueError):
        add_business_hours(datetime(2026, 3, 2, 9), 1, OFFICE)
