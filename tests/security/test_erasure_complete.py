"""Right to erasure, complete: after ``DELETE /contacts/{id}/`` no column of any table (and no
stored session) holds the person's e-mail, name, phone, company or job title; what was
still to be sent about them is not sent and cannot be sent again; the anonymous funnel
facts remain."""

import json
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from evidence.models import Analysis, Kind
from integrations.models import Delivery, Event, Webhook
from leads import services as leads
from leads.models import Contact, Transition
from leads.stages import Stage
from scoring import services as scoring
from scoring.models import Activity

pytestmark = pytest.mark.django_db

PERSON = {
    "email": "zora.quill@vexbridge.test",
    "first_name": "Zoraida",
    "last_name": "Quillfeather",
    "phone": "+33 6 12 34 56 78",
    "company": "Vexbridge Analytics",
    "job_title": "Head of Zymurgy",
}
VALUES = [*PERSON.values(), "Zoraida Quillfeather"]


def every_stored_text() -> list[tuple[str, str]]:
    """(table, text) for every value of every row of every table, sessions decoded."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "replace")
                    found.append((table, str(value)))
    for session in Session.objects.all():
        found.append(("django_session (decoded)", json.dumps(session.get_decoded())))
    return found


def traces(values: list[str]) -> list[tuple[str, str]]:
    return [
        (table, text)
        for table, text in every_stored_text()
        for value in values
        if value.lower() in text.lower()
    ]


@pytest.fixture
def footprint(api, client, marketer, rep, manager, superuser):
    """The person everywhere the app keeps text: the contact, its events (a key and
    properties built from the e-mail), a reason naming them, webhook payloads (one still
    pending), the admin's log, an analysis listing a URL with the e-mail, the audit of a
    deleted rule on their company, and a page message in the browser session."""
    Webhook.objects.create(url="https://hooks.example.com/", events=list(Event.values))
    body = {**PERSON, "attributes": {"nickname": "Zoraida Q."}, "country": "FR"}
    contact = Contact.objects.get(
        pk=api.as_user(marketer).post("/api/v1/contacts/", body).json()["id"]
    )
    event = {
        "id": f"form-{PERSON['email']}",
        "type": "form_submitted",
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "contact": contact.pk,
        "properties": {"url": f"/thanks?email={PERSON['email']}", "name": "Zoraida Quillfeather"},
    }
    assert api.post("/api/v1/events/", event, format="json").status_code == 200
    leads.contact_assign(contact=contact, by=manager, owner=rep)
    leads.contact_fast_track(
        contact=contact, by=rep, reason="Zoraida Quillfeather of Vexbridge Analytics called"
    )
    Delivery.objects.filter(contact_id=contact.pk).exclude(
        pk=Delivery.objects.latest("pk").pk
    ).update(status=Delivery.Status.DELIVERED)
    LogEntry.objects.create(
        user=superuser,
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=str(contact.pk),
        object_repr=str(contact),
        action_flag=CHANGE,
        change_message=f"Changed phone for {contact.full_name}.",
    )
    Analysis.objects.create(
        kind=Kind.SIGNALS,
        fingerprint="x" * 64,
        params={},
        result={"signals": [{"value": f"/thanks?email={PERSON['email']}", "lift": 2.0}]},
    )
    rule = scoring.rule_create(
        name="Our champion",
        points=20,
        dimension="fit",
        attribute="company",
        operator="eq",
        value=PERSON["company"],
    )
    scoring.rule_delete(rule=rule)  # the audit log keeps what it said
    client.force_login(marketer)
    client.post(f"/contacts/{contact.pk}/edit/", {**PERSON, "country": "FR"})
    assert traces(VALUES), "the footprint holds the person before the erasure"
    return contact


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_after_erasure_no_stored_text_holds_the_person(api, marketer, footprint):
    assert api.as_user(marketer).delete(f"/api/v1/contacts/{footprint.pk}/").status_code == 204
    assert traces(VALUES) == []
    # The anonymous funnel facts remain.
    footprint.refresh_from_db()
    assert (footprint.stage, footprint.sql_at is not None, footprint.country) == (
        Stage.SQL,
        True,
        "FR",
    )
    assert Transition.objects.filter(contact=footprint).count() == 3  # engage, assign, SQL
    assert Activity.objects.filter(contact=footprint).count() == 1


def test_after_erasure_nothing_about_the_person_is_sent_or_sent_again(api, manager, footprint):
    api.as_user(manager).delete(f"/api/v1/contacts/{footprint.pk}/")
    deliveries = Delivery.objects.filter(contact_id=footprint.pk)
    assert not deliveries.filter(status=Delivery.Status.PENDING).exists()
    assert deliveries.filter(status=Delivery.Status.CANCELLED).exists()
    delivered = deliveries.filter(status=Delivery.Status.DELIVERED).first()
    response = api.post(f"/api/v1/webhooks/deliveries/{delivered.pk}/redeliver/")
    assert response.status_code == 409


def test_an_erased_persons_event_keys_are_hashed_and_it_takes_no_more_events(
    api, marketer, footprint
):
    api.as_user(marketer).delete(f"/api/v1/contacts/{footprint.pk}/")
    key = f"form-{PERSON['email']}"
    assert not Activity.objects.filter(key=key).exists()
    event = {"id": key, "type": "form_submitted", "occurred_at": timezone.now().isoformat()}
    reply = api.post("/api/v1/events/", {**event, "contact": footprint.pk}, format="json")
    assert reply.status_code == 400  # an erased contact takes no more events
