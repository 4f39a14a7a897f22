"""The scoring model over the API: rules, thresholds, and the score page, with their rights."""

import importlib
from datetime import timedelta

import pytest

from scoring import services
from scoring.models import Rule, ScoringSettings
from scoring.services import EventIn
from tests.factories import ContactFactory
from tests.scoring.helpers import T0, event

pytestmark = pytest.mark.django_db

PRICING = {
    "name": "Pricing page",
    "dimension": "engagement",
    "points": 10,
    "event_type": "page_viewed",
    "attribute": "url",
    "operator": "contains",
    "value": "/pricing",
    "max_times": 3,
}


def test_marketing_writes_rules_and_every_role_reads_them(api, marketer, rep):
    created = api.as_user(marketer).post("/api/v1/scoring/rules/", PRICING, format="json")
    assert created.status_code == 201
    rule = created.json()
    assert (rule["kind"], rule["active"], rule["value"]) == ("event", True, "/pricing")
    url = f"/api/v1/scoring/rules/{rule['id']}/"
    changed = api.as_user(marketer).patch(url, {"points": 12, "active": False}, format="json")
    assert (changed.json()["points"], changed.json()["active"]) == (12, False)

    listed = api.as_user(rep).get("/api/v1/scoring/rules/?kind=event&active=false").json()
    assert [r["name"] for r in listed["results"]] == ["Pricing page"]
    assert api.as_user(rep).patch(url, {"points": 1}, format="json").status_code == 403
    assert (
        api.as_user(rep).post("/api/v1/scoring/rules/", PRICING, format="json").status_code == 403
    )
    assert api.as_user(marketer).delete(url).status_code == 204


@pytest.mark.parametrize(
    "change, field",
    [
        ({"event_type": "", "attribute": ""}, "event_type"),
        ({"event_type": "has space"}, "event_type"),
        ({"operator": "gte", "value": 3}, "operator"),
        ({"operator": "in", "value": []}, "value"),
        ({"operator": "contains", "value": ""}, "value"),
        ({"attribute": "", "operator": "contains"}, "attribute"),
        ({"dimension": "mood"}, "dimension"),
        ({"max_times": 0}, "max_times"),
        (
            {"event_type": "", "attribute": "company_size", "operator": "gte", "value": 5},
            "max_times",
        ),
        ({"event_type": "", "attribute": "password", "max_times": None}, "attribute"),
        (
            {
                "event_type": "",
                "attribute": "company_size",
                "operator": "contains",
                "value": "5",
                "max_times": None,
            },
            "operator",
        ),
        (
            {
                "event_type": "",
                "attribute": "company_size",
                "operator": "gte",
                "value": "50",
                "max_times": None,
            },
            "value",
        ),
        (
            {
                "event_type": "",
                "attribute": "attributes.plan",
                "operator": "is_set",
                "value": "yes",
                "max_times": None,
            },
            "value",
        ),
        ({"points": 5000}, "points"),
    ],
)
def test_a_rule_that_cannot_work_is_a_400_naming_the_field(api, marketer, change, field):
    reply = api.as_user(marketer).post("/api/v1/scoring/rules/", PRICING | change, format="json")
    assert reply.status_code == 400, reply.json()
    assert field in reply.json()
    assert not Rule.objects.exists()


def test_the_default_rules_are_valid():
    defaults = importlib.import_module("scoring.migrations.0002_default_rules")
    names = (
        "name",
        "dimension",
        "points",
        "event_type",
        "attribute",
        "operator",
        "value",
        "max_times",
    )
    for row in defaults.RULES:
        Rule(**dict(zip(names, row, strict=True))).full_clean()


def test_a_rule_that_gave_points_is_kept_until_switched_off_and_recomputed(api, marketer, send):
    rule = api.as_user(marketer).post("/api/v1/scoring/rules/", PRICING, format="json").json()
    send(event("1", ContactFactory(), type="page_viewed", properties={"url": "/pricing"}))
    url = f"/api/v1/scoring/rules/{rule['id']}/"
    assert api.as_user(marketer).delete(url).status_code == 409


def test_thresholds_are_read_by_all_and_changed_by_marketing(api, marketer, rep):
    assert api.as_user(rep).get("/api/v1/scoring/settings/").json()["mql_threshold"] == 60
    reply = api.as_user(marketer).patch(
        "/api/v1/scoring/settings/", {"mql_threshold": 70, "half_life_days": 14}, format="json"
    )
    assert (reply.json()["mql_threshold"], reply.json()["half_life_days"]) == (70, 14)
    assert (
        api.as_user(rep)
        .patch("/api/v1/scoring/settings/", {"mql_threshold": 1}, format="json")
        .status_code
        == 403
    )


@pytest.mark.parametrize(
    "change, field",
    [
        ({"hot_threshold": 50}, "hot_threshold"),
        ({"half_life_days": 0}, "half_life_days"),
        ({"mql_threshold": "high"}, "mql_threshold"),
    ],
)
def test_thresholds_that_cannot_work_are_a_400(api, marketer, change, field):
    reply = api.as_user(marketer).patch("/api/v1/scoring/settings/", change, format="json")
    assert reply.status_code == 400
    assert field in str(reply.json())


def test_the_score_page_is_seen_by_whoever_sees_the_contact(api, rep, other_rep, send):
    mine = ContactFactory(owner=rep, stage="sql")
    assert api.as_user(rep).get(f"/api/v1/contacts/{mine.pk}/score/").status_code == 200
    assert api.as_user(other_rep).get(f"/api/v1/contacts/{mine.pk}/score/").status_code == 403
    assert api.as_user(rep).get("/api/v1/contacts/999999/score/").status_code == 404
    api.force_authenticate(None)
    assert api.get(f"/api/v1/contacts/{mine.pk}/score/").status_code == 401


def test_the_score_page_shows_decayed_points_beside_the_points_given(api, marketer, rule):
    ScoringSettings.objects.update(half_life_days=10)
    rule("Webinar", 40, event_type="webinar_registered")
    rule("Big", 20, dimension="fit", attribute="company_size", operator="gte", value=100)
    ada = ContactFactory(company_size=200)
    services.events_ingest(
        events=[EventIn(key="1", type="webinar_registered", occurred_at=T0, contact_id=ada.pk)],
        now=T0 + timedelta(days=10),
    )
    page = api.as_user(marketer).get(f"/api/v1/contacts/{ada.pk}/score/").json()
    assert (page["score"], page["fit"]["score"], page["engagement"]["score"]) == (40, 20, 20)
    assert page["engagement"]["rules"] == [
        {
            "rule": page["engagement"]["rules"][0]["rule"],
            "name": "Webinar",
            "source": "event",
            "active": True,
            "times": 1,
            "points": 40,
            "current_points": 20.0,
        }
    ]
    assert [(r["name"], r["source"], r["current_points"]) for r in page["fit"]["rules"]] == [
        ("Big", "profile", 20.0)
    ]
