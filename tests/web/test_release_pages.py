"""The releases page: every version with its state and reason; marketing and managers draft,
publish and roll back (a reason is required, a refusal is a message), sales read only."""

import pytest
from django.urls import reverse

from leads.models import Contact
from leads.stages import Stage
from scoring import releases
from scoring.models import RecomputeJob, Rule, RuleSet
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_sales_see_the_versions_and_no_button(client, rep):
    client.force_login(rep)
    page = client.get(reverse("scoring:releases"))
    assert page.status_code == 200
    assert RuleSet.published().name in page.content.decode()
    assert "New draft of the rules in use" not in page.content.decode()
    draft = releases.ruleset_draft(by=None)
    url = reverse("scoring:release_publish", args=[draft.pk])
    assert client.post(url, {"reason": "mine"}).status_code == 403
    assert RuleSet.objects.get(pk=draft.pk).state == "draft"


def test_a_draft_is_made_from_the_rules_in_use_and_listed_with_them(client, marketer):
    client.force_login(marketer)
    answer = client.post(reverse("scoring:release_draft"))
    draft = RuleSet.objects.get(state="draft")
    assert answer.status_code == 302 and answer["Location"].endswith(f"?ruleset={draft.pk}")
    listed = client.get(answer["Location"]).content.decode()
    assert "they score nobody" in listed
    assert draft.rules.count() == Rule.objects.count()


def test_a_draft_is_made_from_the_version_named_and_an_unknown_one_is_a_404(client, marketer):
    client.force_login(marketer)
    old = releases.ruleset_draft(by=None, name="Old")
    assert client.post(reverse("scoring:release_draft"), {"from": old.pk}).status_code == 302
    assert RuleSet.objects.filter(based_on=old).count() == 1
    assert client.post(reverse("scoring:release_draft"), {"from": "x"}).status_code == 302
    assert client.post(reverse("scoring:release_draft"), {"from": "9999"}).status_code == 404


def test_a_publish_without_a_reason_is_refused_with_a_message(client, marketer):
    draft = releases.ruleset_draft(by=None)
    client.force_login(marketer)
    answer = client.post(
        reverse("scoring:release_publish", args=[draft.pk]), {"reason": ""}, follow=True
    )
    assert "Say why this version is published." in answer.content.decode()
    assert RuleSet.objects.get(pk=draft.pk).state == "draft"
    assert not RecomputeJob.objects.exists()


def test_publishing_the_published_version_again_is_a_message_not_an_error(client, marketer):
    client.force_login(marketer)
    published = RuleSet.published()
    answer = client.post(
        reverse("scoring:release_publish", args=[published.pk]), {"reason": "x"}, follow=True
    )
    assert answer.status_code == 200 and "already published" in answer.content.decode()


def test_only_a_draft_is_deleted(client, marketer):
    client.force_login(marketer)
    draft = releases.ruleset_draft(by=None)
    client.post(reverse("scoring:release_delete", args=[draft.pk]))
    assert not RuleSet.objects.filter(pk=draft.pk).exists()
    published = RuleSet.published()
    answer = client.post(reverse("scoring:release_delete", args=[published.pk]), follow=True)
    assert "only a draft is edited" in answer.content.decode()
    assert RuleSet.objects.filter(pk=published.pk).exists()


def _looser_draft() -> RuleSet:
    """A draft that makes an MQL of anyone with 10 points."""
    draft = releases.ruleset_draft(by=None, name="Looser")
    return releases.ruleset_update(ruleset=draft, mql_threshold=10, min_engagement=None)


def _named_draft(first_name: str) -> RuleSet:
    """A draft whose only way to an MQL is a rule on the first name (far above what the
    default rules give anyone)."""
    draft = releases.ruleset_draft(by=None, name="By name")
    draft = releases.ruleset_update(
        ruleset=draft, mql_threshold=500, min_engagement=None, hot_threshold=None
    )
    Rule.all_versions.create(
        ruleset=draft, name="Named", dimension="fit", points=600,
        attribute="first_name", operator="eq", value=first_name,
    )  # fmt: skip
    return draft


def test_the_publish_page_lists_who_it_would_make_mql_before_anything_changes(client, marketer):
    warm = ContactFactory(stage=Stage.LEAD, first_name="Grace", last_name="Hopper")
    ContactFactory(stage=Stage.LEAD, first_name="Alan")
    draft = _named_draft("Grace")
    client.force_login(marketer)
    page = client.get(reverse("scoring:release_publish", args=[draft.pk])).content.decode()
    assert "It would make 1 contact MQL" in page and "Grace Hopper" in page
    assert RuleSet.objects.get(pk=draft.pk).state == "draft"
    assert Contact.objects.get(pk=warm.pk).stage == Stage.LEAD


def test_a_draft_runs_in_shadow_and_its_comparison_page_shows_the_figures(client, marketer):
    draft = _looser_draft()
    client.force_login(marketer)
    answer = client.post(reverse("scoring:release_shadow", args=[draft.pk]), follow=True)
    page = answer.content.decode()
    assert "is in shadow" in page and "MQLs since the shadow began" in page
    assert "Scoring every contact by this version first" in page  # the build waits
    assert RuleSet.objects.get(pk=draft.pk).state == "shadow"
    listed = client.get(reverse("scoring:releases")).content.decode()
    assert "Stop the shadow" in listed and "Comparison" in listed


def test_a_second_shadow_is_refused_with_a_message(client, marketer):
    releases.shadow_start(ruleset=_looser_draft(), by=None)
    other = releases.ruleset_draft(by=None, name="Other")
    client.force_login(marketer)
    answer = client.post(reverse("scoring:release_shadow", args=[other.pk]), follow=True)
    assert "is in shadow already" in answer.content.decode()
    assert RuleSet.objects.get(pk=other.pk).state == "draft"


def test_a_version_never_in_shadow_has_no_comparison_page(client, marketer):
    client.force_login(marketer)
    answer = client.get(
        reverse("scoring:release_comparison", args=[_looser_draft().pk]), follow=True
    )
    assert "has never been in shadow" in answer.content.decode()
