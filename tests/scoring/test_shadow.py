"""A version in shadow: it scores every new event beside the published set and promotes no
one; its comparison counts the MQLs each set made since the run began; it counts what a
backtest of the same version predicts for the same events; it ends by a publish or a stop.
Before a publish, the contacts it would make MQL are listed."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEntry
from evidence import backtest
from evidence.candidates import version_candidate
from leads.jobs import jobs_stalled
from leads.models import Contact
from leads.stages import Stage
from reporting.periods import Period
from scoring import services, shadow, sql
from scoring.models import ContactRuleScore, Rule, RuleSet, ShadowJob, ShadowScore
from tests.factories import ContactFactory
from tests.scoring.helpers import event

pytestmark = pytest.mark.django_db

SETS = "/api/v1/scoring/rulesets/"


@pytest.fixture
def live_rules(rule):
    """Published: a demo request 40, a pricing view 10; MQL at 60 (20 of engagement)."""
    services.settings_update(half_life_days=None)
    return rule("Demo", 40, event_type="demo_requested"), rule(
        "Pricing", 10, event_type="page_viewed"
    )


@pytest.fixture
def looser(api, marketer, live_rules):
    """A draft that makes MQLs at 30 and gives a webinar 20."""
    draft = (
        api.as_user(marketer)
        .post(SETS, {"name": "Looser", "mql_threshold": 30, "hot_threshold": 120}, format="json")
        .json()
    )
    api.as_user(marketer).post(
        "/api/v1/scoring/rules/",
        {"name": "Webinar", "dimension": "engagement", "points": 20,
         "event_type": "webinar_registered", "ruleset": draft["id"]},
        format="json",
    )  # fmt: skip
    return RuleSet.objects.get(pk=draft["id"])


def _shadow(api, user, version):
    answer = api.as_user(user).post(f"{SETS}{version.pk}/shadow/", {"reason": "Try it"})
    assert answer.status_code == 200, answer.json()
    shadow.build_run(job_id=answer.json()["build"]["id"])
    return answer.json()


def _comparison(api, user, version):
    answer = api.as_user(user).get(f"{SETS}{version.pk}/comparison/")
    assert answer.status_code == 200, answer.json()
    return answer.json()


def test_a_version_in_shadow_scores_new_events_and_promotes_no_one(api, marketer, send, looser):
    lead = ContactFactory(stage=Stage.LEAD)
    started = _shadow(api, marketer, looser)
    assert started["ruleset"]["state"] == "shadow" and started["ruleset"]["shadow_since"]
    now = timezone.now()
    send(event("w1", lead, "webinar_registered", at=now), event("p1", lead, "page_viewed", at=now))

    lead.refresh_from_db()
    assert (lead.score, lead.stage) == (10, Stage.LEAD)  # the published set: no MQL
    mine = ShadowScore.objects.get(ruleset=looser, contact=lead)
    assert (mine.event_engagement, mine.mql, mine.crossed_at) == (30, True, now)
    found = _comparison(api, marketer, looser)
    assert (found["published"], found["shadow"], found["only_shadow"]) == (0, 1, 1)
    assert found["only_shadow_became"] == {"lead": 1}
    assert found["only_shadow_sample"][0]["id"] == lead.pk


def test_the_build_scores_the_past_and_counts_no_crossing_from_before_the_run(
    api, marketer, send, looser
):
    earlier = timezone.now() - timedelta(days=20)
    warm = ContactFactory(stage=Stage.LEAD)
    send(event("w0", warm, "webinar_registered", at=earlier),
         event("p0", warm, "page_viewed", at=earlier))  # fmt: skip
    _shadow(api, marketer, looser)

    built = ShadowScore.objects.get(ruleset=looser, contact=warm)
    assert (built.event_engagement, built.mql, built.crossed_at) == (30, True, None)
    now = timezone.now()
    send(event("d0", warm, "demo_requested", at=now), event("p1", warm, "page_viewed", at=now))
    assert ShadowScore.objects.get(ruleset=looser, contact=warm).crossed_at is None
    found = _comparison(api, marketer, looser)
    assert (found["published"], found["shadow"], found["overlap"]) == (1, 0, 0)
    assert found["only_published"] == 1


def test_a_shadow_counts_the_mqls_a_backtest_of_the_same_version_predicts(
    api, marketer, send, looser
):
    earlier = timezone.now() - timedelta(days=20)
    people = ContactFactory.create_batch(6, stage=Stage.LEAD)
    send(*[event(f"old{n}", p, "page_viewed", at=earlier) for n, p in enumerate(people[:3])])
    send(event("oldw", people[0], "webinar_registered", at=earlier))  # over 30 already
    _shadow(api, marketer, looser)
    now = timezone.now()
    send(
        event("d1", people[1], "demo_requested", at=now),  # 50: the shadow's, not live
        event("d2", people[2], "demo_requested", at=now),
        event("p2", people[2], "page_viewed", at=now),  # 60: both
        event("w3", people[3], "webinar_registered", at=now),  # 20: nobody
        event("w4", people[4], "webinar_registered", at=now),
        event("p4", people[4], "page_viewed", at=now),  # 30: the shadow's
        event("d0", people[0], "demo_requested", at=now),
        event("p0", people[0], "page_viewed", at=now),  # 60 live; the shadow had it before
    )
    found = _comparison(api, marketer, looser)
    since = RuleSet.objects.get(pk=looser.pk).shadow_since
    period = Period.of(timezone.localdate(since), timezone.localdate(now))
    report = backtest.backtest_report(
        candidates=[version_candidate(looser)], period=period, now=timezone.now()
    )
    predicted = report["columns"][1]["mqls"]
    assert found["shadow"] == predicted == 3
    assert (found["published"], found["overlap"], found["only_shadow"]) == (2, 1, 2)


def test_profile_changes_are_scored_by_the_shadow_too(api, marketer, looser, rule):
    fit = Rule.all_versions.create(
        ruleset=looser, name="Big", dimension="fit", points=25, attribute="company_size",
        operator="gte", value="100",
    )  # fmt: skip
    lead = ContactFactory(stage=Stage.LEAD, company_size=10)
    _shadow(api, marketer, looser)
    assert ShadowScore.objects.get(ruleset=looser, contact=lead).profile_fit == 0
    answer = api.as_user(marketer).patch(
        f"/api/v1/contacts/{lead.pk}/", {"company_size": 500}, format="json"
    )
    assert answer.status_code == 200
    assert ShadowScore.objects.get(ruleset=looser, contact=lead).profile_fit == fit.points
    assert Contact.objects.get(pk=lead.pk).fit_score == 0  # the live rules have no such rule


def test_one_version_in_shadow_at_a_time_and_only_a_draft(api, marketer, looser):
    _shadow(api, marketer, looser)
    other = api.as_user(marketer).post(SETS, {}, format="json").json()
    second = api.as_user(marketer).post(f"{SETS}{other['id']}/shadow/", {})
    assert second.status_code == 409 and second.json()["state"] == "shadow"
    live = api.as_user(marketer).post(f"{SETS}{RuleSet.published().pk}/shadow/", {})
    assert live.status_code == 409 and live.json()["state"] == "published"
    edit = api.as_user(marketer).patch(f"{SETS}{looser.pk}/", {"name": "x"}, format="json")
    assert edit.status_code == 409
    assert RuleSet.objects.get(pk=other["id"]).state == "draft"


def test_stopping_the_shadow_makes_a_draft_again_and_keeps_the_comparison(
    api, marketer, send, looser
):
    lead = ContactFactory(stage=Stage.LEAD)
    _shadow(api, marketer, looser)
    send(event("w1", lead, "webinar_registered", at=timezone.now()),
         event("p1", lead, "page_viewed", at=timezone.now()))  # fmt: skip
    stopped = api.as_user(marketer).post(f"{SETS}{looser.pk}/stop-shadow/", {})
    assert stopped.status_code == 200 and stopped.json()["state"] == "draft"
    assert stopped.json()["shadow_until"] is not None
    assert not ContactRuleScore.objects.filter(rule__ruleset=looser).exists()
    send(event("d1", lead, "demo_requested", at=timezone.now()))
    assert ShadowScore.objects.get(ruleset=looser, contact=lead).event_engagement == 30
    found = _comparison(api, marketer, looser)
    assert (found["running"], found["shadow"]) == (False, 1)
    again = api.as_user(marketer).post(f"{SETS}{looser.pk}/stop-shadow/", {})
    assert again.status_code == 409
    deleted = api.as_user(marketer).delete(f"{SETS}{looser.pk}/")
    assert deleted.status_code == 204 and not ShadowScore.objects.exists()


def test_publishing_the_shadow_ends_the_run_and_makes_its_mqls(api, marketer, send, looser):
    lead = ContactFactory(stage=Stage.LEAD)
    _shadow(api, marketer, looser)
    send(event("w1", lead, "webinar_registered", at=timezone.now()),
         event("p1", lead, "page_viewed", at=timezone.now()))  # fmt: skip
    preview = api.as_user(marketer).get(f"{SETS}{looser.pk}/preview/").json()
    assert preview["to_mql"] == 1 and [c["id"] for c in preview["contacts"]] == [lead.pk]

    published = (
        api.as_user(marketer)
        .post(f"{SETS}{looser.pk}/publish/", {"reason": "The shadow found good leads"})
        .json()
    )
    services.recompute_run(job_id=published["recompute"]["id"])
    version = RuleSet.objects.get(pk=looser.pk)
    assert (version.state, version.shadow_until) == ("published", version.published_at)
    lead.refresh_from_db()
    assert (lead.score, lead.stage) == (30, Stage.MQL)
    assert shadow.running() is None


def test_the_preview_lists_who_a_draft_would_make_mql_and_changes_nothing(
    api, marketer, send, looser, rep
):
    now = timezone.now()
    warm, cold, taken = ContactFactory.create_batch(3, stage=Stage.LEAD)
    send(event("w1", warm, "webinar_registered", at=now), event("p1", warm, "page_viewed", at=now),
         event("p2", cold, "page_viewed", at=now))  # fmt: skip
    Contact.objects.filter(pk=taken.pk).update(stage=Stage.SQL)
    send(
        event("w3", taken, "webinar_registered", at=now), event("p3", taken, "page_viewed", at=now)
    )
    with CaptureQueriesContext(connection) as queries:
        answer = api.as_user(marketer).get(f"{SETS}{looser.pk}/preview/")
    assert answer.json()["to_mql"] == 1 and answer.json()["contacts"][0]["id"] == warm.pk
    assert len(queries) <= 8
    assert Contact.objects.get(pk=warm.pk).stage == Stage.LEAD
    assert api.as_user(rep).get(f"{SETS}{looser.pk}/preview/").status_code == 403


def test_a_version_never_in_shadow_has_no_comparison(api, marketer, looser):
    answer = api.as_user(marketer).get(f"{SETS}{looser.pk}/comparison/")
    assert answer.status_code == 409 and answer.json()["state"] == "draft"


def test_the_comparison_counts_in_the_database_not_per_contact(api, marketer, send, looser):
    _shadow(api, marketer, looser)
    now = timezone.now()
    people = ContactFactory.create_batch(12, stage=Stage.LEAD)
    send(*[e for n, p in enumerate(people) for e in (
        event(f"w{n}", p, "webinar_registered", at=now), event(f"p{n}", p, "page_viewed", at=now)
    )])  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        found = _comparison(api, marketer, looser)
    assert found["shadow"] == 12 and found["load"] == [
        {"owner": None, "name": "Unassigned", "published": 0, "shadow": 12}
    ]
    assert len(queries) <= 12


def test_the_shadow_and_its_end_are_in_the_audit_log_with_who_and_why(api, marketer, looser):
    _shadow(api, marketer, looser)
    api.as_user(marketer).post(f"{SETS}{looser.pk}/stop-shadow/", {"reason": "Too loose"})
    changes = [
        (e.after.get("state"), e.after.get("reason"), e.actor_id)
        for e in AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(RuleSet), object_id=str(looser.pk)
        ).order_by("pk")
        if "state" in (e.after or {})
    ]
    assert changes[-2:] == [("shadow", "Try it", marketer.pk), ("draft", "Too loose", marketer.pk)]


def test_a_lost_build_is_picked_up_by_the_sweep(api, marketer, looser):
    api.as_user(marketer).post(f"{SETS}{looser.pk}/shadow/", {})
    job = ShadowJob.objects.get(ruleset=looser)
    assert jobs_stalled(ShadowJob, now=timezone.now() + timedelta(hours=2)) == [job.pk]


def test_the_preview_of_a_shadow_reads_its_parts_and_agrees_with_the_full_count(
    api, marketer, send, looser
):
    people = ContactFactory.create_batch(8, stage=Stage.LEAD)
    Contact.objects.filter(pk=people[7].pk).update(stage=Stage.SQL)  # sales has it already
    _shadow(api, marketer, looser)
    now = timezone.now()
    kinds = ("webinar_registered", "page_viewed", "demo_requested")
    send(*[
        event(f"e{n}-{k}", person, kind, at=now)
        for n, person in enumerate(people)
        for k, kind in enumerate(kinds[: 1 + n % 3])
    ])  # fmt: skip
    version = RuleSet.objects.get(pk=looser.pk)
    full = sql.version_new_mqls(version, timezone.now(), None)
    with CaptureQueriesContext(connection) as queries:
        answer = api.as_user(marketer).get(f"{SETS}{looser.pk}/preview/").json()
    assert answer["to_mql"] == len(full) > 0
    assert {c["id"] for c in answer["contacts"]} == set(full)
    assert not any("UNION ALL" in q["sql"] for q in queries.captured_queries)  # no replay


def test_a_run_stopped_before_its_build_leaves_the_next_run_a_build_of_its_own(
    api, marketer, looser
):
    first = api.as_user(marketer).post(f"{SETS}{looser.pk}/shadow/", {}).json()["build"]
    api.as_user(marketer).post(f"{SETS}{looser.pk}/stop-shadow/", {})
    assert ShadowJob.objects.get(pk=first["id"]).status == "failed"  # ended with its run
    other = api.as_user(marketer).post(SETS, {}, format="json").json()
    lead = ContactFactory(stage=Stage.LEAD)
    second = api.as_user(marketer).post(f"{SETS}{other['id']}/shadow/", {}).json()["build"]
    assert second["id"] != first["id"] and second["ruleset"] == other["id"]
    shadow.build_run(job_id=second["id"])
    assert ShadowScore.objects.filter(ruleset_id=other["id"], contact=lead).exists()


def test_a_shadow_costs_a_batch_a_fixed_handful_of_queries(api, marketer, send, looser):
    people = ContactFactory.create_batch(6, stage=Stage.LEAD)
    now = timezone.now()
    send(*[event(f"a{n}", p, "page_viewed", at=now) for n, p in enumerate(people)])
    with CaptureQueriesContext(connection) as alone:
        send(*[event(f"b{n}", p, "page_viewed", at=now) for n, p in enumerate(people)])
    _shadow(api, marketer, looser)
    with CaptureQueriesContext(connection) as shadowed:
        send(*[event(f"c{n}", p, "page_viewed", at=now) for n, p in enumerate(people)])
    assert len(shadowed) - len(alone) <= 5  # its rules, the parts, their counters, 2 writes
