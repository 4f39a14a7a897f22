"""Engagement fades: the periodic task ages stored scores without replaying any history."""

from datetime import timedelta

import pytest

from leads.stages import Stage
from scoring import services, tasks
from scoring.models import ContactScore, ScoringSettings
from scoring.services import EventIn
from scoring.sql import decay_factor
from tests.factories import ContactFactory
from tests.scoring.helpers import T0

pytestmark = pytest.mark.django_db

HALF_LIFE = timedelta(days=10)


@pytest.fixture(autouse=True)
def ten_day_half_life(plain_scoring):
    ScoringSettings.objects.update(half_life_days=10)


def ingest(contact, key: str, type: str, at=T0):
    services.events_ingest(
        events=[EventIn(key=key, type=type, occurred_at=at, contact_id=contact.pk)], now=at
    )


def figures(contact) -> tuple[int, int, int]:
    contact.refresh_from_db()
    return contact.score, contact.fit_score, contact.engagement_score


def test_engagement_halves_every_half_life_and_fit_stays(rule):
    rule("Webinar", 80, event_type="webinar_registered")
    rule("Decision maker", 30, dimension="fit", event_type="form_submitted")
    ada = ContactFactory()
    ingest(ada, "1", "webinar_registered")
    ingest(ada, "2", "form_submitted")
    assert figures(ada) == (110, 30, 80)
    assert services.scores_decay(now=T0 + HALF_LIFE) == 1
    assert figures(ada) == (70, 30, 40)
    services.scores_decay(now=T0 + 2 * HALF_LIFE)
    assert figures(ada) == (50, 30, 20)


def test_aging_in_small_steps_gives_the_score_of_aging_at_once(rule):
    rule("Webinar", 80, event_type="webinar_registered")
    ada = ContactFactory()
    ingest(ada, "1", "webinar_registered")
    for hours in range(1, 24 * 15, 7):
        services.scores_decay(now=T0 + timedelta(hours=hours))
    end = T0 + timedelta(days=15)
    services.scores_decay(now=end)
    parts = ContactScore.objects.get(contact=ada)  # valid at its as_of: age it to the end
    stored = parts.event_engagement * decay_factor((end - parts.as_of).total_seconds(), 864000)
    assert stored == pytest.approx(80 * 0.5**1.5)
    assert figures(ada) == (28, 0, 28)


def test_a_contact_whose_rounded_score_does_not_move_is_not_rewritten(rule):
    rule("Webinar", 80, event_type="webinar_registered")
    ada = ContactFactory()
    ingest(ada, "1", "webinar_registered")
    before = ContactScore.objects.get(contact=ada).as_of
    assert services.scores_decay(now=T0 + timedelta(minutes=30)) == 0
    assert ContactScore.objects.get(contact=ada).as_of == before


def test_decay_never_demotes_but_clears_the_mark_so_a_new_crossing_counts(rule):
    rule("Demo", 70, event_type="demo_requested")
    ada = ContactFactory(stage=Stage.LEAD, stage_changed_at=T0 - timedelta(days=1))
    ingest(ada, "1", "demo_requested")
    ada.refresh_from_db()
    assert ada.stage == Stage.MQL
    services.scores_decay(now=T0 + HALF_LIFE)
    ada.refresh_from_db()
    assert (ada.score, ada.stage) == (35, Stage.MQL)
    assert not ContactScore.objects.get(contact=ada).mql


def test_faded_engagement_becomes_zero_and_leaves_the_work_list(rule):
    rule("Opened", 1, event_type="email_opened")
    ada = ContactFactory()
    ingest(ada, "1", "email_opened")
    services.scores_decay(now=T0 + 20 * HALF_LIFE)
    parts = ContactScore.objects.get(contact=ada)
    assert (parts.event_engagement, figures(ada)) == (0, (0, 0, 0))
    assert services.scores_decay(now=T0 + 40 * HALF_LIFE) == 0


def test_without_a_half_life_nothing_decays(rule):
    ScoringSettings.objects.update(half_life_days=None)
    rule("Webinar", 80, event_type="webinar_registered")
    ada = ContactFactory()
    ingest(ada, "1", "webinar_registered")
    assert services.scores_decay(now=T0 + 5 * HALF_LIFE) == 0
    assert figures(ada) == (80, 0, 80)


def test_the_beat_task_ages_scores_up_to_now(rule):
    rule("Webinar", 80, event_type="webinar_registered")
    ada = ContactFactory()
    ingest(ada, "1", "webinar_registered", at=T0)  # months before the real clock
    assert tasks.decay_scores() == 1
    assert figures(ada) == (0, 0, 0)
