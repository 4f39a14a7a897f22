"""Evidence tests start from a known scoring model where they build their own history: no
rules but the test's, plain thresholds, so every point in an assertion is visible."""

import pytest

from evidence import tasks
from scoring import services
from scoring.models import Rule, ScoringSettings


@pytest.fixture
def plain_scoring(db):
    Rule.objects.all().delete()
    ScoringSettings.objects.update_or_create(
        pk=1,
        defaults={
            "mql_threshold": 60,
            "min_fit": None,
            "min_engagement": None,
            "hot_threshold": None,
            "half_life_days": None,
        },
    )


@pytest.fixture
def rule(plain_scoring):
    """``rule(name, points, event_type=..., ...)``: a rule created through the service."""

    def make(name: str, points: int, dimension: str = "engagement", **fields) -> Rule:
        return services.rule_create(name=name, points=points, dimension=dimension, **fields)

    return make


@pytest.fixture
def queued(monkeypatch):
    """The analysis ids sent to the worker (no broker needed to test what runs)."""
    ids: list[int] = []
    monkeypatch.setattr(tasks.run_analysis, "delay", ids.append)
    return ids
