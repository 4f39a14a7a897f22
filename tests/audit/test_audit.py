"""The audit log: every change of a rule, threshold, policy, target, definition or webhook
is recorded with its actor, time and values, through any write path."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.context import acting_as
from audit.models import Action, AuditEntry
from integrations.models import Webhook
from leads.models import Definition
from leads.services import definition_revise
from reporting.models import Target
from scoring.models import Rule, ScoringSettings
from sla import services as sla_services
from sla.models import AssignmentRule, ClockKind, SlaPolicy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def entries_of(model) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(content_type__model=model._meta.model_name).order_by("id")
    )


@pytest.fixture
def rule(db) -> Rule:
    with acting_as(None):
        return Rule.objects.create(
            name="Pricing page", dimension="engagement", points=10, event_type="page_viewed"
        )


def test_a_rule_changed_through_the_api_records_who_when_and_the_values(api, marketer, rule):
    response = api.as_user(marketer).patch(
        f"/api/v1/scoring/rules/{rule.pk}/", {"points": 25}, format="json"
    )
    assert response.status_code == 200
    entry = entries_of(Rule)[-1]
    assert (entry.action, entry.actor, entry.actor_name) == (Action.CHANGED, marketer, "marketer")
    assert entry.changes == {"points": {"before": 10, "after": 25}}
    assert entry.before["name"] == entry.after["name"] == "Pricing page"
    assert entry.at is not None


def test_a_threshold_change_is_recorded(api, manager):
    ScoringSettings.objects.get_or_create(pk=1)
    before = ScoringSettings.objects.get(pk=1).mql_threshold
    response = api.as_user(manager).patch(
        "/api/v1/scoring/settings/", {"mql_threshold": before + 15}, format="json"
    )
    assert response.status_code == 200
    entry = entries_of(ScoringSettings)[-1]
    assert entry.actor == manager
    assert entry.changes["mql_threshold"] == {"before": before, "after": before + 15}


def test_an_sla_policy_changed_in_the_admin_is_recorded(client, manager):
    manager.is_staff = True
    manager.save()
    policy = sla_services.policy_create(
        by=None, name="MQL in 2 days", clock=ClockKind.MQL_RESPONSE, hours=Decimal(48)
    )
    client.force_login(manager)
    url = reverse("admin:sla_slapolicy_change", args=[policy.pk])
    data = {
        "name": policy.name,
        "clock": policy.clock,
        "hours": "24",
        "time_zone": "UTC",
        "work_days": "[0, 1, 2, 3, 4]",
        "start_hour": 9,
        "end_hour": 18,
        "action": policy.action,
        "stops_on": policy.stops_on,
        "active": "on",
        "created_at_0": f"{policy.created_at:%Y-%m-%d}",
        "created_at_1": f"{policy.created_at:%H:%M:%S}",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = entries_of(SlaPolicy)[-1]
    assert (entry.action, entry.actor) == (Action.CHANGED, manager)
    assert entry.changes == {"hours": {"before": "48.00", "after": "24.00"}}


def test_targets_created_and_deleted_through_the_api_are_recorded(api, manager):
    client = api.as_user(manager)
    created = client.post(
        "/api/v1/targets/", {"stage": "mql", "month": "2026-03-01", "goal": 120}, format="json"
    )
    assert created.status_code == 201
    assert client.delete(f"/api/v1/targets/{created.data['id']}/").status_code == 204
    first, last = entries_of(Target)
    assert (first.action, first.before, first.after["goal"]) == (Action.CREATED, None, 120)
    assert (last.action, last.before["goal"], last.after) == (Action.DELETED, 120, None)
    assert first.actor == last.actor == manager


def test_an_assignment_rule_and_its_reps_changed_in_one_request_make_one_entry(api, manager):
    rep_a, rep_b = UserFactory(role="sales"), UserFactory(role="sales")
    with acting_as(None):
        rule = AssignmentRule.objects.create(name="Everyone", priority=5)
        rule.reps.set([rep_a])
    response = api.as_user(manager).patch(
        f"/api/v1/sla/assignment-rules/{rule.pk}/",
        {"priority": 1, "reps": [rep_a.pk, rep_b.pk]},
        format="json",
    )
    assert response.status_code == 200, response.data
    entry = entries_of(AssignmentRule)[-1]
    assert entry.changes == {
        "priority": {"before": 5, "after": 1},
        "reps": {"before": [rep_a.pk], "after": sorted([rep_a.pk, rep_b.pk])},
    }
    assert AssignmentRule.objects.get().last_rep is None  # bookkeeping is not audited


def test_a_webhook_secret_is_recorded_as_a_fingerprint_never_the_value(api, manager):
    hook = Webhook.objects.create(url="https://crm.example.com/hook", events=[])
    old_secret = hook.secret
    hook.secret = "whsec_brand_new"
    hook.save()
    entry = entries_of(Webhook)[-1]
    assert entry.changes["secret"]["before"].startswith("sha256:")
    assert entry.changes["secret"]["before"] != entry.changes["secret"]["after"]
    stored = str(entry.before) + str(entry.after)
    assert old_secret not in stored and "whsec_brand_new" not in stored


def test_a_save_that_changes_nothing_records_nothing(rule):
    count = AuditEntry.objects.count()
    rule.save()
    assert AuditEntry.objects.count() == count


def test_changes_outside_a_request_are_the_systems_unless_someone_is_named(manager):
    Target.objects.create(stage="mql", month=date(2026, 3, 1), goal=10)
    with acting_as(manager):
        definition_revise(term=Definition.Term.MQL, text="Fit and interest.", by=manager)
    target_entry, definition_entry = entries_of(Target)[-1], entries_of(Definition)[-1]
    assert (target_entry.actor, target_entry.actor_name) == (None, "")
    assert definition_entry.actor == manager
    assert definition_entry.after["text"] == "Fit and interest."


def test_managers_read_the_log_through_the_api_filtered_by_model(api, manager, marketer, rule):
    api.as_user(marketer).patch(f"/api/v1/scoring/rules/{rule.pk}/", {"active": False})
    Target.objects.create(stage="mql", month=date(2026, 3, 1), goal=10)
    response = api.as_user(manager).get("/api/v1/audit/", {"model": "scoring.rule"})
    assert response.status_code == 200
    assert [row["model"] for row in response.data["results"]] == ["scoring.rule"] * 2
    newest = response.data["results"][0]
    assert newest["actor"] == marketer.pk
    assert newest["changes"] == {"active": {"before": True, "after": False}}
    assert api.as_user(marketer).get("/api/v1/audit/").status_code == 403


def test_managers_read_the_log_in_the_admin_and_nobody_edits_it(client, manager, rule):
    manager.is_staff = True
    manager.save()
    entry = entries_of(Rule)[-1]
    client.force_login(manager)
    listing = client.get(reverse("admin:audit_auditentry_changelist"))
    assert listing.status_code == 200
    assert b"Pricing page" in listing.content
    assert client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_delete", args=[entry.pk])).status_code == 403
