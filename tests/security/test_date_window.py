"""Dates that break the maths: every date a user types or sends is bounded (a 400 naming the
field and the window), and the decay is safe for any date already stored (leads/dates.py,
scoring.sql.decay_factor)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from scoring import services
from scoring.models import Activity, ContactScore, Rule, ScoringSettings
from scoring.sql import decay_factor
from tests.factories import ContactFactory
from tests.web.test_scoring_pages import rule_form

pytestmark = pytest.mark.django_db

YEAR_ONE = datetime(1, 1, 1, tzinfo=UTC)


@pytest.fixture
def one_day_half_life(db):
    Rule.objects.all().delete()  # the default rules would add their own points
    ScoringSettings.objects.update_or_create(pk=1, defaults={"half_life_days": 1})
    services.rule_create(name="Page", dimension="engagement", points=10, event_type="page_viewed")


def test_the_decay_of_any_age_and_half_life_is_a_number_between_0_and_1():
    for age in (-1e12, 0, 1, 86400 * 365 * 2025, 1e300):
        for half_life in (1.0, 86400.0, 86400.0 * 10**6):
            assert 0.0 <= decay_factor(age, half_life) <= 1.0


def test_a_stored_event_of_the_year_1_breaks_no_recompute_and_no_preview(
    one_day_half_life, client, marketer
):
    """Stored before the window existed (or written around the API): a recompute still
    runs to the end, the old event is worth nothing, the recent one its 10 points."""
    contact = ContactFactory()
    Activity.objects.create(
        key="ancient", contact=contact, type="page_viewed", occurred_at=YEAR_ONE, properties={}
    )
    Activity.objects.create(
        key="fresh", contact=contact, type="page_viewed", occurred_at=timezone.now(), properties={}
    )
    job = services.recompute_start(by=None, full=True, enqueue=False)
    assert services.recompute_run(job_id=job.pk).status == "done"
    score = ContactScore.objects.get(contact=contact)
    assert round(score.event_engagement) == 10
    client.force_login(marketer)
    assert client.get("/scoring/rules/preview/", rule_form()).status_code == 200


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/campaigns/", {"started_on": "0001-01-01"}, "started_on"),
        ("/api/v1/campaigns/", {"started_on": "2026-01-01", "ended_on": "9999-01-01"}, "ended_on"),
        ("/api/v1/targets/", {"stage": "mql", "month": "1900-01-01", "goal": 5}, "month"),
    ],
)
def test_a_typed_day_outside_the_window_is_a_400_naming_it(api, manager, url, body, field):
    if "campaigns" in url:
        body = {"name": "Old", "channel": "ebook", "spend": "1.00", "currency": "EUR", **body}
    response = api.as_user(manager).post(url, body, format="json")
    assert response.status_code == 400
    assert response.json()[field][0].startswith("Use a day from 1970-01-01 to ")


@pytest.mark.parametrize("query", ["start=1969-12-31&end=2026-01-01", "end=2999-01-01"])
def test_a_report_range_outside_the_window_is_a_400(api, manager, query):
    response = api.as_user(manager).get(f"/api/v1/reports/funnel/?{query}")
    assert response.status_code == 400
    assert next(iter(response.json().values()))[0].startswith("Use a day from 1970-01-01")


def test_away_until_far_ahead_is_a_400(api, rep):
    far = (timezone.now() + timedelta(days=365 * 50)).isoformat()
    response = api.as_user(rep).put(
        f"/api/v1/sla/availability/{rep.pk}/", {"away": True, "away_until": far}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["away_until"][0].startswith("Use a time up to")


def test_the_window_is_a_setting(api, manager, settings):
    settings.DATES_EARLIEST = datetime(1900, 1, 1).date()
    response = api.as_user(manager).get("/api/v1/reports/funnel/?start=1950-01-01&end=1950-12-31")
    assert response.status_code == 200
