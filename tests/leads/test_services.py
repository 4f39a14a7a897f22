"""Contact writes: creation, edits, erasure, and what the lifecycle tells other apps."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from leads import services, signals
from leads.errors import DuplicateContact, StageConflict
from leads.models import Contact
from leads.stages import Stage
from tests.factories import ContactFactory
from tests.utils import receiving

pytestmark = pytest.mark.django_db


def test_creating_an_email_that_exists_in_another_case_is_a_duplicate(marketer):
    first = services.contact_create(by=marketer, email="Ada@Example.com")
    with pytest.raises(DuplicateContact) as duplicate:
        services.contact_create(by=marketer, email="ada@example.COM")
    assert duplicate.value.existing_id == first.pk
    assert Contact.objects.count() == 1


def test_an_edit_whose_follow_up_fails_is_not_saved(marketer):
    # The profile rescoring listens to contact_saved inside the edit's transaction: an
    # error there must take the edit back with it, not leave it half-done.
    contact = services.contact_create(by=marketer, email="ada@example.com", company="Old")
    failing = receiving(signals.contact_saved, raising=RuntimeError("rescoring failed"))
    with failing, pytest.raises(RuntimeError):
        services.contact_update(contact=contact, by=marketer, company="New")
    assert Contact.objects.get(pk=contact.pk).company == "Old"


def test_editing_an_email_onto_another_contact_is_a_duplicate(marketer):
    ada = services.contact_create(by=marketer, email="ada@example.com")
    bob = services.contact_create(by=marketer, email="bob@example.com")
    with pytest.raises(DuplicateContact) as duplicate:
        services.contact_update(contact=bob, by=marketer, email="ADA@example.com")
    assert duplicate.value.existing_id == ada.pk
    bob.refresh_from_db()
    assert bob.email == "bob@example.com"


def test_update_refuses_to_change_the_stage(marketer):
    contact = ContactFactory(stage=Stage.LEAD)
    with pytest.raises(ValidationError):
        services.contact_update(contact=contact, by=marketer, stage=Stage.CLIENT)
    contact.refresh_from_db()
    assert contact.stage == Stage.LEAD


def test_contact_saved_names_only_the_fields_that_changed(marketer):
    contact = ContactFactory(company="Acme", job_title="CMO")
    with receiving(signals.contact_saved) as seen:
        services.contact_update(contact=contact, by=marketer, company="Acme", job_title="CEO")
    assert [s["changed"] for s in seen] == [{"job_title"}]


def test_stage_changed_is_announced_only_after_commit(rep, django_capture_on_commit_callbacks):
    contact = ContactFactory(stage=Stage.MQL, owner=rep)
    with receiving(signals.stage_changed) as announced:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.contact_accept(contact=contact, by=rep)
        assert announced == []
        for callback in callbacks:
            callback()
    assert [(a["contact_id"], a["from_stage"], a["to_stage"]) for a in announced] == [
        (contact.pk, Stage.MQL, Stage.SQL)
    ]


def test_a_receiver_that_fails_inside_the_move_rolls_the_move_back(rep):
    contact = ContactFactory(stage=Stage.MQL, owner=rep)
    failing = receiving(signals.transitions_recorded, raising=RuntimeError("clock store down"))
    with failing, pytest.raises(RuntimeError):
        services.contact_accept(contact=contact, by=rep)
    contact.refresh_from_db()
    assert contact.stage == Stage.MQL
    assert not contact.transitions.exists()


def test_erasure_removes_personal_data_and_keeps_the_funnel_facts(rep, manager):
    contact = ContactFactory(
        email="eve@example.com", phone="+33 6 12 34 56 78", attributes={"linkedin": "eve"}
    )
    services.contact_mark_mql(contact=contact, by=None)
    services.contact_assign(contact=contact, by=manager, owner=rep)
    services.contact_accept(contact=contact, by=rep, reason="Called her")
    services.contact_erase(contact=contact, by=manager)
    contact.refresh_from_db()
    assert contact.email is None
    assert (contact.first_name, contact.last_name, contact.phone, contact.company) == ("",) * 4
    assert contact.attributes == {}
    assert contact.erased_at is not None
    assert (contact.stage, contact.owner) == (Stage.SQL, rep)
    assert contact.mql_at and contact.sql_at
    assert [t.to_stage for t in contact.transitions.order_by("id")] == ["mql", "mql", "sql"]
    # The freed address may come back as a new person.
    services.contact_create(by=manager, email="eve@example.com")


def test_an_erased_contact_cannot_move_any_more(manager):
    contact = ContactFactory(stage=Stage.LEAD)
    services.contact_erase(contact=contact, by=manager)
    with pytest.raises(StageConflict):
        services.contact_mark_mql(contact=contact, by=manager)


def test_only_marketing_and_managers_erase_a_person(rep):
    contact = ContactFactory(stage=Stage.SQL, owner=rep, email="kept@example.com")
    with pytest.raises(PermissionDenied):
        services.contact_erase(contact=contact, by=rep)
    contact.refresh_from_db()
    assert (contact.email, contact.erased_at) == ("kept@example.com", None)


def test_a_rep_edits_their_own_contacts_and_not_the_shared_queues(rep):
    mine, shared = ContactFactory(stage=Stage.SQL, owner=rep), ContactFactory(stage=Stage.MQL)
    services.contact_update(contact=mine, by=rep, phone="+33 1 23 45 67 89")
    with pytest.raises(PermissionDenied):
        services.contact_update(contact=shared, by=rep, phone="+33 1 23 45 67 89")
    shared.refresh_from_db()
    assert (mine.phone, shared.phone) == ("+33 1 23 45 67 89", "")
