"""Each role's main journey, end to end in Chromium against a live server."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads.models import Contact, Definition
from leads.stages import Stage
from tests.browser.conftest import PASSWORD
from tests.factories import CampaignFactory, ContactFactory
from tests.sla.conftest import make_mql, make_policy

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_marketer_finds_a_lead_and_marks_it_mql(page, log_in, live_server, marketer, screenshot):
    ebook = CampaignFactory(name="Spring e-book")
    ContactFactory(
        stage=Stage.LEAD,
        first_name="Ada",
        last_name="Lovelace",
        company="Analytical Engines",
        campaign=ebook,
        score=72,
    )
    for name in ("Grace", "Alan", "Edsger"):
        ContactFactory(stage=Stage.LEAD, first_name=name, campaign=ebook)
    ContactFactory(stage=Stage.SQL, first_name="Barbara")

    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "login")
    log_in("marketer")
    expect(page).to_have_url(re.compile(r"/contacts/$"))
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Campaigns")
    screenshot(page, "contacts")

    page.get_by_label("Search").fill("analytical")  # htmx redraws the results as one types
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=analytical"))
    page.get_by_role("link", name="Ada Lovelace").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Lead")
    page.get_by_role("button", name="Mark MQL").click()
    expect(page.get_by_role("status")).to_contain_text("Ada Lovelace is now an MQL")
    expect(page.get_by_role("heading", level=1)).to_contain_text("MQL")
    screenshot(page, "contact_marked_mql")

    # Bulk: two leads and an SQL selected; the SQL is refused by name, the others move.
    page.goto(f"{live_server.url}/contacts/?ordering=first_name")
    for name in ("Alan", "Barbara", "Edsger"):
        page.get_by_label(re.compile(f"Select {name}")).check()
    expect(page.locator("[data-selected-count]")).to_have_text("3 selected")
    page.get_by_role("button", name="Mark MQL").click()
    expect(page.locator(".message.success")).to_contain_text("Marked 2 contacts as MQL.")
    expect(page.locator(".message.warning")).to_contain_text("Barbara")
    assert Contact.objects.filter(stage=Stage.MQL).count() == 3

    page.get_by_role("link", name="Campaigns").click()
    expect(page.get_by_role("cell", name="Spring e-book", exact=True)).to_be_visible()
    screenshot(page, "campaigns")


def test_a_rep_works_the_queue_then_qualifies_and_wins(
    log_in, live_server, rep, other_rep, screenshot, browser
):
    now = timezone.now()
    late = ContactFactory(
        stage=Stage.MQL,
        owner=rep,
        first_name="Late",
        last_name="Larry",
        sla_due_at=now - timedelta(hours=3),
    )
    soon = ContactFactory(
        stage=Stage.MQL,
        owner=rep,
        first_name="Soon",
        last_name="Sally",
        sla_due_at=now + timedelta(hours=5),
    )
    ContactFactory(
        stage=Stage.MQL,
        owner=None,
        first_name="Shared",
        last_name="Sam",
        sla_due_at=now + timedelta(days=1),
    )
    ContactFactory(stage=Stage.MQL, owner=other_rep, first_name="Not", last_name="Mine")

    page = log_in("rep")
    expect(page).to_have_url(re.compile(r"/queue/$"))
    rows = page.locator("section[aria-labelledby=mine-title] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Late Larry")  # most urgent first
    expect(rows.nth(0)).to_have_class("overdue")
    expect(rows.nth(0).locator("time")).to_contain_text("overdue by 3 h")
    # The live countdown (app.js) has taken over from the server's text.
    expect(rows.nth(1).locator("time")).to_have_text(re.compile(r"^in [45] h \d\d min$"))
    expect(page.get_by_text("Not Mine")).to_have_count(0)
    screenshot(page, "my_queue")

    rows.nth(0).get_by_role("button", name="Accept").click()  # htmx swaps the row
    expect(page.locator(".message.success")).to_contain_text("Late Larry accepted")
    expect(page.locator(f"#queue-row-{late.pk}")).to_contain_text("SQL")

    page.locator(f"#queue-row-{soon.pk} summary", has_text="Reject").click()
    page.locator(f"#queue-row-{soon.pk}").get_by_role("button", name="No interest").click()
    expect(page.locator(f"#queue-row-{soon.pk}")).to_contain_text("Recycled")
    expect(page.locator(".message.success")).to_contain_text("Soon Sally rejected")
    assert Contact.objects.get(pk=soon.pk).transitions.get().reason == "No interest"

    shared = page.locator("section[aria-labelledby=shared-title] tbody tr")
    shared.get_by_role("button", name="Claim").click()
    expect(shared.get_by_role("button", name="Accept")).to_be_visible()
    expect(shared).to_contain_text("You")

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state()
    )
    phone_page = phone.new_page()
    phone_page.goto(f"{live_server.url}/queue/")
    expect(phone_page.get_by_role("button", name="Accept").first).to_be_in_viewport()
    screenshot(phone_page, "my_queue_phone")
    phone.close()

    page.goto(f"{live_server.url}/contacts/{late.pk}/")
    page.locator("summary", has_text="Qualify").click()
    page.get_by_label("Budget").fill("0")
    page.get_by_label("Expected close").fill("2026-12-31")
    page.get_by_role("button", name="Qualify").click()
    expect(page.locator("#id_qualify_budget_error")).to_have_text(
        "The budget must be greater than zero."
    )
    page.get_by_label("Budget").fill("5000")
    page.get_by_role("button", name="Qualify").click()
    expect(page.locator(".message.success")).to_contain_text("an opportunity of 5,000 EUR")

    page.locator("summary", has_text="Mark won").click()
    page.get_by_label("Signed amount").fill("4800")
    page.get_by_role("button", name="Mark won").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Client")
    expect(page.locator(".timeline")).to_contain_text("Signed for 4,800 EUR")
    screenshot(page, "contact_won")


def test_a_rep_is_refused_another_reps_contact(log_in, live_server, rep, other_rep, screenshot):
    theirs = ContactFactory(stage=Stage.SQL, owner=other_rep, first_name="Their", last_name="Deal")
    page = log_in("rep")
    response = page.goto(f"{live_server.url}/contacts/{theirs.pk}/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    expect(page.get_by_text("not in your queue")).to_be_visible()
    expect(page.get_by_text("Their Deal")).to_have_count(0)
    screenshot(page, "forbidden")


def test_a_manager_reassigns_from_the_team_queue_and_writes_a_definition(
    log_in, live_server, manager, rep, other_rep, screenshot
):
    waiting = ContactFactory(
        stage=Stage.MQL,
        owner=rep,
        first_name="Wait",
        last_name="Long",
        sla_due_at=timezone.now() - timedelta(days=1),
    )
    page = log_in("manager")
    expect(page).to_have_url(re.compile(r"/queue/team/$"))
    screenshot(page, "team_queue")

    row = page.locator(f"#queue-row-{waiting.pk}")
    row.get_by_label(re.compile("Give Wait Long to")).select_option(label=other_rep.username)
    row.get_by_role("button", name="Reassign").click()
    expect(page.locator(".message.success")).to_contain_text(f"now with {other_rep.username}")
    assert Contact.objects.get(pk=waiting.pk).owner == other_rep

    page.get_by_role("link", name="Definitions").click()
    page.get_by_role("link", name="Write it the definition of MQL").click()
    page.get_by_label("Definition").fill("Score of 60 or more, from a company of 10+.")
    page.get_by_role("button", name="Save definition").click()
    expect(page.locator("#mql")).to_contain_text("Score of 60 or more")
    assert Definition.objects.in_force().get(term="mql").written_by == manager
    screenshot(page, "definitions")


def test_a_reps_answers_show_on_the_managers_dashboard(
    log_in, live_server, manager, rep, browser, screenshot
):
    """The numbers both teams read follow the work: a rep accepts one MQL and rejects the
    other in the queue, and the manager's dashboard shows an SQL more and two in time."""
    make_policy(name="MQL answered within 2 days")
    two_hours_ago = timezone.now() - timedelta(hours=2)
    for name in ("Ann", "Bob"):
        make_mql(owner=rep, at=two_hours_ago, first_name=name, last_name="Buyer")

    dashboard = log_in("manager")

    def figures() -> tuple[str, str]:
        dashboard.goto(f"{live_server.url}/dashboard/")
        funnel, sla = dashboard.locator("#panel-funnel"), dashboard.locator("#panel-sla")
        for panel in (funnel, sla):
            panel.get_by_text("Data table").first.click()
        sqls = funnel.get_by_role("row", name="SQLs").locator("td")
        rep_header = dashboard.get_by_role("rowheader", name="rep", exact=True)
        reps_row = sla.locator("#chart-sla tbody tr").filter(has=rep_header)
        return sqls.inner_text(), reps_row.locator("td").first.inner_text()

    assert figures() == ("0", "0")  # no SQL yet; nothing answered in time yet

    seller = browser.new_context()
    queue = seller.new_page()
    queue.goto(f"{live_server.url}/accounts/login/")
    queue.get_by_label("Username").fill("rep")
    queue.get_by_label("Password").fill(PASSWORD)
    queue.get_by_role("button", name="Log in").click()
    rows = queue.locator("section[aria-labelledby=mine-title] tbody tr")
    rows.filter(has_text="Ann Buyer").get_by_role("button", name="Accept").click()
    expect(queue.locator(".message.success")).to_contain_text("Ann Buyer accepted")
    bob = rows.filter(has_text="Bob Buyer")
    bob.locator("summary", has_text="Reject").click()
    bob.get_by_role("button", name="Bad fit").click()
    expect(queue.locator(".message.success")).to_contain_text("Bob Buyer rejected")
    seller.close()

    assert figures() == ("1", "2")
    screenshot(dashboard, "dashboard_after_the_queue")
