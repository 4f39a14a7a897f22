"""Events scored as they arrive: points, caps, decay by age, lead and MQL moves, signals."""

from datetime import timedelta

import pytest

from leads.models import Contact
from leads.stages import Stage
from scoring import services
from scoring.models import ContactRuleScore, ScoringSettings
from scoring.services import EventIn
from scoring.signals import thresholds_crossed
from tests.factories import ContactFactory
from tests.scoring.helpers import T0, event
from tests.utils import receiving

pytestmark = pytest.mark.django_db


def figures(contact: Contact) -> tuple[int, int, int]:
    contact.refresh_from_db()
    return contact.score, contact.fit_score, contact.engagement_score


def ingest(contact, *specs, now=None):
    """``specs``: (key, type, occurred_at[, properties]) events for one contact."""
    events = [
        EventIn(
            key=s[0],
            type=s[1],
            occurred_at=s[2],
            contact_id=contact.pk,
            properties=s[3] if len(s) > 3 else {},
        )
        for s in specs
    ]
    return services.events_ingest(events=events, now=now or T0 + timedelta(days=1))


def test_each_matching_rule_adds_its_points_to_its_dimension(send, rule):
    rule("Opened", 5, event_type="email_opened")
    rule("Opened, counted twice", 1, event_type="email_opened")
    rule(
        "Job seeker",
        -20,
        dimension="fit",
        event_type="page_viewed",
        attribute="url",
        operator="contains",
        value="/careers",
    )
    ada = ContactFactory()
    send(
        event("1", ada),
        event("2", ada),
        event("3", ada, type="page_viewed", properties={"url": "/careers/dev"}),
    )
    assert figures(ada) == (-8, -20, 12)


def test_max_times_caps_the_count_per_contact_across_batches(send, rule):
    rule("Pricing", 10, event_type="page_viewed", max_times=2)
    ada, bob = ContactFactory(), ContactFactory()
    send(event("a1", ada, type="page_viewed"))
    send(
        event("a2", ada, type="page_viewed"),
        event("a3", ada, type="page_viewed"),
        event("b1", bob, type="page_viewed"),
    )
    assert figures(ada)[0] == 20
    assert figures(bob)[0] == 10
    counter = ContactRuleScore.objects.get(contact=ada)
    assert (counter.times, counter.value) == (2, 2)


def test_first_engagement_makes_a_lead_dated_at_the_first_engaging_event(send, rule):
    rule("Opened", 5, event_type="email_opened")
    ada = ContactFactory()
    send(
        event("0", ada, type="unscored", at=T0 - timedelta(hours=2)),
        event("2", ada, at=T0 + timedelta(hours=1)),
        event("1", ada, at=T0),
    )
    ada.refresh_from_db()
    assert (ada.stage, ada.lead_at) == (Stage.LEAD, T0)
    transition = ada.transitions.get()
    assert (transition.move, transition.actor, transition.at) == ("engage", None, T0)


def test_events_without_engagement_points_do_not_make_a_lead(send, rule):
    rule("Job seeker", -20, dimension="fit", event_type="page_viewed")
    ada = ContactFactory()
    send(event("1", ada, type="page_viewed"), event("2", ada, type="unknown_thing"))
    ada.refresh_from_db()
    assert ada.stage == Stage.CONTACT


def test_a_recycled_contact_who_engages_again_is_a_lead_again(send, rule):
    rule("Opened", 5, event_type="email_opened")
    ada = ContactFactory(stage=Stage.RECYCLED, stage_changed_at=T0 - timedelta(days=3))
    send(event("1", ada))
    ada.refresh_from_db()
    assert ada.stage == Stage.LEAD


def test_the_crossing_event_promotes_once_dated_at_itself(
    send, rule, django_capture_on_commit_callbacks
):
    rule("Demo", 40, event_type="demo_requested")
    ada = ContactFactory(stage=Stage.LEAD, stage_changed_at=T0 - timedelta(days=5))
    crossing = T0 + timedelta(hours=3)
    with receiving(thresholds_crossed) as sent, django_capture_on_commit_callbacks(execute=True):
        send(
            event("1", ada, type="demo_requested", at=T0),
            event("3", ada, type="demo_requested", at=crossing + timedelta(hours=1)),
            event("2", ada, type="demo_requested", at=crossing),
        )
        send(event("4", ada, type="demo_requested", at=crossing + timedelta(hours=2)))
    ada.refresh_from_db()
    assert (ada.stage, ada.mql_at, ada.score) == (Stage.MQL, crossing, 160)
    mql = ada.transitions.get(to_stage=Stage.MQL)
    assert (mql.at, mql.actor, mql.reason) == (
        crossing,
        None,
        "Score 80 crossed the MQL threshold 60",
    )
    crossed = [c for batch in sent for c in batch["crossings"]]
    assert [(c.level, c.score, c.at) for c in crossed] == [
        ("mql", 80, crossing),
        ("hot", 120, crossing + timedelta(hours=1)),
    ]


def test_threshold_signals_go_out_with_the_crossing_in_its_transaction(
    rule, django_capture_on_commit_callbacks
):
    rule("Demo", 70, event_type="demo_requested")
    ada = ContactFactory(stage=Stage.LEAD)
    with (
        receiving(thresholds_crossed) as sent,
        django_capture_on_commit_callbacks(execute=False),  # no commit callback runs
    ):
        ingest(ada, ("1", "demo_requested", T0))
    assert [c.contact_id for batch in sent for c in batch["crossings"]] == [ada.pk]


def test_minimum_fit_and_engagement_hold_back_the_promotion(send, rule):
    ScoringSettings.objects.update(min_fit=10, min_engagement=30)
    rule("Demo", 70, event_type="demo_requested")
    rule("Good fit", 20, dimension="fit", event_type="form_submitted")
    student = ContactFactory(stage=Stage.LEAD, stage_changed_at=T0 - timedelta(days=1))
    send(event("1", student, type="demo_requested"))
    student.refresh_from_db()
    assert (student.score, student.stage) == (70, Stage.LEAD)
    send(event("2", student, type="form_submitted", at=T0 + timedelta(hours=1)))
    student.refresh_from_db()
    assert (student.score, student.stage) == (90, Stage.MQL)
    assert student.mql_at == T0 + timedelta(hours=1)


def test_points_going_down_never_demote_and_a_dip_within_a_batch_does_not_promote(send, rule):
    rule("Demo", 70, event_type="demo_requested")
    rule("Unsubscribed", -50, event_type="unsubscribed")
    mql = ContactFactory(stage=Stage.MQL)
    send(
        event("1", mql, type="demo_requested"),
        event("2", mql, type="unsubscribed", at=T0 + timedelta(hours=1)),
    )
    lead = ContactFactory(stage=Stage.LEAD)
    send(
        event("3", lead, type="demo_requested"),
        event("4", lead, type="unsubscribed", at=T0 + timedelta(hours=1)),
    )
    mql.refresh_from_db()
    lead.refresh_from_db()
    assert (mql.score, mql.stage) == (20, Stage.MQL)
    assert (lead.score, lead.stage) == (20, Stage.LEAD)


def test_a_score_that_falls_below_and_crosses_again_counts_again(
    rule, django_capture_on_commit_callbacks
):
    rule("Demo", 70, event_type="demo_requested")
    rule("Unsubscribed", -50, event_type="unsubscribed")
    ada = ContactFactory(stage=Stage.RECYCLED, stage_changed_at=T0 - timedelta(days=9))
    ingest(ada, ("1", "demo_requested", T0 - timedelta(days=8)))
    ada.refresh_from_db()
    assert ada.stage == Stage.MQL  # recycled -> lead -> MQL
    with receiving(thresholds_crossed) as sent, django_capture_on_commit_callbacks(execute=True):
        ingest(ada, ("2", "unsubscribed", T0))
        ingest(ada, ("3", "demo_requested", T0 + timedelta(hours=1)))
    crossed = [c for batch in sent for c in batch["crossings"]]
    assert [(c.level, c.score) for c in crossed] == [("mql", 90), ("hot", 90)]


def test_a_late_event_counts_with_the_points_left_after_its_age(rule):
    ScoringSettings.objects.update(half_life_days=10)
    rule("Webinar", 40, event_type="webinar_registered")
    rule("Job seeker", -20, dimension="fit", event_type="page_viewed")
    ada = ContactFactory()
    now = T0 + timedelta(days=20)
    ingest(ada, ("1", "webinar_registered", T0), ("2", "page_viewed", T0), now=now)
    assert figures(ada) == (-10, -20, 10)  # 40 * 0.5 ** 2; fit does not decay
    ingest(ada, ("3", "webinar_registered", now - timedelta(days=10)), now=now)
    assert figures(ada) == (10, -20, 30)


def test_a_late_event_is_not_dated_before_the_contacts_last_move(rule):
    rule("Demo", 70, event_type="demo_requested")
    recycled_at = T0 + timedelta(days=2)
    ada = ContactFactory(stage=Stage.RECYCLED, stage_changed_at=recycled_at)
    ingest(ada, ("1", "demo_requested", T0))
    ada.refresh_from_db()
    assert ada.stage == Stage.MQL
    assert list(ada.transitions.values_list("at", flat=True)) == [recycled_at, recycled_at]


def test_an_event_from_before_the_contact_existed_keeps_its_time(rule):
    rule("Demo", 70, event_type="demo_requested")
    ada = ContactFactory(
        created_at=T0 + timedelta(days=2), stage_changed_at=T0 + timedelta(days=2)
    )
    ingest(ada, ("1", "demo_requested", T0))
    ada.refresh_from_db()
    assert (ada.lead_at, ada.mql_at) == (T0, T0)


def test_a_contact_never_scored_gets_its_profile_points_with_its_first_event(rule):
    rule("Big", 10, dimension="fit", attribute="company_size", operator="gte", value=50)
    rule("Opened", 5, event_type="email_opened")
    ada = ContactFactory(company_size=80)  # created without the lifecycle service
    ingest(ada, ("1", "email_opened", T0))
    assert figures(ada) == (15, 10, 5)


def test_a_switched_off_rule_scores_nothing_new(send, rule):
    opened = rule("Opened", 5, event_type="email_opened")
    services.rule_update(rule=opened, active=False)
    ada = ContactFactory()
    send(event("1", ada))
    assert figures(ada) == (0, 0, 0)
