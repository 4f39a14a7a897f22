"""The rep's queue and the managers' team queue: MQLs by SLA deadline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import Contact
from leads.stages import Stage
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
MINE = reverse("leads:my_queue")
TEAM = reverse("leads:team_queue")


def ids(rows) -> list[int]:
    return [row.contact.pk for row in rows]


def test_my_queue_lists_my_mqls_most_urgent_first(login, rep, other_rep):
    now = timezone.now()
    later = ContactFactory(stage=Stage.MQL, owner=rep, sla_due_at=now + timedelta(hours=5))
    late = ContactFactory(stage=Stage.MQL, owner=rep, sla_due_at=now - timedelta(hours=1))
    no_clock = ContactFactory(stage=Stage.MQL, owner=rep, sla_due_at=None)
    ContactFactory(stage=Stage.MQL, owner=other_rep)
    ContactFactory(stage=Stage.SQL, owner=rep)
    response = login(rep).get(MINE)
    assert ids(response.context["mine"]) == [late.pk, later.pk, no_clock.pk]
    assert response.context["mine_counts"] == {"total": 3, "overdue": 1}


def test_overdue_rows_are_highlighted_and_say_overdue_in_words(login, rep):
    late = ContactFactory(
        stage=Stage.MQL, owner=rep, sla_due_at=timezone.now() - timedelta(hours=3)
    )
    body = login(rep).get(MINE).content.decode()
    assert f'<tr id="queue-row-{late.pk}" class="overdue">' in body
    assert "overdue by 3" in body
    assert f'data-due="{late.sla_due_at.isoformat()}"' in body


def test_each_row_offers_accept_and_reject_in_one_click(login, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    body = login(rep).get(MINE).content.decode()
    for action in ("accept", "reject"):
        assert f'hx-post="{reverse("leads:contact_action", args=[mql.pk, action])}"' in body
    assert 'name="reason" value="Bad fit"' in body


def test_the_shared_queue_offers_claim_and_my_deals_are_listed(login, rep):
    shared = ContactFactory(stage=Stage.MQL, owner=None)
    deal = ContactFactory(stage=Stage.QSO, owner=rep)
    response = login(rep).get(MINE)
    assert ids(response.context["shared"]) == [shared.pk]
    assert response.context["shared"][0].allowed == ["claim"]
    assert [c.pk for c in response.context["deals"]] == [deal.pk]


def test_an_empty_queue_says_it_is_clear(login, rep):
    assert b"Your queue is clear" in login(rep).get(MINE).content


def test_the_team_queue_counts_open_and_overdue_mqls_per_rep(login, manager, rep, other_rep):
    past = timezone.now() - timedelta(hours=1)
    ContactFactory(stage=Stage.MQL, owner=rep, sla_due_at=past)
    ContactFactory(stage=Stage.MQL, owner=rep)
    ContactFactory(stage=Stage.MQL, owner=None, sla_due_at=past)
    ContactFactory(stage=Stage.SQL, owner=other_rep)
    response = login(manager).get(TEAM)
    summary = {user.username: counts for user, counts in response.context["summary"]}
    assert (summary["rep"]["total"], summary["rep"]["overdue"]) == (2, 1)
    assert (summary["rep2"]["total"], summary["rep2"]["overdue"]) == (0, 0)
    unassigned = response.context["unassigned"]
    assert (unassigned["total"], unassigned["overdue"]) == (1, 1)


def test_the_team_queue_filters_by_owner_and_overdue(login, manager, rep):
    past = timezone.now() - timedelta(hours=1)
    late = ContactFactory(stage=Stage.MQL, owner=rep, sla_due_at=past)
    ContactFactory(stage=Stage.MQL, owner=rep)
    shared = ContactFactory(stage=Stage.MQL, owner=None)
    client = login(manager)
    assert ids(client.get(TEAM, {"owner": rep.pk, "overdue": "true"}).context["rows"]) == [late.pk]
    assert ids(client.get(TEAM, {"owner": "none"}).context["rows"]) == [shared.pk]


def test_a_manager_reassigns_from_the_team_queue_row(login, manager, rep, other_rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    url = reverse("leads:contact_action", args=[mql.pk, "assign"])
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/queue/team/"}
    response = login(manager).post(url, {"owner": other_rep.pk}, headers=headers)
    assert response.status_code == 200
    assert Contact.objects.get(pk=mql.pk).owner == other_rep
    assert f"is now with {other_rep.username}." in response.content.decode()


def test_row_action_urls_are_the_routes_of_the_actions(login, manager, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    body = login(manager).get(TEAM).content.decode()
    for action in ("accept", "reject", "assign"):
        url = reverse("leads:contact_action", args=[mql.pk, action])
        assert f'action="{url}"' in body and f'hx-post="{url}"' in body
