"""What the issue asks to show, through the API alone: the score follows the events exactly,
a repeat changes nothing, the crossing event makes an MQL once, dated at itself, and the
score page names the rules behind the points."""

from datetime import datetime, timedelta

import pytest

from tests.scoring.helpers import T0

pytestmark = pytest.mark.django_db


def test_scores_follow_events_and_the_crossing_event_makes_an_mql_once(api, marketer):
    client = api.as_user(marketer)
    for body in (
        {
            "name": "Demo requested",
            "dimension": "engagement",
            "points": 40,
            "event_type": "demo_requested",
        },
        {
            "name": "Pricing page",
            "dimension": "engagement",
            "points": 15,
            "event_type": "page_viewed",
            "attribute": "url",
            "operator": "contains",
            "value": "/pricing",
            "max_times": 2,
        },
        {
            "name": "Big company",
            "dimension": "fit",
            "points": 10,
            "attribute": "company_size",
            "operator": "gte",
            "value": 50,
        },
    ):
        assert client.post("/api/v1/scoring/rules/", body, format="json").status_code == 201
    settings = {"mql_threshold": 60, "min_fit": 10, "half_life_days": None}
    assert client.patch("/api/v1/scoring/settings/", settings, format="json").status_code == 200
    contact = client.post(
        "/api/v1/contacts/", {"email": "ada@acme.example", "company_size": 120}, format="json"
    ).json()
    assert (contact["score"], contact["fit_score"], contact["stage"]) == (10, 10, "contact")

    def send(*events):
        body = [
            {
                "id": key,
                "type": kind,
                "occurred_at": at.isoformat(),
                "contact": contact["id"],
                "properties": {"url": url},
            }
            for key, kind, url, at in events
        ]
        return client.post("/api/v1/events/", body, format="json").json()

    def figures():
        c = client.get(f"/api/v1/contacts/{contact['id']}/").json()
        return c["score"], c["fit_score"], c["engagement_score"], c["stage"]

    first = [
        ("e1", "page_viewed", "/pricing", T0),
        ("e2", "page_viewed", "/blog", T0 + timedelta(minutes=1)),
        ("e3", "page_viewed", "/pricing#plans", T0 + timedelta(minutes=2)),
    ]
    assert send(*first) == {"accepted": 3, "duplicates": 0}
    assert figures() == (40, 10, 30, "lead")
    assert send(*first) == {"accepted": 0, "duplicates": 3}
    assert figures() == (40, 10, 30, "lead")

    crossing_at = T0 + timedelta(hours=2)
    second = [
        ("e4", "page_viewed", "/pricing", T0 + timedelta(hours=1)),  # over max_times: 0
        ("e5", "demo_requested", "", crossing_at),
        ("e6", "demo_requested", "", crossing_at + timedelta(hours=1)),
    ]
    assert send(*second) == {"accepted": 3, "duplicates": 0}
    assert figures() == (120, 10, 110, "mql")
    assert send(*second) == {"accepted": 0, "duplicates": 3}
    assert figures() == (120, 10, 110, "mql")

    history = client.get(f"/api/v1/contacts/{contact['id']}/history/").json()["results"]
    assert [(h["from_stage"], h["to_stage"], h["actor"]) for h in history] == [
        ("contact", "lead", None),
        ("lead", "mql", None),
    ]
    assert datetime.fromisoformat(history[0]["at"]) == T0
    assert datetime.fromisoformat(history[1]["at"]) == crossing_at
    assert history[1]["reason"] == "Score 80 crossed the MQL threshold 60"

    score = client.get(f"/api/v1/contacts/{contact['id']}/score/").json()
    assert score["score"] == 120
    assert [(r["name"], r["times"], r["points"]) for r in score["engagement"]["rules"]] == [
        ("Demo requested", 2, 80),
        ("Pricing page", 2, 30),
    ]
    assert [(r["name"], r["times"], r["points"]) for r in score["fit"]["rules"]] == [
        ("Big company", 1, 10)
    ]
