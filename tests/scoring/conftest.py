"""Scoring tests start from a known model: no rules (the default ones are switched off by
deleting them) and plain thresholds, so every point in an assertion is visible in the test."""

import pytest

from scoring import services
from scoring.models import Rule, RuleSet, ScoringSettings

PLAIN = {"mql_threshold": 60, "min_fit": None, "min_engagement": None, "hot_threshold": 90}


@pytest.fixture(autouse=True)
def plain_scoring(db):
    Rule.objects.all().delete()
    ScoringSettings.objects.update_or_create(pk=1, defaults={**PLAIN, "half_life_days": None})
    RuleSet.objects.filter(pk=RuleSet.published().pk).update(**PLAIN)


@pytest.fixture
def rule():
    """``rule(name, points, event_type=..., ...)``: a rule created through the service."""

    def make(name: str, points: int, dimension: str = "engagement", **fields) -> Rule:
        return services.rule_create(name=name, points=points, dimension=dimension, **fields)

    return make


@pytest.fixture
def send(api, marketer):
    """``send(*events)`` posts events through the API as a marketer and returns the reply."""

    def post(*events, expect: int = 200):
        body = events[0] if len(events) == 1 and isinstance(events[0], dict) else list(events)
        response = api.as_user(marketer).post("/api/v1/events/", body, format="json")
        assert response.status_code == expect, response.json()
        return response.json()

    return post
