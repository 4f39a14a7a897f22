"""The set-based services that event batches and imports use."""

from datetime import UTC, datetime

import pytest

from leads import services, signals
from leads.models import Contact, Transition
from leads.stages import Move, Stage
from tests.factories import ContactFactory
from tests.utils import receiving

pytestmark = pytest.mark.django_db

T = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def test_bulk_engage_moves_only_the_contacts_whose_stage_allows_it():
    fresh, recycled, lead, client = (
        ContactFactory(stage=s) for s in (Stage.CONTACT, Stage.RECYCLED, Stage.LEAD, Stage.CLIENT)
    )
    ids = {c.pk: T for c in (fresh, recycled, lead, client)}
    with receiving(signals.transitions_recorded) as recorded:
        moved = services.contacts_move_bulk(move=Move.ENGAGE, at_by_id=ids, reason="Form")
    assert sorted(t.contact_id for t in moved) == sorted([fresh.pk, recycled.pk])
    assert len(recorded) == 1  # one announcement for the whole bulk move
    assert sorted(c.pk for c, _ in recorded[0]["moves"]) == sorted([fresh.pk, recycled.pk])
    stages = dict(Contact.objects.values_list("pk", "stage"))
    assert stages == {fresh.pk: "lead", recycled.pk: "lead", lead.pk: "lead", client.pk: "client"}
    fresh.refresh_from_db()
    assert (fresh.lead_at, fresh.stage_changed_at) == (T, T)
    assert fresh.transitions.get().reason == "Form"


def test_bulk_promotion_records_each_contacts_own_time():
    a, b = ContactFactory(stage=Stage.LEAD), ContactFactory(stage=Stage.LEAD)
    later = T.replace(hour=17)
    services.contacts_move_bulk(
        move=Move.MARK_MQL, at_by_id={a.pk: T, b.pk: later}, reason="Score 65 >= 60"
    )
    assert dict(Contact.objects.values_list("pk", "mql_at")) == {a.pk: T, b.pk: later}


def test_contacts_for_emails_creates_only_the_unknown_ones_whatever_the_case():
    known = ContactFactory(email="Known@Example.com")
    with receiving(signals.contacts_created) as created:
        ids = services.contacts_for_emails(emails=["known@example.com", "New@Example.com "])
    assert ids["known@example.com"] == known.pk
    new = Contact.objects.get(email="new@example.com")
    assert ids["new@example.com"] == new.pk
    assert [c["contact_ids"] for c in created] == [{new.pk}]
    assert services.contacts_for_emails(emails=["NEW@example.com"]) == {"new@example.com": new.pk}
    assert Contact.objects.count() == 2


def test_a_bulk_move_records_each_contacts_own_reason():
    a, b = ContactFactory(stage=Stage.LEAD), ContactFactory(stage=Stage.LEAD)
    services.contacts_move_bulk(
        move=Move.MARK_MQL,
        at_by_id={a.pk: T, b.pk: T},
        reason={a.pk: "Score 61 crossed the MQL threshold 60", b.pk: "Score 75 crossed it"},
    )
    assert dict(Transition.objects.values_list("contact_id", "reason")) == {
        a.pk: "Score 61 crossed the MQL threshold 60",
        b.pk: "Score 75 crossed it",
    }
