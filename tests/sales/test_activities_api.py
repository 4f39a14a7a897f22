"""Sales activities through the API: who may log what, the checks, the lead status, the
stored-once ``external_id`` and the kept edits."""

from datetime import timedelta

import pytest
from django.utils import timezone

from leads.models import Contact, LeadStatus
from sales.models import ActivityRevision, SalesActivity
from tests.factories import ContactFactory
from tests.sla.conftest import make_mql

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/"


def call(contact, outcome="no_answer", **fields):
    return {"contact": contact.pk, "kind": "call", "direction": "outbound", "outcome": outcome}


def test_a_rep_logs_a_call_on_their_mql_and_the_lead_status_follows(api, rep):
    contact = make_mql(owner=rep)
    client = api.as_user(rep)
    answer = client.post(URL, call(contact), format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["owner"] == rep.pk and answer.json()["author"] == rep.pk
    assert client.get(f"/api/v1/contacts/{contact.pk}/").json()["lead_status"] == "attempting"
    client.post(URL, call(contact, "connected"), format="json")
    assert Contact.objects.get(pk=contact.pk).lead_status == LeadStatus.CONNECTED
    listed = client.get("/api/v1/contacts/", {"lead_status": "connected"}).json()["results"]
    assert [c["id"] for c in listed] == [contact.pk]


def test_an_inbound_call_or_a_note_is_no_attempt(api, rep):
    contact = make_mql(owner=rep)
    client = api.as_user(rep)
    client.post(URL, {**call(contact), "direction": "inbound"}, format="json")
    client.post(
        URL, {"contact": contact.pk, "kind": "note", "body": "Met at a fair"}, format="json"
    )
    assert Contact.objects.get(pk=contact.pk).lead_status == LeadStatus.NEW


def test_a_new_owner_starts_from_new(api, rep, other_rep, manager):
    from leads import services as leads_services

    contact = make_mql(owner=rep)
    api.as_user(rep).post(URL, call(contact, "connected"), format="json")
    leads_services.contact_assign(contact=contact, by=manager, owner=other_rep)
    assert Contact.objects.get(pk=contact.pk).lead_status == LeadStatus.NEW


def test_a_rep_may_not_log_on_someone_elses_contact(api, rep, other_rep):
    contact = make_mql(owner=other_rep)
    assert api.as_user(rep).post(URL, call(contact), format="json").status_code == 403
    assert not SalesActivity.objects.exists()


def test_marketers_add_notes_but_not_calls(api, marketer):
    contact = ContactFactory()
    client = api.as_user(marketer)
    assert client.post(URL, call(contact), format="json").status_code == 403
    note = {"contact": contact.pk, "kind": "note", "body": "Asked for the price list"}
    assert client.post(URL, note, format="json").status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outcome": "replied"}, "outcome"),  # a call does not get replied
        ({"direction": ""}, "direction"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"occurred_at": "2001-01-01T00:00:00Z"}, "occurred_at"),  # before first seen
        ({"kind": "note"}, "direction"),  # a note has no direction
    ],
)
def test_a_bad_activity_is_a_400_on_its_field(api, rep, change, field):
    contact = make_mql(owner=rep)
    answer = api.as_user(rep).post(URL, {**call(contact), **change}, format="json")
    assert answer.status_code == 400
    assert field in answer.json()
    assert not SalesActivity.objects.exists()


def test_a_batch_is_checked_whole_and_its_errors_come_by_position(api, rep):
    contact = make_mql(owner=rep)
    batch = [call(contact), {**call(contact), "outcome": "held"}, call(contact)]
    answer = api.as_user(rep).post(URL, batch, format="json")
    assert answer.status_code == 400
    assert list(answer.json()) == ["1"] and "outcome" in answer.json()["1"]
    assert not SalesActivity.objects.exists()


def test_a_batch_over_500_is_refused(api, rep):
    contact = make_mql(owner=rep)
    answer = api.as_user(rep).post(URL, [call(contact)] * 501, format="json")
    assert answer.status_code == 400
    assert not SalesActivity.objects.exists()


def test_the_same_external_id_is_stored_once(api, rep):
    contact = make_mql(owner=rep)
    client = api.as_user(rep)
    first = client.post(URL, {**call(contact), "external_id": "dialer-7"}, format="json")
    again = client.post(URL, {**call(contact), "external_id": "dialer-7"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    batch = [{**call(contact), "external_id": key} for key in ("dialer-7", "d-8", "d-8")]
    answer = client.post(URL, batch, format="json").json()
    assert (answer["accepted"], answer["duplicates"]) == (1, 2)
    assert SalesActivity.objects.count() == 2


def test_the_author_edits_and_the_old_values_are_kept(api, rep, other_rep, manager):
    contact = make_mql(owner=rep)
    client = api.as_user(rep)
    activity = client.post(URL, call(contact), format="json").json()
    edited = client.patch(f"{URL}{activity['id']}/", {"outcome": "connected"}, format="json")
    assert edited.status_code == 200 and edited.json()["outcome"] == "connected"
    revision = ActivityRevision.objects.get()
    assert revision.before["outcome"] == "no_answer" and revision.by == rep
    assert Contact.objects.get(pk=contact.pk).lead_status == LeadStatus.CONNECTED
    patch = {"subject": "x"}
    assert api.as_user(other_rep).patch(f"{URL}{activity['id']}/", patch).status_code == 404
    assert api.as_user(manager).patch(f"{URL}{activity['id']}/", patch).status_code == 200
    assert api.as_user(rep).delete(f"{URL}{activity['id']}/").status_code == 204
    assert ActivityRevision.objects.filter(change="deleted").count() == 1
    assert Contact.objects.get(pk=contact.pk).lead_status == LeadStatus.NEW


def test_an_edit_is_checked_like_a_log(api, rep):
    contact = make_mql(owner=rep)
    client = api.as_user(rep)
    activity = client.post(URL, call(contact), format="json").json()
    future = (timezone.now() + timedelta(days=1)).isoformat()
    answer = client.patch(f"{URL}{activity['id']}/", {"occurred_at": future}, format="json")
    assert answer.status_code == 400 and "occurred_at" in answer.json()
    assert not ActivityRevision.objects.exists()


def test_the_list_filters_and_the_contacts_own_list(api, rep, manager):
    contact, other = make_mql(owner=rep), make_mql(owner=rep)
    client = api.as_user(rep)
    client.post(URL, [call(contact), call(other)], format="json")
    client.post(URL, {"contact": contact.pk, "kind": "note", "body": "n"}, format="json")
    by_kind = client.get(URL, {"kind": "note"}).json()["results"]
    assert [a["kind"] for a in by_kind] == ["note"]
    mine = client.get(f"/api/v1/contacts/{contact.pk}/activities/").json()["results"]
    assert {a["contact"] for a in mine} == {contact.pk} and len(mine) == 2
    assert len(api.as_user(manager).get(URL, {"contact": other.pk}).json()["results"]) == 1
