"""The evidence endpoints: questions answered at once with an analysis to poll, bad input a
400 naming the field (never a 500), marketing and managers only, and adopting suggested
points through scoring's own services, nothing applied before."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evidence import services
from evidence.models import Analysis, Kind, Status
from scoring import releases
from scoring.models import RecomputeJob, Rule, RuleSet, ScoringSettings
from scoring.releases import ruleset_draft

from .factories import SUGGESTED_RULE, suggestion_done

pytestmark = pytest.mark.django_db

RULE = {
    "name": "Pricing page",
    "dimension": "engagement",
    "points": 15,
    "event_type": "page_viewed",
    "attribute": "url",
    "operator": "contains",
    "value": "/pricing",
    "max_times": 2,
}


def post(client, path, body, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/api/v1/evidence/{path}/", body, format="json")


def test_a_backtest_of_two_candidates_is_queued_with_the_rules_as_they_were_asked(
    api, marketer, rule, queued, django_capture_on_commit_callbacks
):
    rule("Demo", 40, event_type="demo_requested")
    body = {
        "start": "2026-01-01",
        "end": "2026-03-31",
        "candidates": [
            {},
            {"name": "Pricing matters", "rules": [RULE], "settings": {"mql_threshold": 30}},
        ],
    }
    response = post(api.as_user(marketer), "backtests", body, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.json()
    analysis = Analysis.objects.get(pk=response.json()["id"])
    assert queued == [analysis.pk] and analysis.kind == Kind.BACKTEST
    current, edited = analysis.params["candidates"]
    assert [r["name"] for r in current["rules"]] == ["Demo"]
    assert current["settings"]["mql_threshold"] == 60
    assert edited["name"] == "Pricing matters" and edited["rules"][0]["value"] == "/pricing"
    assert edited["settings"] == {"mql_threshold": 30, "min_fit": None, "min_engagement": None,
                                  "half_life_days": None}  # fmt: skip
    assert Rule.objects.count() == 1  # the candidate was not saved


def test_a_draft_version_is_backtested_beside_the_current_rules(
    api, marketer, rule, queued, django_capture_on_commit_callbacks
):
    rule("Demo", 40, event_type="demo_requested")
    draft = ruleset_draft(by=marketer, name="Stricter")
    releases.ruleset_update(ruleset=draft, mql_threshold=80, hot_threshold=120)
    body = {"start": "2026-01-01", "end": "2026-03-31", "candidates": [{}, {"ruleset": draft.pk}]}
    response = post(api.as_user(marketer), "backtests", body, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.json()
    current, version = Analysis.objects.get(pk=response.json()["id"]).params["candidates"]
    assert (current["settings"]["mql_threshold"], version["settings"]["mql_threshold"]) == (60, 80)
    assert version["name"] == "Stricter"
    assert [r["id"] for r in version["rules"]] == [draft.rules.get().pk]


def test_the_same_question_asked_while_it_runs_gets_the_same_analysis(
    api, marketer, plain_scoring, queued, django_capture_on_commit_callbacks
):
    client = api.as_user(marketer)
    body = {"start": "2026-01-01", "end": "2026-03-31"}
    first = post(client, "signals", body, django_capture_on_commit_callbacks).json()
    second = post(client, "signals", body, django_capture_on_commit_callbacks).json()
    assert first["id"] == second["id"] and queued == [first["id"], first["id"]]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("backtests", {"start": "2026-03-01", "end": "2026-01-01"}, "start"),
        ("backtests", {"end": "2999-01-01"}, "end"),
        ("backtests", {"start": "1990-01-01", "end": "2026-01-01"}, "start"),
        ("backtests", {"candidates": [{}, {}, {}]}, "candidates"),
        ("backtests", {"candidates": [{"rules": [RULE | {"operator": "gte"}]}]}, "candidates"),
        ("backtests", {"candidates": [{"rules": [RULE | {"value": {"a": 1}}]}]}, "candidates"),
        ("backtests", {"candidates": [{"settings": {"half_life_days": 0}}]}, "candidates"),
        ("signals", {"target": "lead"}, "target"),
        ("signals", {"window_days": 0}, "window_days"),
        ("suggestions", {"start": "2026-03-01", "end": "2026-03-31", "holdout_months": 1},
         "holdout_months"),
        ("backtests", [], "non_field_errors"),
        ("signals", [], "non_field_errors"),
        ("suggestions", ["start"], "non_field_errors"),
    ],
)  # fmt: skip
def test_bad_input_is_a_400_naming_the_field(api, marketer, plain_scoring, path, body, field):
    response = api.as_user(marketer).post(f"/api/v1/evidence/{path}/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Analysis.objects.exists()


def test_a_rule_that_cannot_work_is_refused_with_scorings_own_message(
    api, marketer, plain_scoring
):
    body = {"candidates": [{"rules": [RULE | {"operator": "gte"}]}]}
    response = api.as_user(marketer).post("/api/v1/evidence/backtests/", body, format="json")
    message = "Choose one of contains, eq, in, startswith for this attribute."
    assert response.json() == {"candidates": {"0": {"rules": {"0": {"operator": [message]}}}}}


def test_polling_shows_the_progress_then_the_result(api, marketer, plain_scoring, queued):
    analysis = services.analysis_start(
        kind=Kind.SIGNALS,
        params={"start": "2026-01-01", "end": "2026-03-31", "target": "sql", "window_days": 90,
                "min_support": 30},
        by=marketer,
    )  # fmt: skip
    client = api.as_user(marketer)
    polled = client.get(f"/api/v1/evidence/analyses/{analysis.pk}/").json()
    assert (polled["status"], polled["progress"], polled["result"]) == ("pending", 0.0, None)
    services.analysis_run(analysis_id=analysis.pk)
    polled = client.get(f"/api/v1/evidence/analyses/{analysis.pk}/").json()
    assert (polled["status"], polled["progress"]) == ("done", 1.0)
    assert polled["result"]["population"] == {"contacts": 0, "sql": 0, "client": 0}
    listed = client.get("/api/v1/evidence/analyses/?kind=signals").json()
    assert [item["id"] for item in listed["results"]] == [analysis.pk]


def test_reps_may_not_analyse_the_scoring(api, rep, plain_scoring):
    client = api.as_user(rep)
    assert client.post("/api/v1/evidence/backtests/", {}, format="json").status_code == 403
    assert client.get("/api/v1/evidence/analyses/").status_code == 403


def test_adopting_creates_and_updates_ordinary_rules_then_rescores(
    api, marketer, rule, django_capture_on_commit_callbacks, monkeypatch
):
    from scoring import tasks as scoring_tasks

    recomputes = []
    monkeypatch.setattr(scoring_tasks.recompute_scores, "delay", recomputes.append)
    opened = rule("E-mail opened", 20, event_type="email_opened")
    demo = rule("Demo", 10, event_type="demo_requested")
    suggestion = suggestion_done(by=marketer)
    kept = [
        SUGGESTED_RULE | {"id": demo.pk, "points": 30},
        SUGGESTED_RULE | {"name": "Student", "dimension": "fit", "event_type": "",
                          "attribute": "job_title", "operator": "eq", "value": "Student",
                          "max_times": None, "points": -25},
    ]  # fmt: skip
    body = {"rules": kept, "replace_current": True, "settings": {"mql_threshold": 20}}
    versions = RuleSet.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.as_user(marketer).post(
            f"/api/v1/evidence/analyses/{suggestion.pk}/adopt/", body, format="json"
        )
    assert response.status_code == 202, response.json()
    job = RecomputeJob.objects.get()
    assert response.json()["id"] == job.pk and recomputes == [job.pk]
    demo.refresh_from_db(), opened.refresh_from_db()
    assert (demo.points, demo.max_times, demo.active) == (30, 3, True)
    assert not opened.active  # switched off: not kept
    student = Rule.objects.get(name="Student")
    assert (student.points, student.attribute, student.value) == (-25, "job_title", "Student")
    assert ScoringSettings.load().mql_threshold == 20
    # One release for the whole adoption: the version before it is kept, archived.
    assert RuleSet.objects.count() == versions + 1
    assert (RuleSet.published().mql_threshold, RuleSet.published().reason) == (
        20,
        "Suggested points adopted",
    )
    suggestion.refresh_from_db()
    assert suggestion.result["adoptions"][0]["rules"] == [demo.pk, student.pk]


def test_nothing_is_applied_before_adopting_and_a_bad_rule_adopts_nothing(api, marketer, rule):
    demo = rule("Demo", 10, event_type="demo_requested")
    suggestion = suggestion_done(by=marketer)
    assert (Rule.objects.count(), demo.points) == (1, 10)
    bad = [
        SUGGESTED_RULE,
        SUGGESTED_RULE | {"name": "Broken", "operator": "gte", "attribute": "url"},
    ]
    response = api.as_user(marketer).post(
        f"/api/v1/evidence/analyses/{suggestion.pk}/adopt/", {"rules": bad}, format="json"
    )
    assert response.status_code == 400 and "rules" in response.json()
    assert Rule.objects.count() == 1 and not RecomputeJob.objects.exists()


def test_only_a_finished_suggestion_can_be_adopted(api, marketer, plain_scoring):
    running = suggestion_done(by=marketer)
    Analysis.objects.filter(pk=running.pk).update(status=Status.RUNNING)
    response = api.as_user(marketer).post(
        f"/api/v1/evidence/analyses/{running.pk}/adopt/",
        {"rules": [SUGGESTED_RULE]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"analysis": ["Only a finished suggestion can be adopted."]}
    assert not Rule.objects.exists()


def test_an_unknown_analysis_is_a_404(api, manager, plain_scoring):
    assert api.as_user(manager).get("/api/v1/evidence/analyses/999/").status_code == 404


def test_the_default_period_is_the_last_twelve_months(api, manager, plain_scoring, queued):
    response = api.as_user(manager).post("/api/v1/evidence/suggestions/", {}, format="json")
    params = Analysis.objects.get(pk=response.json()["id"]).params
    assert params["end"] == timezone.localdate().isoformat()
    assert params["start"] <= (timezone.localdate() - timedelta(days=330)).isoformat()
    assert (params["holdout_months"], params["target"]) == (3, "sql")


ODD_RULES = [
    "all",
    [1],
    [{}],
    [SUGGESTED_RULE | {"id": 2**70}],
    [SUGGESTED_RULE | {"points": 10**9}],
    [SUGGESTED_RULE | {"max_times": 0}],
    [SUGGESTED_RULE | {"event_type": "a b"}],
    [SUGGESTED_RULE | {"value": [[1]], "attribute": "url", "operator": "in"}],
]


@pytest.mark.parametrize("rules", ODD_RULES)
def test_odd_rules_are_a_400_for_adopting_and_for_a_candidate(api, marketer, plain_scoring, rules):
    suggestion = suggestion_done(by=marketer)
    client = api.as_user(marketer)
    adopt = client.post(f"/api/v1/evidence/analyses/{suggestion.pk}/adopt/", {"rules": rules})
    backtest = client.post("/api/v1/evidence/backtests/", {"candidates": [{"rules": rules}]})
    assert (adopt.status_code, backtest.status_code) == (400, 400)
    assert not Rule.objects.exists() and not Analysis.objects.filter(kind=Kind.BACKTEST).exists()
