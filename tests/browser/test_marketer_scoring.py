"""A marketer tunes the MQL threshold: the effect shows before saving, the rescore's
progress after, then a lead's page says why it scored. In Chromium against a live server."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from leads.models import Contact
from leads.stages import Stage
from scoring import services
from scoring.models import RecomputeJob, Rule
from scoring.services import EventIn, events_ingest
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def scored_leads():
    """Two leads at 40 (a webinar and a big company), one at 10: none reaches 60."""
    Rule.objects.all().delete()
    rules = {
        "webinar_registered": ("Webinar registered", 25, "engagement", {}),
        "page_viewed": ("Pricing page", 10, "engagement", {}),
    }
    for event_type, (name, points, dimension, extra) in rules.items():
        services.rule_create(
            name=name, points=points, dimension=dimension, event_type=event_type, **extra
        )
    services.rule_create(
        name="Company of 50+ people", points=15, dimension="fit",
        attribute="company_size", operator="gte", value=50,
    )  # fmt: skip
    yesterday = timezone.now() - timedelta(days=1)
    people = [("Ada", "Lovelace", 200, "webinar_registered"), ("Grace", "Hopper", 120,
              "webinar_registered"), ("Alan", "Turing", 5, "page_viewed")]  # fmt: skip
    events = []
    for first, last, size, event_type in people:
        contact = ContactFactory(
            stage=Stage.LEAD, first_name=first, last_name=last, company_size=size
        )
        events.append(
            EventIn(f"{first}-1", event_type, yesterday, contact_id=contact.pk,
                    properties={"title": "Scoring that sales trust", "url": "/webinars/42"})
        )  # fmt: skip
    events_ingest(events=events)
    assert not Contact.objects.filter(stage=Stage.MQL).exists()


def test_a_marketer_previews_a_threshold_saves_it_and_sees_why_a_lead_scored(
    log_in, live_server, marketer, screenshot
):
    scored_leads()
    page = log_in("marketer")
    page.goto(f"{live_server.url}/scoring/")
    expect(page.get_by_role("cell", name="Webinar registered", exact=True)).to_be_visible()
    screenshot(page, "scoring_rules")

    page.get_by_role("link", name="Thresholds").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("0 contacts would become MQL")
    page.get_by_label("MQL threshold").fill("35")  # the preview follows as one types
    expect(preview.locator("[data-preview-mql]")).to_have_text("2")
    assert Rule.objects.count() == 3 and not RecomputeJob.objects.exists()  # nothing saved
    screenshot(page, "scoring_thresholds_preview")

    page.get_by_role("button", name="Save and rescore").click()
    expect(page.locator(".message.success")).to_contain_text("Thresholds saved.")
    progress = page.get_by_role("progressbar", name="Recompute progress")
    expect(progress).to_be_visible()
    screenshot(page, "scoring_recompute_progress")

    services.recompute_run(job_id=RecomputeJob.objects.get().pk)  # what the worker does
    expect(page.locator("#recompute-job")).to_contain_text("Scores are up to date")
    expect(page.locator("#recompute-job")).to_contain_text("2 became MQL")
    assert Contact.objects.filter(stage=Stage.MQL).count() == 2

    page.get_by_role("link", name="Contacts", exact=True).click()
    page.get_by_role("link", name="Ada Lovelace").click()
    score = page.locator(".score-panel")
    expect(score).to_contain_text("Webinar registered")
    expect(score).to_contain_text("Company of 50+ people")
    expect(score).to_contain_text("At or above the MQL threshold (35).")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Registered for a webinar")
    expect(timeline).to_contain_text(re.compile(r"Score \d+ crossed the MQL threshold 35"))
    screenshot(page, "contact_score_explained")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "contact_score_explained_phone")
