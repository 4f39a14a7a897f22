"""The evidence page beside the scoring rules: empty until something is run, forms checked
by the API's rules with their errors on the fields, a progress bar that polls until the
result replaces it, and adoption through a confirmation, a message and the rescore."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from evidence import services
from evidence.models import Analysis, Kind, Status
from scoring import releases
from scoring.models import RecomputeJob, Rule

from .factories import person, suggestion_done

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PAGE = reverse("evidence:page")


@pytest.fixture
def as_marketer(client, marketer):
    client.force_login(marketer)
    return client


def backtest_form(rules, **fields) -> dict:
    data = {"start": "2026-01-01", "end": "2026-03-31", "source": "edited", "name": "Tighter"}
    data |= {"mql_threshold": "70", "min_fit": "", "min_engagement": "", "half_life_days": "30"}
    for rule in rules:
        data[f"points_{rule.pk}"] = str(rule.points)
        data[f"active_{rule.pk}"] = "on"
    return data | fields


def test_the_page_is_a_tab_of_the_scoring_pages_and_starts_empty(as_marketer, plain_scoring):
    page = as_marketer.get(PAGE).content.decode()
    assert 'aria-current="page">Evidence</a>' in page
    assert page.count("Nothing run yet") == 3
    assert (
        'href="/scoring/evidence/"'
        in as_marketer.get(reverse("scoring:rule_list")).content.decode()
    )


def test_reps_get_the_403_page_and_no_tab(client, rep, plain_scoring):
    client.force_login(rep)
    response = client.get(PAGE)
    assert response.status_code == 403 and b"You cannot open this page" in response.content
    assert b"/scoring/evidence/" not in client.get(reverse("scoring:rule_list")).content


def test_a_backtest_of_an_edited_candidate_is_queued_and_shows_its_progress(
    as_marketer, rule, queued, django_capture_on_commit_callbacks
):
    demo = rule("Demo", 40, event_type="demo_requested")
    data = backtest_form([demo], **{f"points_{demo.pk}": "90"})
    with django_capture_on_commit_callbacks(execute=True):
        response = as_marketer.post(reverse("evidence:backtest"), data)
    analysis = Analysis.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?backtest={analysis.pk}#backtest"
    assert queued == [analysis.pk]
    current, edited = analysis.params["candidates"]
    assert (current["rules"][0]["points"], edited["rules"][0]["points"]) == (40, 90)
    assert edited["settings"]["mql_threshold"] == 70 and edited["name"] == "Tighter"
    assert Rule.objects.get().points == 40  # nothing saved
    page = as_marketer.get(response["Location"]).content.decode()
    assert 'role="progressbar" aria-label="Backtest progress"' in page
    assert f'hx-get="{reverse("evidence:analysis", args=[analysis.pk])}"' in page


def test_a_bad_value_is_shown_on_its_field(as_marketer, rule):
    demo = rule("Demo", 40, event_type="demo_requested")
    data = backtest_form([demo], end="2026-01-01", start="2026-02-01")
    response = as_marketer.post(reverse("evidence:backtest"), data)
    assert response.status_code == 400
    form = response.context["backtest_form"]
    assert form.errors["start"] == ["The start must not be after the end."]
    assert not Analysis.objects.exists()
    data = backtest_form([demo], half_life_days="0")
    form = as_marketer.post(reverse("evidence:backtest"), data).context["backtest_form"]
    assert "half_life_days" in form.errors


def test_the_progress_bar_gives_way_to_the_result_when_it_is_done(as_marketer, rule, queued):
    rule("Demo", 100, event_type="demo_requested")
    demo = T0 + timedelta(days=3)
    person(created=T0, events=[("demo_requested", demo)], mql=demo, sql=demo + timedelta(days=1))
    analysis = services.analysis_start(
        kind=Kind.BACKTEST,
        params={"start": "2026-01-01", "end": "2026-03-31",
                "candidates": [{"name": "Current rules", "rules": [], "settings": {
                    "mql_threshold": 60, "min_fit": None, "min_engagement": None,
                    "half_life_days": None}}]},
        by=None,
    )  # fmt: skip
    url = reverse("evidence:analysis", args=[analysis.pk])
    assert b'hx-trigger="every 1s"' in as_marketer.get(url).content
    services.analysis_run(analysis_id=analysis.pk)
    fragment = as_marketer.get(url).content.decode()
    assert "hx-trigger" not in fragment
    assert "MQLs in the period" in fragment and "January 2026" in fragment
    assert (
        "What really happened" in fragment and 'data-chart="chart-data-backtest-mqls"' in fragment
    )


def test_a_failed_analysis_says_why(as_marketer, plain_scoring):
    analysis = Analysis.objects.create(
        kind=Kind.SUGGESTION, status=Status.FAILED, error="No contact became a lead.",
        params={"start": "2026-01-01", "end": "2026-03-31"},
    )  # fmt: skip
    fragment = as_marketer.get(reverse("evidence:analysis", args=[analysis.pk])).content
    assert b"did not finish: No contact became a lead." in fragment


def test_signals_are_listed_strongest_first_with_small_samples_flagged(as_marketer, rule, queued):
    for n in range(40):
        lead = T0 + timedelta(hours=n)
        sql = lead + timedelta(days=1) if n < 20 else None
        events = [("demo_requested", lead)] if n < 25 else [("email_opened", lead)]
        person(
            created=lead, events=events + [("trial_started", lead)] * (n == 3), mql=sql, sql=sql
        )
    as_marketer.post(reverse("evidence:signals"), {"start": "2026-01-01", "end": "2026-03-31",
                     "target": "sql", "window_days": "90", "min_support": "10"})  # fmt: skip
    services.analysis_run(analysis_id=Analysis.objects.get().pk)
    response = as_marketer.get(PAGE)
    page = response.content.decode()
    assert page.index("<code>demo_requested</code>") < page.index("<code>email_opened</code>")
    rows = response.context["shown"]["signals"]["rows"]
    assert [row["small_sample"] for row in rows if row["key"] == "event:trial_started"] == [True]
    assert page.count('<span class="badge badge-open">small sample</span>') == sum(
        row["small_sample"] for row in rows
    )


def test_adopting_asks_to_confirm_then_rescores_and_says_so(
    as_marketer, marketer, rule, monkeypatch
):
    from scoring import tasks as scoring_tasks

    monkeypatch.setattr(scoring_tasks.recompute_scores, "delay", lambda job: None)
    suggestion = suggestion_done(by=marketer)
    form = {"keep_0": "on", "name_0": "Asked for a demo", "points_0": "35", "mql_threshold": "30"}
    url = reverse("evidence:adopt", args=[suggestion.pk])
    confirmation = as_marketer.post(url, form)
    assert confirmation.status_code == 200
    assert b"Adopt these points?" in confirmation.content and b"New rule" in confirmation.content
    assert not Rule.objects.exists() and not RecomputeJob.objects.exists()
    response = as_marketer.post(url, form | {"confirmed": "True"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("scoring:rule_list")
    assert b"1 suggested rule adopted. Rescoring every contact now." in response.content
    assert b'aria-label="Recompute progress"' in response.content
    adopted = Rule.objects.get()
    assert (adopted.name, adopted.points, adopted.event_type) == (
        "Asked for a demo",
        35,
        "demo_requested",
    )


def test_a_rule_left_out_is_not_adopted_and_an_empty_choice_is_refused(
    as_marketer, marketer, rule
):
    suggestion = suggestion_done(by=marketer)
    url = reverse("evidence:adopt", args=[suggestion.pk])
    response = as_marketer.post(url, {"name_0": "Demo", "points_0": "35", "mql_threshold": "30"})
    assert response.status_code == 400
    assert response.context["adopt_form"].errors["__all__"] == ["Keep at least one rule to adopt."]
    assert not Rule.objects.exists()


def test_a_saved_version_is_backtested_beside_the_current_rules(
    as_marketer, rule, queued, django_capture_on_commit_callbacks
):
    demo = rule("Demo", 40, event_type="demo_requested")
    draft = releases.ruleset_update(
        ruleset=releases.ruleset_draft(by=None, name="Stricter"), mql_threshold=80
    )
    data = backtest_form([demo], source="version", ruleset=str(draft.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = as_marketer.post(reverse("evidence:backtest"), data)
    assert response.status_code == 302
    current, version = Analysis.objects.get().params["candidates"]
    assert (version["name"], version["settings"]["mql_threshold"]) == ("Stricter", 80)
    assert [r["id"] for r in version["rules"]] == [draft.rules.get().pk]


def test_a_backtest_of_a_version_needs_the_version(as_marketer, rule):
    demo = rule("Demo", 40, event_type="demo_requested")
    response = as_marketer.post(
        reverse("evidence:backtest"), backtest_form([demo], source="version")
    )
    assert response.status_code == 400
    assert response.context["backtest_form"].errors["ruleset"] == [
        "Choose the version to backtest."
    ]
    assert not Analysis.objects.exists()
