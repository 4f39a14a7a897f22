"""The score ledger: every change of a contact's figures is a row with its deltas, cause and
version, whatever path changed them (events, a profile edit, decay, a release's recompute),
so the ledger always sums to the score; the API explains a past score from it, and the
contact page draws it."""

import json
import random
import re
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.urls import reverse

from leads import services as leads_services
from leads.models import Contact
from leads.stages import Stage
from scoring import releases, services
from scoring.models import RuleSet, ScoreCause, ScoreChange, ScoringSettings
from scoring.services import EventIn
from tests.factories import ContactFactory
from tests.scoring.helpers import T0

pytestmark = pytest.mark.django_db


@pytest.fixture
def model(rule):
    ScoringSettings.objects.update(half_life_days=7)
    rule("Demo", 40, event_type="demo_requested")
    rule("Opened", 3, event_type="email_opened", max_times=5)
    rule("Big company", 15, dimension="fit", attribute="company_size", operator="gte", value=50)


def ingest(contact, kind, at, key):
    services.events_ingest(events=[EventIn(key, kind, at, contact_id=contact.pk)], now=at)


def ledger_sum(contact) -> tuple[int, int]:
    sums = ScoreChange.objects.filter(contact=contact).aggregate(
        fit=Sum("fit_delta"), eng=Sum("engagement_delta")
    )
    return sums["fit"] or 0, sums["eng"] or 0


def test_an_event_writes_one_row_with_its_deltas_cause_and_version(model):
    lead = ContactFactory(stage=Stage.LEAD)
    ingest(lead, "demo_requested", T0, "d1")
    row = ScoreChange.objects.get(contact=lead)
    assert (row.fit_delta, row.engagement_delta, row.cause) == (0, 40, ScoreCause.EVENT)
    assert (row.at, row.ruleset) == (T0, RuleSet.published())
    ingest(lead, "unscored_thing", T0 + timedelta(hours=1), "u1")
    assert ScoreChange.objects.filter(contact=lead).count() == 1  # no change, no row


def test_whatever_changes_the_score_the_ledger_sums_to_it(model, marketer):
    """Random walks of events, profile edits, decay and a release with its recompute."""
    rng = random.Random(7)
    people = [ContactFactory(stage=Stage.LEAD, company_size=10) for _ in range(6)]
    now = T0
    for step in range(60):
        now += timedelta(hours=rng.randint(1, 90))
        person = rng.choice(people)
        action = rng.random()
        if action < 0.5:
            kind = rng.choice(["demo_requested", "email_opened", "page_viewed"])
            ingest(person, kind, now, f"e{step}")
        elif action < 0.7:
            size = rng.choice([5, 80, 600])
            leads_services.contact_update(
                contact=Contact.objects.get(pk=person.pk), by=marketer, company_size=size
            )
        elif action < 0.9:
            services.scores_decay(now=now)
        else:
            draft = releases.ruleset_draft(by=marketer)
            draft.rules.filter(name="Opened").update(points=rng.choice([1, 3, 6]))
            _, job = services.ruleset_publish(ruleset=draft, by=marketer, reason="Tuning")
            services.recompute_run(job_id=job.pk, now=now)
    for person in Contact.objects.filter(pk__in=[p.pk for p in people]):
        assert ledger_sum(person) == (person.fit_score, person.engagement_score)
    causes = set(ScoreChange.objects.values_list("cause", flat=True))
    assert {ScoreCause.EVENT, ScoreCause.PROFILE, ScoreCause.DECAY} <= causes


def test_the_api_explains_the_score_as_it_was_then(api, marketer, model):
    lead = ContactFactory(stage=Stage.LEAD)
    ingest(lead, "email_opened", T0, "o1")
    ingest(lead, "demo_requested", T0 + timedelta(days=1), "d1")
    url = f"/api/v1/contacts/{lead.pk}/score/"
    client = api.as_user(marketer)

    then = client.get(url, {"at": (T0 + timedelta(hours=2)).isoformat()}).json()
    assert (then["score"], then["fit"], then["engagement"], then["qualifies"]) == (3, 0, 3, False)
    assert [c["cause"] for c in then["changes"]] == ["event"]
    later = client.get(url, {"at": (T0 + timedelta(days=1, hours=1)).isoformat()}).json()
    assert (later["score"], later["qualifies"]) == (43, False)  # under 60 then
    assert later["ruleset"] == RuleSet.published().pk
    before = client.get(url, {"at": (T0 - timedelta(days=1)).isoformat()}).json()
    assert (before["score"], before["changes"]) == (0, [])
    assert "fit" in client.get(url).json() and "rules" in client.get(url).json()["fit"]


def test_a_past_score_is_judged_by_the_version_published_then(api, marketer, model):
    lead = ContactFactory(stage=Stage.LEAD)
    ingest(lead, "demo_requested", T0, "d1")
    ingest(lead, "email_opened", T0 + timedelta(minutes=5), "o1")
    first = RuleSet.published()
    RuleSet.objects.filter(pk=first.pk).update(published_at=T0 - timedelta(days=30))
    draft = releases.ruleset_draft(by=marketer)
    releases.ruleset_update(ruleset=draft, mql_threshold=40, hot_threshold=90)
    services.ruleset_publish(ruleset=draft, by=marketer, reason="Lower the bar")
    url = f"/api/v1/contacts/{lead.pk}/score/"
    then = api.as_user(marketer).get(url, {"at": (T0 + timedelta(hours=1)).isoformat()}).json()
    assert (then["score"], then["ruleset"], then["mql_threshold"]) == (43, first.pk, 60)
    assert then["qualifies"] is False


def test_a_bad_moment_is_a_400(api, marketer, model):
    lead = ContactFactory(stage=Stage.LEAD)
    answer = api.as_user(marketer).get(f"/api/v1/contacts/{lead.pk}/score/", {"at": "soon"})
    assert answer.status_code == 400 and "at" in answer.json()


def test_the_contact_page_draws_the_score_over_time(client, marketer, model):
    lead = ContactFactory(stage=Stage.LEAD)
    ingest(lead, "email_opened", T0, "o1")
    ingest(lead, "demo_requested", T0 + timedelta(days=2), "d1")
    client.force_login(marketer)
    panel = client.get(reverse("scoring:contact_score", args=[lead.pk])).content.decode()
    assert "Score over time" in panel and 'data-chart="chart-data-score-history"' in panel
    spec = re.search(
        r'id="chart-data-score-history" type="application/json">(.*?)</script>', panel
    )
    assert spec, panel
    assert json.loads(spec.group(1))["series"][0]["values"] == [
        3,
        42,
    ]  # the e-mail faded meanwhile
