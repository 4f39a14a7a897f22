"""A marketer prepares a new version of the scoring model, runs it in shadow on the events
that come in, publishes it after seeing whom it would make MQL (everyone rescored by it)
and, when it makes too many MQLs, rolls back to the version before. In Chromium."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads.models import Contact
from leads.stages import Stage
from scoring import services, shadow
from scoring.models import RecomputeJob, Rule, RuleSet, ShadowJob
from scoring.services import EventIn, events_ingest
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def a_webinar_lead() -> Contact:
    Rule.objects.all().delete()
    services.rule_create(
        name="Webinar registered", points=25, dimension="engagement",
        event_type="webinar_registered",
    )  # fmt: skip
    lead = ContactFactory(stage=Stage.LEAD, first_name="Ada", last_name="Lovelace")
    events_ingest(events=[EventIn("ada-1", "webinar_registered", lead.created_at, lead.pk)])
    return lead


def run_the_recompute() -> None:
    services.recompute_run(job_id=RecomputeJob.objects.latest("pk").pk)  # the worker's part


def build_the_shadow() -> None:
    shadow.build_run(job_id=ShadowJob.objects.latest("pk").pk)  # the worker's part


def test_a_marketer_drafts_shadows_publishes_and_rolls_back_a_version(
    log_in, live_server, marketer, screenshot
):
    lead = a_webinar_lead()
    first = RuleSet.published()
    page = log_in("marketer")
    page.goto(f"{live_server.url}/scoring/releases/")
    page.get_by_role("button", name="New draft of the rules in use").click()
    expect(page.locator(".message.success")).to_contain_text("made: change its rules")
    expect(page.locator(".message.info")).to_contain_text("they score nobody")

    page.get_by_role("link", name="Edit Webinar registered").click()
    page.get_by_role("spinbutton", name="Points").fill("70")
    page.get_by_role("button", name="Save rule").click()
    expect(page.locator(".message.success")).to_contain_text("saved in the draft")
    assert Contact.objects.get(pk=lead.pk).score == 25  # a draft scores nobody

    page.get_by_role("link", name="Releases").click()
    expect(page.get_by_role("heading", name="Versions")).to_be_visible()
    row = page.locator("tr", has=page.locator(".badge-new"))  # the draft's row
    draft = RuleSet.objects.get(pk=int(row.get_attribute("id").removeprefix("version-")))
    row.get_by_role("button", name="Run in shadow").click()
    expect(page.locator(".message.success")).to_contain_text("is in shadow")
    build_the_shadow()
    newcomer = ContactFactory(stage=Stage.LEAD, first_name="Bob", last_name="Newcomer")
    events_ingest(events=[EventIn("bob-1", "webinar_registered", timezone.now(), newcomer.pk)])
    assert Contact.objects.get(pk=newcomer.pk).stage == Stage.LEAD  # the shadow promotes no one
    page.reload()
    figures = page.locator("#shadow-figures")
    expect(figures.locator(".kpi").nth(1)).to_contain_text("1")  # Bob, by the shadow only
    expect(page.get_by_role("heading", name="Only the shadow made them MQL")).to_be_visible()
    expect(page.get_by_role("link", name="Bob Newcomer")).to_be_visible()
    screenshot(page, "scoring_shadow")

    page.get_by_role("link", name="Publish", exact=True).click()
    expect(page.locator("#newly-mql")).to_contain_text("It would make 2 contacts MQL")
    expect(page.locator("#newly-mql")).to_contain_text("Ada Lovelace")
    page.get_by_label("Why").fill("Webinars close more deals")
    page.get_by_role("button", name="Publish and rescore everyone").click()
    expect(page.locator(".message.success")).to_contain_text("is published")
    run_the_recompute()
    assert Contact.objects.get(pk=lead.pk).stage == Stage.MQL
    assert RuleSet.objects.get(pk=draft.pk).state == "published"
    expect(page.locator(f"#version-{first.pk}")).to_contain_text("Archived")

    page.locator(f"#version-{first.pk}").get_by_role("link", name="Roll back to it").click()
    page.get_by_label("Why").fill("Too many MQLs for the reps")
    page.get_by_role("button", name="Roll back and rescore everyone").click()
    expect(page.locator(".message.success")).to_contain_text("is back in use")
    run_the_recompute()
    assert Contact.objects.get(pk=lead.pk).score == 25
    expect(page.locator(f"#version-{first.pk}")).to_contain_text("Published")
    expect(page.locator(f"#version-{first.pk}")).to_contain_text("Too many MQLs for the reps")
    expect(page.locator(f"#version-{draft.pk}")).to_contain_text("Archived")
