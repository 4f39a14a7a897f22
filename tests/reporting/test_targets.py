"""Targets: goals per stage and month against the contacts that reached the stage that month
(in the configured time zone), with the gap and the pace to the end of the month."""

from datetime import date

import pytest
from django.test import override_settings

from reporting.models import Target
from reporting.periods import Period
from reporting.selectors import targets_report

from .conftest import at

pytestmark = pytest.mark.django_db


def targets(now, start=date(2026, 1, 1), end=date(2026, 3, 31)):
    return {
        (t.stage, t.month.month): t
        for t in targets_report(period=Period.of(start, end), now=now).targets
    }


def test_a_past_month_compares_its_goal_with_what_happened(january):
    Target.objects.create(stage="mql", month=date(2026, 1, 1), goal=10)
    line = targets(now=at("2026-03-10"))[("mql", 1)]
    # c3, c4, c5 (skipped MQL), d1, d2, d3 reached MQL for the first time in January.
    assert (line.actual, line.gap, line.progress) == (6, 4, 0.6)
    assert (line.elapsed, line.projected, line.on_track, line.needed_per_day) == (
        1.0,
        6.0,
        False,
        None,
    )


def test_the_current_month_shows_its_pace_and_what_each_remaining_day_needs(walk):
    walk(at("2026-01-02")).lead(at("2026-01-03")).fast_track(at("2026-01-07"))
    walk(at("2026-01-02")).lead(at("2026-01-03")).fast_track(at("2026-01-08"))
    Target.objects.create(stage="sql", month=date(2026, 1, 1), goal=8)
    # Noon on January 11 in UTC: 10.5 of 31 days gone, two SQLs so far.
    line = targets(now=at("2026-01-11"))[("sql", 1)]
    assert (line.actual, line.gap) == (2, 6)
    assert line.elapsed == pytest.approx(10.5 / 31)
    assert line.expected_to_date == 2.71  # 8 x 10.5 / 31
    assert line.pace == 0.7381  # 2 / 2.71
    assert (line.projected, line.on_track) == (5.9, False)
    assert line.needed_per_day == 0.29  # 6 left over 20.5 days


def test_a_future_month_has_no_pace_yet(january):
    Target.objects.create(stage="client", month=date(2026, 3, 1), goal=2)
    line = targets(now=at("2026-02-15"))[("client", 3)]
    assert (line.actual, line.elapsed, line.pace, line.projected, line.on_track) == (
        0,
        0.0,
        None,
        None,
        None,
    )
    assert line.needed_per_day == round(2 / 31, 2)


def test_only_targets_of_the_months_in_range_are_reported(january):
    Target.objects.create(stage="lead", month=date(2026, 1, 1), goal=5)
    Target.objects.create(stage="lead", month=date(2026, 4, 1), goal=5)
    assert list(targets(now=at("2026-03-10"))) == [("lead", 1)]


@override_settings(TIME_ZONE="Europe/Paris")
def test_actuals_are_counted_by_month_in_the_configured_time_zone(walk):
    walk(at("2026-01-30")).lead(at("2026-01-31", 23, 30))  # February 1st in Paris
    Target.objects.create(stage="lead", month=date(2026, 1, 1), goal=1)
    Target.objects.create(stage="lead", month=date(2026, 2, 1), goal=1)
    found = targets(now=at("2026-03-10"))
    assert (found[("lead", 1)].actual, found[("lead", 2)].actual) == (0, 1)
