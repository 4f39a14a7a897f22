"""Rule sets as releases: a draft is copied and edited without touching anyone's score;
publishing it makes its rules and thresholds score (one recompute) and archives the version
it replaces; publishing an archived version is the rollback; a write that names no version
is a release of its own. Who may do what, and the audit of every state change."""

import pytest
from django.contrib.contenttypes.models import ContentType

from audit.models import AuditEntry
from leads.models import Contact
from leads.stages import Stage
from scoring import services
from scoring.models import ContactRuleScore, Rule, RuleSet, ScoringSettings
from tests.factories import ContactFactory
from tests.scoring.helpers import event

pytestmark = pytest.mark.django_db

SETS = "/api/v1/scoring/rulesets/"
RULES = "/api/v1/scoring/rules/"


@pytest.fixture
def demo_rule(rule):
    return rule("Demo requested", 40, event_type="demo_requested")


def _draft(api, marketer, **body):
    answer = api.as_user(marketer).post(SETS, body, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()


def _publish(api, user, version_id, reason="Better fit with what sales accepts"):
    return api.as_user(user).post(
        f"{SETS}{version_id}/publish/", {"reason": reason}, format="json"
    )


def test_a_draft_copies_the_published_rules_and_thresholds(api, marketer, demo_rule):
    published = RuleSet.published()
    draft = _draft(api, marketer, name="Spring model")
    assert (draft["state"], draft["based_on"], draft["rules"]) == ("draft", published.pk, 1)
    assert draft["mql_threshold"] == published.mql_threshold
    copy = api.as_user(marketer).get(f"{RULES}?ruleset={draft['id']}").json()["results"]
    assert [(r["name"], r["points"], r["ruleset"]) for r in copy] == [
        ("Demo requested", 40, draft["id"])
    ]
    assert copy[0]["id"] != demo_rule.pk
    live = api.as_user(marketer).get(RULES).json()["results"]
    assert [r["id"] for r in live] == [demo_rule.pk]


def test_editing_a_draft_scores_nobody_until_it_is_published(api, marketer, send, demo_rule):
    draft = _draft(api, marketer)
    copy = Rule.all_versions.get(ruleset_id=draft["id"])
    changed = api.as_user(marketer).patch(f"{RULES}{copy.pk}/", {"points": 70}, format="json")
    assert changed.status_code == 200 and changed.json()["ruleset"] == draft["id"]
    added = api.as_user(marketer).post(
        RULES,
        {"name": "Webinar", "dimension": "engagement", "points": 10,
         "event_type": "webinar_registered", "ruleset": draft["id"]},
        format="json",
    )  # fmt: skip
    assert added.status_code == 201 and added.json()["ruleset"] == draft["id"]
    lead = ContactFactory(stage=Stage.LEAD)
    send(event("d1", lead, "demo_requested"), event("w1", lead, "webinar_registered"))
    assert Contact.objects.get(pk=lead.pk).score == 40
    assert RuleSet.objects.get(pk=draft["id"]).state == "draft"


def test_publishing_makes_the_draft_score_and_archives_the_one_it_replaces(
    api, marketer, send, demo_rule
):
    lead = ContactFactory(stage=Stage.LEAD)
    send(event("d1", lead, "demo_requested"))
    before = RuleSet.published()
    draft = _draft(api, marketer, mql_threshold=70, hot_threshold=120)
    copy = Rule.all_versions.get(ruleset_id=draft["id"])
    api.as_user(marketer).patch(f"{RULES}{copy.pk}/", {"points": 75}, format="json")

    answer = _publish(api, marketer, draft["id"])
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["ruleset"]["state"] == "published" and body["recompute"]["status"] == "pending"
    assert body["ruleset"]["reason"] == "Better fit with what sales accepts"
    assert RuleSet.objects.get(pk=before.pk).state == "archived"
    assert ScoringSettings.load().mql_threshold == 70
    services.recompute_run(job_id=body["recompute"]["id"])

    lead.refresh_from_db()
    assert (lead.score, lead.stage) == (75, Stage.MQL)
    assert not ContactRuleScore.objects.filter(rule=demo_rule).exists()
    live = api.as_user(marketer).get(RULES).json()["results"]
    assert [(r["id"], r["points"]) for r in live] == [(copy.pk, 75)]


def test_publishing_an_archived_version_again_is_the_rollback(api, marketer, send, demo_rule):
    lead = ContactFactory(stage=Stage.LEAD)
    send(event("d1", lead, "demo_requested"))
    first = RuleSet.published()
    draft = _draft(api, marketer)
    copy = Rule.all_versions.get(ruleset_id=draft["id"])
    api.as_user(marketer).patch(f"{RULES}{copy.pk}/", {"points": 5}, format="json")
    services.recompute_run(job_id=_publish(api, marketer, draft["id"]).json()["recompute"]["id"])
    assert Contact.objects.get(pk=lead.pk).score == 5

    back = _publish(api, marketer, first.pk, reason="Too few MQLs since Monday")
    assert back.status_code == 200 and back.json()["ruleset"]["id"] == first.pk
    services.recompute_run(job_id=back.json()["recompute"]["id"])
    assert Contact.objects.get(pk=lead.pk).score == 40
    assert RuleSet.objects.get(pk=draft["id"]).state == "archived"
    again = _draft(api, marketer, **{"from": draft["id"]})
    assert again["based_on"] == draft["id"]
    assert Rule.all_versions.get(ruleset_id=again["id"]).points == 5


def test_a_rule_change_that_names_no_version_is_a_release_of_its_own(
    api, marketer, send, demo_rule
):
    lead = ContactFactory(stage=Stage.LEAD)
    send(event("d1", lead, "demo_requested"))
    before = RuleSet.published()
    changed = api.as_user(marketer).patch(f"{RULES}{demo_rule.pk}/", {"points": 30}, format="json")
    assert changed.status_code == 200 and changed.json()["id"] == demo_rule.pk
    after = RuleSet.published()
    assert after.pk != before.pk and changed.json()["ruleset"] == after.pk
    assert (after.based_on_id, RuleSet.objects.get(pk=before.pk).state) == (before.pk, "archived")
    kept = Rule.all_versions.get(ruleset=before)
    assert (kept.name, kept.points) == ("Demo requested", 40)
    # The counters stay with the rule: the change costs no rebuild, as before versions.
    assert ContactRuleScore.objects.filter(rule=demo_rule, contact=lead).exists()
    services.recompute_run(job_id=services.recompute_start(by=marketer).pk)
    assert Contact.objects.get(pk=lead.pk).score == 30


def test_new_thresholds_without_a_version_are_a_release_too(api, marketer):
    before = RuleSet.published()
    answer = api.as_user(marketer).patch(
        "/api/v1/scoring/settings/", {"mql_threshold": 50}, format="json"
    )
    assert answer.status_code == 200
    after = RuleSet.published()
    assert (after.mql_threshold, RuleSet.objects.get(pk=before.pk).mql_threshold) == (50, 60)
    api.as_user(marketer).patch("/api/v1/scoring/settings/", {"half_life_days": 9}, format="json")
    assert RuleSet.published().pk == after.pk  # the decay belongs to no version


def test_only_a_draft_is_edited_or_deleted(api, marketer, demo_rule):
    published = RuleSet.published()
    client = api.as_user(marketer)
    refused = client.patch(f"{SETS}{published.pk}/", {"mql_threshold": 10}, format="json")
    assert refused.status_code == 409 and refused.json()["state"] == "published"
    assert client.delete(f"{SETS}{published.pk}/").status_code == 409
    draft = _draft(api, marketer)
    _publish(api, marketer, draft["id"])
    archived_rule = Rule.all_versions.get(ruleset=published)
    answer = client.patch(f"{RULES}{archived_rule.pk}/", {"points": 1}, format="json")
    assert answer.status_code == 409 and answer.json()["state"] == "archived"
    assert Rule.all_versions.get(pk=archived_rule.pk).points == 40
    assert _publish(api, marketer, draft["id"]).status_code == 409
    second = _draft(api, marketer)
    assert client.delete(f"{SETS}{second['id']}/").status_code == 204


def test_a_publish_needs_a_reason_and_changes_nothing_without_one(api, marketer, demo_rule):
    draft = _draft(api, marketer)
    answer = _publish(api, marketer, draft["id"], reason=" ")
    assert answer.status_code == 400 and "reason" in answer.json()
    assert RuleSet.objects.get(pk=draft["id"]).state == "draft"


def test_sales_read_the_versions_and_change_none(api, rep, marketer, manager, demo_rule):
    assert api.as_user(rep).get(SETS).status_code == 200
    assert api.as_user(rep).post(SETS, {}, format="json").status_code == 403
    draft = _draft(api, marketer)
    assert _publish(api, rep, draft["id"]).status_code == 403
    assert RuleSet.objects.get(pk=draft["id"]).state == "draft"
    assert _publish(api, manager, draft["id"]).status_code == 200


def test_every_state_change_is_in_the_audit_log_with_who_and_why(api, marketer, demo_rule):
    draft = _draft(api, marketer)
    _publish(api, marketer, draft["id"], reason="Sales asked for fewer students")
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(RuleSet), object_id=str(draft["id"])
    ).order_by("pk")
    published = entries.last()
    assert published.actor == marketer
    assert (published.before["state"], published.after["state"]) == ("draft", "published")
    assert published.after["reason"] == "Sales asked for fewer students"


def test_the_admin_changes_a_live_rule_by_a_release_and_no_archived_one(
    client, django_user_model, demo_rule
):
    client.force_login(django_user_model.objects.create_superuser("root", "r@x.example", "pw"))
    before = RuleSet.published()
    url = f"/admin/scoring/rule/{demo_rule.pk}/change/"
    body = {"ruleset": before.pk, "name": "Demo asked", "dimension": "engagement",
            "points": "45", "active": "on", "event_type": "demo_requested", "attribute": "",
            "operator": "", "value": "null", "max_times": ""}  # fmt: skip
    assert client.post(url, body).status_code == 302
    live = Rule.objects.get()
    assert (live.pk, live.name, live.points) == (demo_rule.pk, "Demo asked", 45)
    archived = Rule.all_versions.get(ruleset=before)
    assert archived.name == "Demo requested"
    answer = client.post(f"/admin/scoring/rule/{archived.pk}/change/", body)
    assert answer.status_code == 403
    assert Rule.all_versions.get(pk=archived.pk).points == 40


def test_thresholds_changed_in_the_admin_are_a_release_too(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "r@x.example", "pw"))
    before = RuleSet.published()
    body = {"mql_threshold": "45", "min_fit": "", "min_engagement": "", "hot_threshold": "90",
            "half_life_days": "", "company_aggregate": "top", "company_top_n": "3",
            "mqa_threshold": ""}  # fmt: skip
    answer = client.post("/admin/scoring/scoringsettings/1/change/", body)
    assert answer.status_code == 302
    assert RuleSet.published().pk != before.pk and RuleSet.published().mql_threshold == 45
    assert ScoringSettings.load().mql_threshold == 45


def test_a_rule_without_a_version_joins_the_published_one_when_written_not_when_built(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        built = Rule(name="Pricing", dimension="engagement", points=5, event_type="page_viewed")
    assert built.ruleset_id is None
    (bulk,) = Rule.objects.bulk_create([built])
    saved = Rule.objects.create(name="Any page", dimension="engagement", points=1,
                                event_type="page_viewed")  # fmt: skip
    published = RuleSet.published().pk
    assert Rule.objects.get(pk=bulk.pk).ruleset_id == saved.ruleset_id == published
