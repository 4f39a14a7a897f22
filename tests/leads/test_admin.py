"""The admin follows the same roles and scoping as the API, and moves go through services."""

import pytest
from django.urls import reverse

from leads.models import Contact
from leads.stages import Stage
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    def login(user):
        user.is_staff = True
        user.save()
        client.force_login(user)
        return client

    return login


@pytest.mark.parametrize(
    ("user", "view", "edit"),
    [("marketer", 200, True), ("manager", 200, True), ("rep", 200, False), ("nobody", 403, False)],
)
def test_who_may_view_and_edit_contacts_in_the_admin(staff, request, user, view, edit):
    client = staff(request.getfixturevalue(user))
    contact = ContactFactory(stage=Stage.MQL, owner=request.getfixturevalue("rep"))
    assert client.get(reverse("admin:leads_contact_changelist")).status_code == view
    page = client.get(reverse("admin:leads_contact_change", args=[contact.pk]))
    if view == 200:
        assert page.status_code == 200
        assert (b'name="_save"' in page.content) is edit
    else:
        assert page.status_code in (302, 403)


def test_a_rep_sees_only_their_contacts_in_the_admin(staff, rep, other_rep):
    mine, theirs = ContactFactory(owner=rep, stage=Stage.SQL), ContactFactory(owner=other_rep)
    page = staff(rep).get(reverse("admin:leads_contact_changelist"))
    assert page.context["cl"].result_count == 1
    assert list(page.context["cl"].result_list) == [mine]
    assert theirs not in page.context["cl"].result_list


def test_the_history_inline_is_read_only(staff, manager, rep):
    contact = ContactFactory(stage=Stage.MQL, owner=rep)
    from leads import services

    services.contact_accept(contact=contact, by=rep, reason="Called")
    page = staff(manager).get(reverse("admin:leads_contact_change", args=[contact.pk]))
    assert b"Called" in page.content
    assert b"transitions-0-reason" not in page.content  # shown, not editable
    assert staff(manager).get(reverse("admin:leads_transition_add")).status_code == 403


def test_the_mark_mql_action_moves_through_the_lifecycle_and_reports_refusals(staff, marketer):
    lead, client_ = ContactFactory(stage=Stage.LEAD), ContactFactory(stage=Stage.CLIENT)
    response = staff(marketer).post(
        reverse("admin:leads_contact_changelist"),
        {"action": "mark_mql", "_selected_action": [lead.pk, client_.pk]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any("Marked as MQL: 1" in m for m in messages)
    assert any("Client" in m for m in messages)
    assert Contact.objects.get(pk=lead.pk).stage == Stage.MQL
    assert Contact.objects.get(pk=lead.pk).transitions.get().actor == marketer
    assert Contact.objects.get(pk=client_.pk).stage == Stage.CLIENT


def test_editing_in_the_admin_cannot_change_the_stage(staff, marketer):
    contact = ContactFactory(stage=Stage.LEAD, email="a@example.com")
    staff(marketer).post(
        reverse("admin:leads_contact_change", args=[contact.pk]),
        {
            "email": "a@example.com",
            "company": "New Co",
            "stage": "client",
            "attributes": "{}",
            "transitions-TOTAL_FORMS": 0,
            "transitions-INITIAL_FORMS": 0,
        },
    )
    contact.refresh_from_db()
    assert (contact.company, contact.stage) == ("New Co", Stage.LEAD)


def test_a_staff_rep_is_offered_no_action_and_cannot_erase_through_the_admin(staff, rep):
    contact = ContactFactory(stage=Stage.SQL, owner=rep, email="kept@example.com")
    client = staff(rep)
    page = client.get(reverse("admin:leads_contact_changelist"))
    assert page.context["action_form"] is None  # no action is offered to a reader
    client.post(
        reverse("admin:leads_contact_changelist"),
        {"action": "erase", "_selected_action": [contact.pk]},
    )
    contact.refresh_from_db()
    assert (contact.email, contact.erased_at) == ("kept@example.com", None)
