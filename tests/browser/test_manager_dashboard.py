"""A manager reads the dashboard (every chart drawn, a filter redraws them), the SLA breaches
and policies, and sets a target; a rep is told of a missed deadline in the top bar and
gets the 403 page on the dashboard. In Chromium against a live server."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads import services as leads
from leads.models import Channel
from leads.stages import Stage
from reporting.models import Target
from reporting.periods import month_start
from sla.sweep import sla_sweep
from tests.factories import CampaignFactory, ContactFactory
from tests.sla.conftest import make_mql, make_policy

pytestmark = pytest.mark.django_db(transaction=True)


def a_month_of_work(rep, manager):
    """15 leads, 7 of them from a webinar; MQLs answered in time, late and not at all."""
    now = timezone.now()
    days = lambda n: now - timedelta(days=n)  # noqa: E731
    ebook = CampaignFactory(name="Pricing e-book", channel=Channel.EBOOK, spend="800.00")
    webinar = CampaignFactory(name="Spring webinar", channel=Channel.WEBINAR, spend="2400.00")
    for n in range(12):
        campaign = ebook if n < 8 else webinar
        reached = {"lead_at": days(20)}
        if n % 3 == 0 or campaign is webinar:
            reached["mql_at"] = days(18)
        ContactFactory(campaign=campaign, stage=Stage.LEAD, created_at=days(21), **reached)
    make_policy(name="MQL answered within 2 days")
    in_time, late, forgotten = (
        make_mql(owner=rep, at=days(6), campaign=webinar, first_name=name)
        for name in ("Quick", "Slow", "Forgotten")
    )
    leads.contact_accept(contact=in_time, by=rep, at=days(5))
    leads.contact_accept(contact=late, by=rep, at=days(2))
    sla_sweep(now=now)  # the forgotten one is breached; the rep and managers are told
    Target.objects.create(stage=Stage.MQL, month=month_start(timezone.localdate()), goal=20)


def test_a_manager_reads_the_dashboard_and_a_filter_redraws_it(
    log_in, live_server, manager, rep, screenshot
):
    a_month_of_work(rep, manager)
    page = log_in("manager")
    page.goto(f"{live_server.url}/dashboard/")
    charts = page.locator("canvas[data-drawn]")
    expect(charts).to_have_count(10)  # funnel, targets, 2 sources, 2 trends, 2 SLA, 2 speed
    funnel = page.locator("#panel-funnel")
    expect(funnel.locator(".kpi").first).to_have_text("15Leads")
    expect(page.locator("#panel-sla")).to_contain_text("Late")
    expect(page.locator("#panel-targets")).to_contain_text("of 20")
    csv = funnel.get_by_role("link", name="Download CSV")
    expect(csv).to_have_attribute("href", re.compile(r"/api/v1/reports/funnel/\?.*format=csv"))
    screenshot(page, "dashboard")

    page.get_by_label("Channel", exact=True).select_option("webinar")
    page.get_by_role("button", name="Apply").click()
    expect(funnel.locator(".kpi").first).to_have_text("7Leads")
    expect(charts).to_have_count(10)
    funnel.get_by_text("Data table").click()
    expect(funnel.get_by_role("row", name="Leads")).to_contain_text("7")

    page.get_by_role("link", name="SLA breaches").click()
    expect(page.get_by_role("cell", name="Forgotten", exact=False)).to_be_visible()
    screenshot(page, "sla_breaches")
    page.get_by_role("link", name="Policies").click()
    expect(page.get_by_role("heading", name="MQL answered within 2 days")).to_be_visible()
    screenshot(page, "sla_policies")

    page.goto(f"{live_server.url}/dashboard/targets/")
    page.get_by_label("Stage").select_option("sql")
    page.get_by_label("Goal").fill("8")
    page.get_by_role("button", name="Add target").click()
    expect(page.locator(".message.success")).to_contain_text("Target saved: 8 SQLs")
    screenshot(page, "targets")

    page.goto(f"{live_server.url}/dashboard/")
    expect(charts).to_have_count(10)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # the charts follow the narrower width
    screenshot(page, "dashboard_phone")


def test_a_rep_sees_the_missed_deadline_in_the_top_bar_but_not_the_dashboard(
    log_in, live_server, manager, rep, screenshot
):
    a_month_of_work(rep, manager)
    page = log_in("rep")
    bell = page.get_by_role("link", name="Notifications: 1 unread")
    expect(bell).to_be_visible()
    bell.click()
    expect(page.locator(".inbox")).to_contain_text("Forgotten")
    screenshot(page, "notifications")
    page.get_by_role("button", name="Mark read").click()
    expect(page.get_by_role("link", name="Notifications: none unread")).to_be_visible()

    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", name="You cannot open this page")).to_be_visible()
