"""Bulk "mark MQL" and "assign" from the contacts list: each contact through its service."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from leads.models import Contact, Transition
from leads.stages import Move, Stage
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
URL = reverse("leads:contact_bulk")


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_bulk_mark_mql_moves_the_eligible_and_reports_each_refusal(login, marketer):
    lead, contact = ContactFactory(stage=Stage.LEAD), ContactFactory(stage=Stage.CONTACT)
    client_ = ContactFactory(stage=Stage.CLIENT, first_name="Ada", last_name="Byron")
    response = login(marketer).post(
        URL, {"action": "mark_mql", "contacts": [lead.pk, contact.pk, client_.pk]}
    )
    assert response.status_code == 302
    stages = dict(Contact.objects.values_list("pk", "stage"))
    assert stages == {lead.pk: Stage.MQL, contact.pk: Stage.MQL, client_.pk: Stage.CLIENT}
    assert Transition.objects.filter(move=Move.MARK_MQL, actor=marketer).count() == 2
    messages = texts(response)
    assert "Marked 2 contacts as MQL." in messages
    assert any("Ada Byron (the contact is Client)" in text for text in messages)


def test_bulk_returns_to_the_filtered_list_it_came_from(login, marketer):
    lead = ContactFactory(stage=Stage.LEAD)
    back = reverse("leads:contact_list") + "?stage=lead"
    response = login(marketer).post(
        URL, {"action": "mark_mql", "contacts": [lead.pk], "next": back}
    )
    assert response["Location"] == back


def test_bulk_ignores_a_next_url_pointing_elsewhere(login, marketer):
    lead = ContactFactory(stage=Stage.LEAD)
    response = login(marketer).post(
        URL, {"action": "mark_mql", "contacts": [lead.pk], "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("leads:contact_list")


def test_a_manager_assigns_several_mqls_to_a_rep(login, manager, rep):
    mqls = ContactFactory.create_batch(3, stage=Stage.MQL)
    response = login(manager).post(
        URL, {"action": "assign", "contacts": [c.pk for c in mqls], "owner": rep.pk}
    )
    assert set(Contact.objects.values_list("owner", flat=True)) == {rep.pk}
    assert f"Assigned 3 contacts to {rep.username}." in texts(response)


def test_marketing_may_not_assign_as_in_the_api(login, marketer, rep):
    mql = ContactFactory(stage=Stage.MQL)
    response = login(marketer).post(
        URL, {"action": "assign", "contacts": [mql.pk], "owner": rep.pk}
    )
    assert response.status_code == 403
    assert Contact.objects.get(pk=mql.pk).owner is None


def test_reps_have_no_bulk_actions(login, rep):
    mql = ContactFactory(stage=Stage.MQL, owner=rep)
    assert login(rep).post(URL, {"action": "mark_mql", "contacts": [mql.pk]}).status_code == 403


def test_an_empty_selection_changes_nothing_and_says_so(login, marketer):
    response = login(marketer).post(URL, {"action": "mark_mql"})
    assert "Select at least one contact." in texts(response)


def test_a_contact_outside_the_users_scope_cannot_be_smuggled_in(login, marketer):
    erased = ContactFactory(stage=Stage.LEAD, email=None, erased_at="2026-01-01T00:00:00Z")
    response = login(marketer).post(URL, {"action": "mark_mql", "contacts": [erased.pk]})
    assert any("valid choice" in text for text in texts(response))
    assert Contact.objects.get(pk=erased.pk).stage == Stage.LEAD
