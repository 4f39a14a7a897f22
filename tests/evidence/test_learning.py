"""Suggested points, on histories where the right answer is known: a signal that truly
predicts conversion gets high points, a noise signal gets none; the points beat hand-set
rules that reward the noise on months the model never saw; nothing is applied."""

import random
from datetime import UTC, datetime, timedelta
from datetime import date as day

import pytest

from evidence import learning, services
from evidence.models import Target
from reporting.periods import Period
from scoring.models import RecomputeJob, Rule, ScoringSettings

from .factories import person

pytestmark = pytest.mark.django_db

PERIOD = Period.of(day(2026, 1, 1), day(2026, 6, 30))
NOW = datetime(2026, 7, 20, tzinfo=UTC)


@pytest.fixture
def history(rule):
    """900 leads over six months: asking for a demo (a third of them) takes the odds of
    reaching SQL from 1 in 10 to 6 in 10; opening an e-mail (half of them, at random) and a
    company's industry change nothing. The hand-set rules reward the e-mails most."""
    ScoringSettings.objects.update(mql_threshold=40)
    rule("E-mail opened", 30, event_type="email_opened")
    rule("Demo requested", 10, event_type="demo_requested")
    rule("Software", 15, dimension="fit", attribute="industry", operator="eq", value="Software")
    rng = random.Random(8)
    start = datetime(2026, 1, 2, tzinfo=UTC)
    for n in range(900):
        lead = start + timedelta(hours=4.6 * n)
        demo, opened = rng.random() < 1 / 3, rng.random() < 0.5
        events = [("page_viewed", lead, {"url": "/"})]
        events += [("demo_requested", lead + timedelta(hours=2))] * demo
        events += [("email_opened", lead + timedelta(hours=3))] * opened
        sql = (
            lead + timedelta(days=rng.uniform(1, 5))
            if rng.random() < (0.6 if demo else 0.1)
            else None
        )
        person(created=lead, events=events, mql=sql, sql=sql,
               industry=rng.choice(("Software", "Retail")))  # fmt: skip


def suggest(**options):
    return learning.suggestion_report(
        period=PERIOD,
        holdout_from=services.holdout_start(PERIOD, 2),
        target=Target.SQL,
        window_days=60,
        min_support=30,
        now=NOW,
        **options,
    )


def test_a_true_driver_gets_high_points_and_noise_none(history):
    result = suggest()
    points = {rule["key"]: rule["points"] for rule in result["rules"]}
    # ln(13.5) ≈ 2.6 log-odds, ten points per doubling: about 37 points, shrunk a little.
    assert 25 <= points["event:demo_requested"] <= 45
    assert not {"event:email_opened", "profile:industry=Software"} & points.keys()
    demo = next(rule for rule in result["rules"] if rule["key"] == "event:demo_requested")
    assert (demo["name"], demo["current_points"]) == ("Demo requested", 10)  # updates it


def test_suggested_points_beat_hand_set_rules_on_the_held_out_months(history):
    quality = suggest()["quality"]
    assert quality["suggested"]["contacts"] == quality["current"]["contacts"] > 200
    assert quality["suggested"]["auc"] > quality["current"]["auc"] + 0.1
    assert quality["suggested"]["precision"] > quality["current"]["precision"]


def test_the_model_learns_from_the_earlier_months_only(history):
    result = suggest()
    assert result["holdout"] == {"start": "2026-05-01", "end": "2026-06-30"}
    assert result["training"]["contacts"] + result["quality"]["current"]["contacts"] == 900


def test_a_sample_of_the_others_stands_for_them_all(history, settings):
    settings.EVIDENCE_TRAIN_SAMPLE = 300
    result = suggest()
    assert result["training"]["sampled"] < result["training"]["contacts"]
    points = {rule["key"]: rule["points"] for rule in result["rules"]}
    assert 25 <= points["event:demo_requested"] <= 45


def test_a_suggestion_applies_nothing(history):
    before = list(Rule.objects.values_list("pk", "points", "active"))
    suggest()
    assert list(Rule.objects.values_list("pk", "points", "active")) == before
    assert not RecomputeJob.objects.exists()
