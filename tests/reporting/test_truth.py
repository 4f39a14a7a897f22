"""The five cases where a figure used to blame or hide a person, each worked out by hand in
its docstring from the business definitions (domain: "Judging a hand-off"), and checked on
every surface that shows it: the velocity and hand-off reports, the contacts list, the
breaches, the history."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from leads import services as leads
from leads.models import Contact, Transition
from leads.stages import Stage
from reporting.periods import Period
from reporting.selectors import GroupBy, funnel_report, handoff_report, velocity_report
from scoring import services as scoring
from scoring.models import Rule, ScoringSettings
from sla import services as sla
from sla.models import Breach, BreachAction, Clock
from sla.sweep import sla_sweep
from tests.factories import ContactFactory
from tests.sla.conftest import make_policy

pytestmark = pytest.mark.django_db

FRIDAY = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MARCH = Period.of(date(2026, 3, 1), date(2026, 3, 31))


def mql_for(owner, at: datetime, **fields) -> Contact:
    contact = ContactFactory(stage=Stage.LEAD, created_at=at - timedelta(days=1), **fields)
    leads.contact_mark_mql(contact=contact, by=None, at=at)
    leads.contact_assign(contact=contact, by=None, owner=owner, at=at)
    contact.refresh_from_db()
    return contact


def sla_of(line) -> tuple:
    s = line.sla
    return (s.handed_off, s.in_time, s.late, s.overdue, s.pending)


def by_rep(report) -> dict:
    return {line.label: line for line in report.groups}


def test_an_answer_before_the_working_hours_deadline_is_in_time(rep):
    """18 working hours, Mon-Fri 09:00-18:00 UTC. Handed off Friday 17:00: 1 h on Friday,
    9 h on Monday, 8 h on Tuesday, so due Tuesday 17:00. Accepted Tuesday 16:00, 95 wall-clock
    hours later but one working hour early: in time (1 of 1), for the rep and the team."""
    make_policy(hours=18, business_hours=True, time_zone="UTC")
    contact = mql_for(rep, FRIDAY)
    due = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
    assert contact.sla_due_at == due
    leads.contact_accept(contact=contact, by=rep, at=due - timedelta(hours=1))
    report = velocity_report(period=MARCH, sla_hours=18, group_by=GroupBy.OWNER, now=due)
    assert sla_of(report.total) == (1, 1, 0, 0, 0)
    assert sla_of(by_rep(report)["rep"]) == (1, 1, 0, 0, 0)


def test_tightening_a_policy_changes_no_past_verdict(api, manager, rep):
    """48 h policy; an MQL handed off 30 h ago is due in 18 h. The policy is tightened to
    24 h: the stored deadline stands, so it is pending everywhere (report: 0 overdue, 1
    pending; the overdue list: empty; the sweep: no breach). A new MQL gets 24 h."""
    now = timezone.now()
    policy = make_policy(hours=48)
    old = mql_for(rep, now - timedelta(hours=30))
    sla.policy_update(policy=policy, by=manager, hours=24)
    new = mql_for(rep, now)
    assert new.sla_due_at == now + timedelta(hours=24)
    assert old.sla_due_at == now + timedelta(hours=18)

    today = Period.of(timezone.localdate() - timedelta(days=3), timezone.localdate())
    report = velocity_report(period=today, sla_hours=24, now=now)
    assert sla_of(report.total) == (2, 0, 0, 0, 2)
    listed = api.as_user(manager).get("/api/v1/contacts/?sla_overdue=true").json()
    assert listed["results"] == []
    assert sla_sweep(now=now).breaches == 0
    # And once the stored deadline is reached, every surface says overdue together.
    later = now + timedelta(hours=19)
    assert sla_of(velocity_report(period=today, sla_hours=24, now=later).total) == (
        2,
        0,
        0,
        1,
        1,
    )
    assert sla_sweep(now=later).breaches == 1
    assert Breach.objects.get().contact_id == old.pk


def test_after_a_reassignment_each_rep_is_judged_on_their_own_clock(rep, other_rep):
    """48 h, breach action reassign. Handed to rep Monday 09:00, due Wednesday 09:00, not
    answered: the sweep at Wednesday 09:00 breaches it (rep's) and hands it to rep2, due
    Friday 09:00. rep2 accepts Thursday 09:00, 24 h after their hand-off.
    rep: 1 hand-off, overdue. rep2: 1 hand-off, in time, waited 24 h. Team: the first
    hand-off once, answered after its deadline: late."""
    make_policy(hours=48, action=BreachAction.REASSIGN)
    contact = mql_for(rep, MONDAY)
    wednesday = MONDAY + timedelta(days=2)
    assert sla_sweep(now=wednesday).breaches == 1
    contact.refresh_from_db()
    assert (contact.owner, contact.sla_due_at) == (other_rep, wednesday + timedelta(hours=48))
    leads.contact_accept(contact=contact, by=other_rep, at=wednesday + timedelta(days=1))

    report = velocity_report(period=MARCH, sla_hours=48, group_by=GroupBy.OWNER, now=FRIDAY)
    reps = by_rep(report)
    assert sla_of(reps["rep"]) == (1, 0, 0, 1, 0)
    assert sla_of(reps["rep2"]) == (1, 1, 0, 0, 0)
    assert reps["rep2"].first_action.median_hours == 24.0
    assert sla_of(report.total) == (1, 0, 1, 0, 0)
    assert Breach.objects.get().owner == rep


def test_a_recycled_lead_that_engages_again_comes_back_as_an_mql(api, marketer, rep):
    """Threshold 60, demo request +70, e-mail opened +5. The demo request makes an MQL
    (score 70); the rep rejects it "not now", recycled, score still 70. An e-mail opened a
    week later (score 75) brings it back: MQL again, a new hand-off with its own deadline,
    and the hand-off report shows two passes: one rejected, one waiting."""
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
    Rule.objects.all().delete()
    scoring.rule_create(
        name="Demo", points=70, dimension="engagement", event_type="demo_requested"
    )
    scoring.rule_create(name="Opened", points=5, dimension="engagement", event_type="email_opened")
    make_policy(hours=48)
    client = api.as_user(marketer)

    def send(key: str, type: str, at: datetime) -> None:
        event = {"id": key, "type": type, "occurred_at": at.isoformat(), "email": "jo@acme.test"}
        assert client.post("/api/v1/events/", event, format="json").status_code == 200

    send("e1", "demo_requested", MONDAY)
    contact = Contact.objects.get(email="jo@acme.test")
    assert contact.stage == Stage.MQL
    leads.contact_assign(contact=contact, by=None, owner=rep, at=MONDAY)
    leads.contact_reject(contact=contact, by=rep, reason="Not now", recycle=True, at=MONDAY)
    send("e2", "email_opened", MONDAY + timedelta(days=7))

    contact.refresh_from_db()
    assert (contact.stage, contact.score) == (Stage.MQL, 75)
    assert contact.sla_due_at == MONDAY + timedelta(days=9)
    assert Clock.objects.filter(contact=contact).count() == 2
    total = handoff_report(period=MARCH).total
    assert (total.passed, total.rejected, total.recycled, total.waiting) == (2, 1, 1, 1)


def test_a_contact_created_by_older_activity_belongs_to_the_month_of_that_activity(api, marketer):
    """An event of 10 February, sent on 4 March, creates the contact: first seen (and a
    lead) in February, so February's cohort counts 1 contact and 1 lead, March's none; no
    history row precedes its first-seen time."""
    february = datetime(2026, 2, 10, 12, 0, tzinfo=UTC)
    event = {
        "id": "late-sync-1",
        "type": "form_submitted",
        "occurred_at": february.isoformat(),
        "email": "late@acme.test",
    }
    ScoringSettings.objects.update_or_create(
        pk=1, defaults={"mql_threshold": 1000, "hot_threshold": None}
    )
    Rule.objects.all().delete()
    scoring.rule_create(
        name="Form", points=10, dimension="engagement", event_type="form_submitted"
    )
    assert api.as_user(marketer).post("/api/v1/events/", event, format="json").status_code == 200
    contact = Contact.objects.get(email="late@acme.test")
    assert contact.first_seen_at == february
    assert contact.created_at > february
    assert not Transition.objects.filter(contact=contact, at__lt=contact.first_seen_at).exists()
    feb = funnel_report(period=Period.of(date(2026, 2, 1), date(2026, 2, 28))).total.counts
    march = funnel_report(period=Period.of(date(2026, 3, 1), date(2026, 3, 31))).total.counts
    assert (feb["contact"], feb["lead"]) == (1, 1)
    assert (march["contact"], march["lead"]) == (0, 0)
    body = api.as_user(marketer).get(f"/api/v1/contacts/{contact.pk}/").json()
    assert body["first_seen_at"].startswith("2026-02-10T12:00:00")


def test_the_migration_dates_existing_contacts_back_to_their_first_move_and_event():
    """Before first_seen_at, a contact created on 4 March with a move on 1 March and an
    event on 20 February: the migrations set it to 20 February."""
    created = datetime(2026, 3, 4, tzinfo=UTC)
    contact = ContactFactory(created_at=created, first_seen_at=created, stage=Stage.CONTACT)
    leads.contact_engage(contact=contact, at=datetime(2026, 3, 1, tzinfo=UTC))
    Contact.objects.filter(pk=contact.pk).update(first_seen_at=created)  # as before the fix
    scoring.events_ingest(
        events=[
            scoring.EventIn(
                key="old",
                type="page_viewed",
                occurred_at=datetime(2026, 2, 20, tzinfo=UTC),
                contact_id=contact.pk,
            )
        ]
    )
    Contact.objects.filter(pk=contact.pk).update(first_seen_at=created)
    leads_migration = __import__("leads.migrations.0006_contact_first_seen", fromlist=["x"])
    scoring_migration = __import__(
        "scoring.migrations.0005_contact_first_seen_from_activity", fromlist=["x"]
    )
    leads_migration.first_seen_from_history(apps, None)
    contact.refresh_from_db()
    assert contact.first_seen_at == datetime(2026, 3, 1, tzinfo=UTC)
    scoring_migration.first_seen_from_activity(apps, None)
    contact.refresh_from_db()
    assert contact.first_seen_at == datetime(2026, 2, 20, tzinfo=UTC)
