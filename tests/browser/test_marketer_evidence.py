"""A marketer backtests the current rules against an edited rule set: the progress bar
while it runs, then the two side by side against what really happened, in place. In
Chromium against a live server."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evidence import services
from evidence.models import Analysis
from scoring import services as scoring
from scoring.models import Rule, ScoringSettings
from tests.evidence.factories import person

pytestmark = pytest.mark.django_db(transaction=True)


def history() -> None:
    """Sixty leads over the last months: those who asked for a demo became SQL (most of
    them clients), those who only opened e-mails rarely did. The rules in force pay for the
    e-mails."""
    Rule.objects.all().delete()
    ScoringSettings.objects.update(mql_threshold=60, min_fit=None, min_engagement=None,
                                   hot_threshold=None, half_life_days=30)  # fmt: skip
    scoring.rule_create(name="E-mail opened", dimension="engagement", points=30,
                        event_type="email_opened", max_times=5)  # fmt: skip
    scoring.rule_create(name="Demo requested", dimension="engagement", points=20,
                        event_type="demo_requested")  # fmt: skip
    start = timezone.now() - timedelta(days=150)
    for n in range(60):
        lead = start + timedelta(days=2 * n)
        demo = n % 3 == 0
        events = [("email_opened", lead), ("email_opened", lead + timedelta(hours=5))]
        events += [("demo_requested", lead + timedelta(hours=6))] * demo
        converted = demo or n % 10 == 1
        handoff = lead + timedelta(hours=5) if n % 2 else None
        sql = lead + timedelta(days=1) if converted else None
        client = sql + timedelta(days=9) if demo and n % 2 == 0 else None
        person(created=lead, events=events, mql=handoff or sql, sql=sql, client=client)


def test_a_marketer_backtests_two_rule_sets_and_reads_them_side_by_side(
    log_in, live_server, marketer, rep, screenshot
):
    history()
    page = log_in("marketer")
    page.goto(f"{live_server.url}/scoring/")
    page.get_by_role("link", name="Evidence").click()
    backtest = page.locator("#backtest")
    expect(backtest).to_contain_text("Nothing run yet")

    backtest.get_by_text("Edit candidate B").click()
    backtest.get_by_label("Name of candidate B").fill("Demos first")
    backtest.get_by_label("Points of Demo requested").fill("60")
    backtest.get_by_label("E-mail opened on").uncheck()
    backtest.get_by_role("button", name="Run the backtest").click()
    progress = page.get_by_role("progressbar", name="Backtest progress")
    expect(progress).to_be_visible()
    assert [rule.points for rule in Rule.objects.order_by("name")] == [20, 30]  # not saved
    screenshot(page, "evidence_backtest_running")

    services.analysis_run(analysis_id=Analysis.objects.get().pk)  # what the worker does
    summary = page.locator("table.backtest")
    expect(summary).to_be_visible(timeout=10_000)  # the poll swaps the result in
    expect(summary.locator("thead")).to_contain_text("A · Current rules")
    expect(summary.locator("thead")).to_contain_text("B · Demos first")
    expect(summary.locator("thead")).to_contain_text("What really happened")
    became_sql = summary.get_by_role("row", name="… that became SQL")
    expect(became_sql).to_contain_text("↑")  # B's MQLs convert better, said in words
    expect(became_sql).to_contain_text("pts vs A")
    expect(page.locator("#backtest .notes")).to_contain_text("The 1 sales rep received")
    expect(page.locator("#chart-backtest-mqls canvas")).to_be_visible()
    screenshot(page, "evidence_backtest_side_by_side")
