"""Recompute: a background job that rebuilds every score set-based, polled by the caller, safe
to run again; on the same data it gives what incremental scoring gave."""

import random
from datetime import datetime, timedelta

import pytest

from leads.models import Contact, JobStatus
from leads.stages import Stage
from scoring import services, sql, tasks
from scoring.models import (
    Activity,
    ContactRuleScore,
    ContactScore,
    RecomputeJob,
    Rule,
    ScoringSettings,
)
from scoring.services import EventIn
from tests.factories import ContactFactory
from tests.scoring.helpers import T0

pytestmark = pytest.mark.django_db

TYPES = ["email_opened", "page_viewed", "demo_requested", "form_submitted", "unscored"]
URLS = ["/pricing", "/blog/pricing-tips", "/careers", "/", None]


@pytest.fixture
def enqueued(monkeypatch):
    """The job ids the API enqueued (the broker is not needed to test the job itself)."""
    ids: list[int] = []
    monkeypatch.setattr(tasks.recompute_scores, "delay", ids.append)
    return ids


@pytest.fixture
def scoring_model(rule):
    ScoringSettings.objects.update(half_life_days=7, min_engagement=10)
    rule("Opened", 3, event_type="email_opened", max_times=4)
    rule("Any page", 1, event_type="page_viewed")
    rule(
        "Pricing",
        9,
        event_type="page_viewed",
        attribute="url",
        operator="contains",
        value="pricing",
        max_times=2,
    )
    rule(
        "Careers",
        -15,
        dimension="fit",
        event_type="page_viewed",
        attribute="url",
        operator="startswith",
        value="/careers",
    )
    rule("Home", 2, event_type="page_viewed", attribute="url", operator="in", value=["/", "/x"])
    rule("Demo", 35, event_type="demo_requested")
    rule("Form fit", 5, dimension="fit", event_type="form_submitted", max_times=1)
    rule("Big", 20, dimension="fit", attribute="company_size", operator="gte", value=100)
    rule(
        "Student",
        -30,
        dimension="fit",
        attribute="job_title",
        operator="contains",
        value="student",
    )


def random_history(rng: random.Random, contacts: list[Contact]) -> datetime:
    """Batches arriving over 40 days, with events late by up to 20 days, repeats included."""
    now = T0
    sent: list[EventIn] = []
    for batch in range(25):
        now += timedelta(days=rng.uniform(0.5, 2.5))
        events = []
        for n in range(rng.randint(5, 30)):
            url = rng.choice(URLS)
            events.append(
                EventIn(
                    key=f"{batch}-{n}",
                    type=rng.choice(TYPES),
                    occurred_at=now - timedelta(hours=rng.uniform(0, 480)),
                    contact_id=rng.choice(contacts).pk,
                    properties={"url": url} if url else {},
                )
            )
        events += rng.sample(sent, min(3, len(sent)))  # a sender retrying
        services.events_ingest(events=events, now=now)
        sent += events
    return now


def snapshot(now) -> dict:
    """Every contact's figures, precise parts and counters (decayed values aged to ``now``)."""
    half_life = ScoringSettings.load().half_life_seconds

    def aged(value, as_of, decays=True):
        age = (now - as_of).total_seconds()
        return pytest.approx(value * sql.decay_factor(age, half_life if decays else None))

    parts = {
        s.contact_id: (
            s.profile_fit,
            s.profile_engagement,
            s.event_fit,
            aged(s.event_engagement, s.as_of),
            s.mql,
            s.hot,
        )
        for s in ContactScore.objects.all()
    }
    counters = {
        (c.contact_id, c.rule_id): (c.times, aged(c.value, c.as_of, c.rule.decays))
        for c in ContactRuleScore.objects.select_related("rule")
    }
    figures = {
        pk: rest
        for pk, *rest in Contact.objects.values_list(
            "pk", "score", "fit_score", "engagement_score"
        )
    }
    return {"parts": parts, "counters": counters, "figures": figures}


def test_recompute_gives_what_incremental_scoring_gave(scoring_model):
    rng = random.Random(3)
    contacts = [
        ContactFactory(
            company_size=rng.choice([None, 20, 150]),
            job_title=rng.choice(["CEO", "Student"]),
            stage=Stage.LEAD,
            stage_changed_at=T0 - timedelta(days=30),
        )
        for _ in range(12)
    ]
    services.rescore_profiles()
    now = random_history(rng, contacts)
    services.scores_decay(now=now)
    incremental = snapshot(now)
    assert sum(times for times, *_ in incremental["counters"].values()) > 100

    job = services.recompute_start(by=None)
    services.recompute_run(job_id=job.pk, now=now)
    assert snapshot(now) == incremental


def test_the_api_answers_at_once_with_a_job_to_poll(
    api, marketer, enqueued, rule, django_capture_on_commit_callbacks
):
    rule("Big", 20, dimension="fit", attribute="company_size", operator="gte", value=100)
    big = ContactFactory(company_size=500)
    client = api.as_user(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post("/api/v1/scoring/recompute/")
    assert reply.status_code == 202
    job = reply.json()
    assert (job["status"], job["progress"], job["total"]) == ("pending", 0.0, 1)
    assert enqueued == [job["id"]]

    services.recompute_run(job_id=job["id"])
    polled = client.get(f"/api/v1/scoring/recompute/{job['id']}/").json()
    assert (polled["status"], polled["progress"], polled["done"]) == ("done", 1.0, 1)
    big.refresh_from_db()
    assert big.fit_score == 20


def test_a_second_start_while_one_is_open_returns_it_and_enqueues_it_again(
    api, marketer, enqueued, django_capture_on_commit_callbacks
):
    client = api.as_user(marketer)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post("/api/v1/scoring/recompute/").json()
        second = client.post("/api/v1/scoring/recompute/").json()
    assert first["id"] == second["id"]
    assert enqueued == [first["id"], first["id"]]
    assert RecomputeJob.objects.count() == 1


def test_only_marketing_and_managers_start_a_recompute(api, rep):
    assert api.as_user(rep).post("/api/v1/scoring/recompute/").status_code == 403


def test_progress_is_kept_per_range_and_a_run_after_a_lost_worker_resumes(
    rule, settings, monkeypatch
):
    settings.SCORING_CHUNK_SIZE = 2
    rule("Big", 20, dimension="fit", attribute="company_size", operator="gte", value=100)
    contacts = [ContactFactory(company_size=500) for _ in range(5)]
    job = services.recompute_start(by=None)
    rebuilt = []
    original = sql.insert_rule_scores

    def worker_killed_at_the_second_range(scope, *args):
        rebuilt.append((scope.lo, scope.hi))
        if len(rebuilt) == 2:
            raise SystemExit  # not an error the job can record: it stays "running"
        original(scope, *args)

    monkeypatch.setattr(sql, "insert_rule_scores", worker_killed_at_the_second_range)
    with pytest.raises(SystemExit):
        services.recompute_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.RUNNING, 2, 5)

    job = services.recompute_run(job_id=job.pk)  # the task, delivered again
    assert (job.status, job.done, job.progress) == (JobStatus.DONE, 5, 1.0)
    first = contacts[0].pk
    assert rebuilt == [
        (first, first + 2),
        (first + 2, first + 4),
        (first + 2, first + 4),
        (first + 4, first + 5),
    ]
    assert set(Contact.objects.values_list("fit_score", flat=True)) == {20}


def test_a_failing_range_marks_the_job_failed_with_its_error(monkeypatch):
    ContactFactory()
    job = services.recompute_start(by=None)

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(sql, "insert_rule_scores", broken)
    with pytest.raises(RuntimeError):
        services.recompute_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "disk full" in job.error


def test_a_finished_job_run_again_changes_nothing(rule):
    rule("Big", 20, dimension="fit", attribute="company_size", operator="gte", value=100)
    ContactFactory(company_size=500)
    job = services.recompute_start(by=None)
    services.recompute_run(job_id=job.pk)
    finished = RecomputeJob.objects.get(pk=job.pk).finished_at
    services.recompute_run(job_id=job.pk)
    assert RecomputeJob.objects.get(pk=job.pk).finished_at == finished


def test_a_changed_rule_applies_to_the_past_after_a_recompute_and_a_removed_one_goes(rule):
    opened = rule("Opened", 5, event_type="email_opened")
    ada = ContactFactory()
    events = [
        EventIn(key=str(n), type="email_opened", occurred_at=T0, contact_id=ada.pk)
        for n in range(3)
    ]
    services.events_ingest(events=events, now=T0)
    services.rule_update(rule=opened, points=7)
    run_recompute()
    ada.refresh_from_db()
    assert ada.score == 21
    services.rule_update(rule=opened, active=False)
    run_recompute()
    ada.refresh_from_db()
    assert ada.score == 0
    assert not ContactRuleScore.objects.exists()
    services.rule_delete(rule=opened)


def test_a_lowered_threshold_promotes_the_leads_above_it_at_the_recompute(rule):
    rule("Webinar", 50, event_type="webinar_registered")
    ada = ContactFactory(stage=Stage.LEAD, stage_changed_at=T0 - timedelta(days=1))
    services.events_ingest(
        events=[EventIn(key="1", type="webinar_registered", occurred_at=T0, contact_id=ada.pk)],
        now=T0,
    )
    ada.refresh_from_db()
    assert ada.stage == Stage.LEAD
    services.settings_update(mql_threshold=50)
    run_recompute(now=T0 + timedelta(hours=1))
    ada.refresh_from_db()
    assert (ada.stage, ada.mql_at) == (Stage.MQL, T0 + timedelta(hours=1))
    assert RecomputeJob.objects.get().promoted == 1


def run_recompute(now=None, full: bool = False) -> RecomputeJob:
    job = services.recompute_start(by=None, full=full)
    return services.recompute_run(job_id=job.pk, now=now)


def test_a_points_change_rebuilds_no_counters_and_gives_what_a_full_rebuild_gives(
    scoring_model,
):
    rng = random.Random(5)
    contacts = [ContactFactory(company_size=rng.choice([20, 150])) for _ in range(10)]
    now = random_history(rng, contacts)
    run_recompute(now=now)
    demo = Rule.objects.get(name="Demo")
    services.rule_update(rule=demo, points=demo.points + 10)
    job = run_recompute(now=now)
    assert job.rebuild == {}
    partial = snapshot(now)
    run_recompute(now=now, full=True)
    assert snapshot(now) == partial


def test_only_the_rules_whose_condition_changed_are_rebuilt(scoring_model):
    rng = random.Random(8)
    now = random_history(rng, [ContactFactory() for _ in range(10)])
    assert len(run_recompute(now=now).rebuild) == Rule.objects.count()
    pricing = Rule.objects.get(name="Pricing")
    services.rule_update(rule=pricing, value="/pricing")
    job = run_recompute(now=now)
    assert list(job.rebuild) == [str(pricing.pk)]
    after_change = snapshot(now)
    run_recompute(now=now, full=True)
    assert snapshot(now) == after_change
    assert run_recompute(now=now).rebuild == {}


def test_a_half_life_change_rebuilds_the_rules_that_decay():
    services.rule_create(
        name="Opened", points=3, dimension="engagement", event_type="email_opened"
    )
    services.rule_create(name="Seeker", points=-5, dimension="fit", event_type="page_viewed")
    run_recompute()
    services.settings_update(half_life_days=3)
    assert [Rule.objects.get(pk=pk).name for pk in run_recompute().rebuild] == ["Opened"]


def test_a_rule_changed_while_the_job_runs_is_rebuilt_again_next_time(rule):
    opened = rule("Opened", 5, event_type="email_opened")
    job = services.recompute_start(by=None)
    services.rule_update(rule=opened, event_type="email_clicked")
    services.recompute_run(job_id=job.pk)
    assert list(run_recompute().rebuild) == [str(opened.pk)]


def test_the_api_starts_a_full_rebuild_on_request(api, marketer, enqueued, rule):
    opened = rule("Opened", 5, event_type="email_opened")
    run_recompute()
    reply = api.as_user(marketer).post("/api/v1/scoring/recompute/", {"full": True})
    assert (reply.json()["full"], reply.json()["rebuilt_rules"]) == (True, [opened.pk])


def test_a_recompute_does_not_hand_a_recycled_contact_back_but_its_next_event_does(rule):
    rule("Webinar", 50, event_type="webinar_registered")
    rule("Opened", 5, event_type="email_opened")
    rejected_at = T0 - timedelta(days=1)
    ada = ContactFactory(stage=Stage.RECYCLED, stage_changed_at=rejected_at)
    Activity.objects.create(
        key="old", contact=ada, type="webinar_registered", occurred_at=rejected_at
    )
    services.settings_update(mql_threshold=50)
    run_recompute(now=T0)
    ada.refresh_from_db()
    assert (ada.score, ada.stage) == (50, Stage.RECYCLED)
    services.events_ingest(
        events=[EventIn(key="new", type="email_opened", occurred_at=T0, contact_id=ada.pk)],
        now=T0,
    )
    ada.refresh_from_db()
    assert (ada.score, ada.stage, ada.mql_at) == (55, Stage.MQL, T0)
