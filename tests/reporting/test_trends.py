"""Trends: every conversion rate month by month with its change, and the team that owns
each step, so that a falling rate points at who can fix it."""

from datetime import date

import pytest

from reporting.periods import Period
from reporting.selectors import Mode, trends_report

pytestmark = pytest.mark.django_db


def test_each_rate_by_month_with_its_change_and_its_team(january):
    trends = trends_report(
        period=Period.of(date(2026, 1, 1), date(2026, 2, 28)), today=date(2026, 3, 1)
    )
    assert trends.mode == Mode.PERIOD
    teams = {step.name: step.team for step in trends.steps}
    assert (teams["lead_to_mql"], teams["mql_to_sql"]) == ("marketing", "sales")
    jan, feb = trends.months
    # Period counts. January: 9 leads, 6 MQLs, 3 SQLs; February: f1 lead, MQL and SQL.
    assert (jan.rates["lead_to_mql"], jan.rates["mql_to_sql"]) == (0.6667, 0.5)
    assert (feb.rates["lead_to_mql"], feb.rates["mql_to_sql"]) == (1.0, 1.0)
    assert (feb.change["lead_to_mql"], feb.change["mql_to_sql"]) == (0.3333, 0.5)
    assert jan.change["lead_to_mql"] is None  # no month before
    assert feb.rates["qso_to_client"] is None and feb.change["qso_to_client"] is None
