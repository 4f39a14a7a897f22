"""A marketer looks at the accounts: best first, the stage mix of their people, the
marketing-qualified ones marked; changes how companies are scored and sees them scored
again. In Chromium."""

import pytest
from playwright.sync_api import expect

from leads.models import Contact
from leads.stages import Stage
from scoring import services
from scoring.companies import companies_score
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def people_at(domain: str, company: str, *scores: tuple[int, str]) -> None:
    for n, (fit, stage) in enumerate(scores):
        contact = ContactFactory(email=f"p{n}@{domain}", company=company, stage=stage)
        Contact.objects.filter(pk=contact.pk).update(fit_score=fit, score=fit)


def test_a_marketer_reads_the_accounts_and_changes_how_they_are_scored(
    log_in, live_server, marketer, screenshot
):
    services.settings_update(company_aggregate="sum", mqa_threshold=100)
    people_at("acme.example", "Acme", (60, Stage.MQL), (50, Stage.LEAD), (5, Stage.SQL))
    people_at("globex.example", "Globex", (40, Stage.LEAD))
    companies_score()
    page = log_in("marketer")
    page.goto(f"{live_server.url}/scoring/releases/")
    page.get_by_role("link", name="Companies").click()
    rows = page.locator("table.companies tbody tr")
    expect(rows.first).to_contain_text("Acme")
    expect(rows.first).to_contain_text("MQA")
    expect(rows.first).to_contain_text("MQL · 1")
    expect(rows.first.get_by_role("img")).to_have_attribute("aria-label", "Lead 1, MQL 1, SQL 1")
    screenshot(page, "companies")

    score = page.locator("a.sort", has_text="Score")
    score.click()  # best first, as by default
    expect(page.locator("th", has=score)).to_have_attribute("aria-sort", "descending")
    score.click()  # then lowest first
    expect(rows.first).to_contain_text("Globex")
    page.get_by_label("Marketing-qualified accounts only").check()
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Acme")

    page.get_by_label("A company's score is").select_option("max")
    page.get_by_role("button", name="Save and score again").click()
    expect(page.locator(".message.success")).to_contain_text("being scored again")
    companies_score()  # the worker's part
    page.goto(f"{live_server.url}/companies/")
    expect(
        page.locator("#company-" + str(Contact.objects.get(email="p0@acme.example").account_id))
    ).to_contain_text("60")
