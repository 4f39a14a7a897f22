"""A rep's touches in Chromium: logged from the queue without leaving it, then from the
contact page with the keyboard alone; the lead status and the SLA clock follow."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads.models import Contact, LeadStatus
from sla.models import StopsOn
from tests.sla.conftest import make_mql, make_policy

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_rep_logs_a_call_from_the_queue_then_another_from_the_keyboard(
    log_in, live_server, rep, screenshot
):
    make_policy(hours=1, stops_on=StopsOn.FIRST_TOUCH)
    nina = make_mql(owner=rep, at=timezone.now() - timedelta(minutes=10), first_name="Nina")
    page = log_in("rep")

    page.goto(f"{live_server.url}/queue/")
    row = page.locator(f"#queue-row-{nina.pk}")
    expect(row.locator(".lead-status")).to_have_text("New")
    expect(row.locator("time.due")).to_contain_text("in ")  # the first-touch clock runs
    row.locator("summary", has_text="Log").click()
    row.get_by_label("Outcome").select_option("no_answer")
    row.get_by_label("Notes").fill("Rang twice")
    row.get_by_role("button", name="Log it").click()
    expect(row.locator(".lead-status")).to_have_text("Attempting")  # the row, redrawn
    expect(row.locator("time.due")).to_have_count(0)  # and the outbound call stopped it
    assert page.url == f"{live_server.url}/queue/"
    screenshot(page, "queue_after_a_logged_call")

    page.goto(f"{live_server.url}/contacts/{nina.pk}/")
    log = page.locator("#log")
    log.get_by_label("Outcome").select_option("connected")
    log.get_by_label("Subject").fill("Discovery call")
    log.get_by_label("Subject").press("Control+Enter")
    expect(page.locator(".message.success")).to_contain_text("Call logged")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Discovery call")
    expect(timeline).to_contain_text("Rang twice")
    screenshot(page, "contact_after_a_connected_call")
    assert Contact.objects.get(pk=nina.pk).lead_status == LeadStatus.CONNECTED
