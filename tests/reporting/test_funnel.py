"""The funnel report against hand-computed figures of the ``january`` scenario (conftest):
skips count as passes, recycled, lost and erased contacts are counted, spend is prorated by
days, and a rate or a cost with nothing to divide by is null."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings

from reporting.periods import Period
from reporting.selectors import GroupBy, Mode, Scope, funnel_report
from tests.factories import CampaignFactory

from .conftest import at

pytestmark = pytest.mark.django_db

JANUARY = (date(2026, 1, 1), date(2026, 1, 31))
TODAY = date(2026, 3, 1)


def report(start=JANUARY[0], end=JANUARY[1], **options):
    return funnel_report(period=Period.of(start, end), today=TODAY, **options)


def counts(line) -> tuple[int, ...]:
    return tuple(line.counts.values())  # contact, lead, mql, sql, qso, client


def costs(line) -> tuple:
    return tuple(None if c is None else str(c) for c in line.cost.values())  # lead..client


def by_label(report) -> dict:
    return {line.label: line for line in report.groups}


def test_cohort_counts_every_contact_created_in_the_range_once_per_stage_it_reached(january):
    funnel = report(group_by=GroupBy.CAMPAIGN)
    groups = by_label(funnel)
    assert list(groups) == ["Demo requests", "E-book: Pipeline math", "No campaign"]
    # c1..c5: c5 skipped MQL (counted), c3 recycled, c4 lost; x0 was created in December.
    assert counts(groups["E-book: Pipeline math"]) == (5, 4, 3, 2, 1, 0)
    # d1 skipped lead and won in February (a cohort counts it), d3 was erased.
    assert counts(groups["Demo requests"]) == (3, 3, 3, 1, 1, 1)
    assert counts(groups["No campaign"]) == (1, 1, 0, 0, 0, 0)
    assert counts(funnel.total) == (9, 8, 6, 3, 2, 1)


def test_rates_are_reached_b_over_reached_a_and_null_without_a_denominator(january):
    funnel = report(group_by=GroupBy.CAMPAIGN)
    assert funnel.total.rates == {
        "contact_to_lead": 0.8889,
        "lead_to_mql": 0.75,
        "mql_to_sql": 0.5,
        "sql_to_qso": 0.6667,
        "qso_to_client": 0.5,
        "lead_to_client": 0.125,
    }
    no_campaign = by_label(funnel)["No campaign"].rates
    assert no_campaign["lead_to_mql"] == 0.0
    assert no_campaign["mql_to_sql"] is None


def test_cost_per_stage_divides_prorated_spend_by_the_attributed_contacts(january):
    groups = by_label(report(group_by=GroupBy.CAMPAIGN))
    ebook, demo, none = (
        groups["E-book: Pipeline math"],
        groups["Demo requests"],
        groups["No campaign"],
    )
    assert (ebook.spend, ebook.spend_prorated) == (Decimal("1000.00"), False)
    assert costs(ebook) == ("250.00", "333.33", "500.00", "1000.00", None)
    # 16 of the campaign's 30 days fall in January: 3,000 x 16 / 30.
    assert (demo.spend, demo.currency, demo.spend_prorated) == (Decimal("1600.00"), "EUR", True)
    assert costs(demo) == ("533.33", "533.33", "1600.00", "1600.00", "1600.00")
    assert (none.spend, costs(none)) == (None, (None,) * 5)


def test_the_total_cost_leaves_contacts_without_a_campaign_out_of_the_denominator(january):
    total = report().total
    assert total.spend == Decimal("2600.00")
    # 7 attributed leads (n1 has no campaign), 6 MQLs, 3 SQLs, 2 QSOs, 1 client.
    assert costs(total) == ("371.43", "433.33", "866.67", "1300.00", "2600.00")
    assert any("prorated by days" in note for note in report().notes)


def test_period_mode_counts_who_entered_each_stage_in_the_range(january):
    funnel = report(mode=Mode.PERIOD, group_by=GroupBy.CHANNEL)
    groups = by_label(funnel)
    # x0 (created in December) became a lead in January; d1 won only in February; c3's
    # return to MQL in February is not a first time.
    assert counts(groups["E-book"]) == (5, 5, 3, 2, 1, 0)
    assert counts(groups["Demo request"]) == (3, 3, 3, 1, 1, 0)
    assert counts(funnel.total) == (9, 9, 6, 3, 2, 0)
    assert costs(groups["E-book"]) == ("200.00", "333.33", "500.00", "1000.00", None)


def test_grouping_by_month_shows_every_month_with_its_own_spend(january):
    funnel = report(end=date(2026, 2, 28), group_by=GroupBy.MONTH)
    jan, feb = funnel.groups
    assert (jan.key, jan.label, feb.key) == ("2026-01", "January 2026", "2026-02")
    assert counts(jan) == (9, 8, 6, 3, 2, 1)
    assert counts(feb) == (1, 1, 1, 1, 0, 0)  # f1
    assert (jan.spend, feb.spend) == (Decimal("2600.00"), Decimal("1400.00"))
    assert costs(feb) == ("1400.00", "1400.00", "1400.00", None, None)
    # Over both months the demo campaign ran entirely inside the range: nothing prorated.
    assert (funnel.total.spend, funnel.total.spend_prorated) == (Decimal("4000.00"), False)


def test_grouping_by_owner_counts_per_current_owner_without_cost(january):
    funnel = report(group_by=GroupBy.OWNER)
    groups = by_label(funnel)
    assert list(groups) == ["rep", "rep2", "Unassigned"]
    assert counts(groups["rep"]) == (5, 5, 5, 3, 2, 1)  # c3, c4, c5, d1, d3
    assert counts(groups["rep2"]) == (1, 1, 1, 0, 0, 0)  # d2
    assert counts(groups["Unassigned"]) == (3, 2, 0, 0, 0, 0)  # c1, c2, n1
    assert groups["rep"].spend is None and costs(groups["rep"]) == (None,) * 5
    assert funnel.total.spend == Decimal("2600.00")  # the whole funnel still has a cost


def test_filters_keep_only_the_chosen_channel_or_owner(january):
    ebook = report(scope=Scope(channel="ebook")).total
    assert counts(ebook) == (5, 4, 3, 2, 1, 0)
    assert ebook.spend == Decimal("1000.00")
    mine = report(scope=Scope(owner=january.rep.pk)).total
    assert counts(mine) == (5, 5, 5, 3, 2, 1)
    assert mine.spend is None  # campaign spend is not a rep's


def test_an_empty_range_gives_zeros_and_null_rates_and_costs(january):
    funnel = report(start=date(2025, 6, 1), end=date(2025, 6, 30), group_by=GroupBy.CAMPAIGN)
    assert funnel.groups == []
    assert counts(funnel.total) == (0,) * 6
    assert set(funnel.total.rates.values()) == {None}
    assert (funnel.total.spend, costs(funnel.total)) == (None, (None,) * 5)


def test_a_campaign_that_spent_without_bringing_anyone_shows_its_spend_and_no_cost(january):
    funnel = report(start=date(2026, 2, 5), end=date(2026, 2, 14), group_by=GroupBy.CAMPAIGN)
    (demo,) = funnel.groups
    assert (demo.label, counts(demo)) == ("Demo requests", (0,) * 6)
    assert demo.spend == Decimal("1000.00")  # 10 of 30 days
    assert costs(demo) == (None,) * 5


def test_a_campaign_without_an_end_runs_to_today(db):
    CampaignFactory(spend=Decimal("900"), started_on=date(2026, 2, 20), ended_on=None)
    # Feb 20 to today (Mar 1) is 10 days; the range holds Feb 20-28: 9 of them.
    funnel = report(start=date(2026, 2, 1), end=date(2026, 2, 28))
    assert (funnel.total.spend, funnel.total.spend_prorated) == (Decimal("810.00"), True)


def test_different_currencies_are_never_added_up(db):
    CampaignFactory(spend=Decimal("100"), currency="EUR")
    CampaignFactory(spend=Decimal("100"), currency="USD")
    funnel = report()
    assert (funnel.total.spend, funnel.total.currency) == (None, None)
    assert any("different currencies" in note for note in funnel.notes)


@override_settings(TIME_ZONE="Europe/Paris")
def test_months_and_ranges_are_cut_at_midnight_in_the_configured_time_zone(walk):
    # 23:30 UTC on January 31 is already February 1 in Paris; 22:30 UTC on March 31 is
    # April 1 there (summer time).
    walk(at("2026-01-31", 23, 30)).lead(at("2026-03-31", 22, 30))
    walk(at("2026-01-31", 22, 30)).lead(at("2026-03-31", 21, 30))
    cohort = report(start=date(2026, 1, 1), end=date(2026, 2, 28), group_by=GroupBy.MONTH)
    assert [(m.key, m.counts["contact"]) for m in cohort.groups] == [
        ("2026-01", 1),
        ("2026-02", 1),
    ]
    period = report(
        start=date(2026, 3, 1), end=date(2026, 4, 30), mode=Mode.PERIOD, group_by=GroupBy.MONTH
    )
    assert [(m.key, m.counts["lead"]) for m in period.groups] == [("2026-03", 1), ("2026-04", 1)]
    assert str(period.period.tz) == "Europe/Paris"
