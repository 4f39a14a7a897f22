"""Right to erasure: ``DELETE /api/v1/contacts/{id}/`` removes the person's details from the
contact, their events' properties, imports and webhook payloads, and keeps the anonymous
funnel facts the reports count."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings

from integrations.models import Delivery, Event, ImportJob, ImportRejection, Webhook
from integrations.services import imports
from leads import services as leads_services
from leads import signals
from leads.models import Contact, Transition
from leads.stages import Stage
from scoring.models import Activity

pytestmark = pytest.mark.django_db

PERSON = {
    "email": "janeth.doeberg@example.com",
    "first_name": "Janeth",
    "last_name": "Doeberg",
    "phone": "+33 6 12 34 56 78",
    "company": "Doeberg Widgets",
    "job_title": "Head of Procurement",
}
DETAILS = [*PERSON.values(), "janeth.doeberg%40example.com"]


def csv_file(*lines: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("people.csv", ("\r\n".join(lines) + "\r\n").encode())


@pytest.fixture
def person(api, marketer, django_capture_on_commit_callbacks) -> Contact:
    """Someone known everywhere: created through the API (a webhook told), made an MQL,
    seen by events with personal properties, and found again by a finished import."""
    Webhook.objects.create(
        url="https://crm.example.com/hook",
        events=[Event.CONTACT_CREATED, Event.CONTACT_STAGE_CHANGED],
    )
    client = api.as_user(marketer)
    created = client.post("/api/v1/contacts/", {**PERSON, "attributes": {"linkedin": "jdoe"}})
    assert created.status_code == 201
    pk = created.data["id"]
    assert client.post(f"/api/v1/contacts/{pk}/mark-mql/", {}).status_code == 200
    event = {
        "id": "form-1",
        "type": "form_submitted",
        "occurred_at": "2026-03-02T10:00:00Z",
        "email": PERSON["email"],
        "properties": {"url": "/demo", "phone": PERSON["phone"], "name": "Janeth Doeberg"},
    }
    assert client.post("/api/v1/events/", event).status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        job = imports.import_create(
            by=marketer,
            file=csv_file(
                "email,first_name,last_name,company_size",
                f"{PERSON['email']},{PERSON['first_name']},{PERSON['last_name']},12",
                f"{PERSON['email'].replace('@', '@@')},{PERSON['first_name']},x,lots",
            ),
        )
    assert imports.import_run(job_id=job.pk).status == ImportJob.Status.DONE
    return Contact.objects.get(pk=pk)


@pytest.fixture
def erased(api, marketer, person) -> Contact:
    assert api.as_user(marketer).delete(f"/api/v1/contacts/{person.pk}/").status_code == 204
    return Contact.objects.get(pk=person.pk)


def test_the_contact_keeps_its_funnel_facts_and_none_of_the_persons_details(erased):
    assert erased.erased_at is not None
    assert erased.email is None
    assert {name: getattr(erased, name) for name in PERSON if name != "email"} == dict.fromkeys(
        [name for name in PERSON if name != "email"], ""
    )
    assert erased.attributes == {}
    assert (erased.stage, erased.mql_at is not None) == (Stage.MQL, True)
    assert Transition.objects.filter(contact=erased, to_stage=Stage.MQL).exists()


def test_the_persons_events_keep_their_type_and_time_but_lose_their_properties(person, erased):
    activity = Activity.objects.get(contact=erased)
    assert (activity.type, activity.properties) == ("form_submitted", {})


def test_imports_keep_no_file_and_their_rejections_quote_no_personal_value(person, erased):
    job = ImportJob.objects.get()
    assert job.content is None  # dropped when the job ended
    reasons = " ".join(ImportRejection.objects.values_list("reason", flat=True))
    assert "email" in reasons and not any(detail in reasons for detail in DETAILS)


def test_an_import_still_waiting_loses_the_persons_row(api, marketer, person):
    waiting = imports.import_create(
        by=marketer,
        file=csv_file(
            "email,first_name", f"{PERSON['email'].upper()},Janeth", "ann@example.com,Ann"
        ),
        start=False,
    )
    api.as_user(marketer).delete(f"/api/v1/contacts/{person.pk}/")
    waiting.refresh_from_db()
    content = bytes(waiting.content).decode()
    assert not any(detail.lower() in content.lower() for detail in DETAILS)
    assert "ann@example.com,Ann" in content


def test_a_queued_import_run_after_the_erasure_does_not_bring_the_person_back(
    api, marketer, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        queued = imports.import_create(
            by=marketer,
            file=csv_file(
                "email,first_name,company_size",
                f"{PERSON['email']},Janeth,10",
                "ann@example.com,Ann,lots",
            ),
        )
    api.as_user(marketer).delete(f"/api/v1/contacts/{person.pk}/")
    job = imports.import_run(job_id=queued.pk)
    assert (job.status, job.created_count, job.rejected_count) == (ImportJob.Status.DONE, 0, 1)
    assert ImportRejection.objects.get(job=job).line == 3  # the lines after keep their number
    assert not Contact.objects.filter(first_name="Janeth").exists()


@override_settings(IMPORT_CHUNK_ROWS=1)
def test_an_import_half_way_reads_its_file_again_and_skips_the_person(
    marketer, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        running = imports.import_create(
            by=marketer,
            file=csv_file("email", "ann@example.com", PERSON["email"], "bob@example.com"),
        )

    def erase_during_the_first_chunk(**kwargs):
        signals.contacts_created.disconnect(erase_during_the_first_chunk)
        leads_services.contact_erase(contact=person, by=marketer)

    signals.contacts_created.connect(erase_during_the_first_chunk, weak=False)
    job = imports.import_run(job_id=running.pk)
    assert (job.status, job.processed_rows, job.created_count) == (ImportJob.Status.DONE, 3, 2)
    assert set(Contact.objects.filter(erased_at=None).values_list("email", flat=True)) == {
        "ann@example.com",
        "bob@example.com",
    }


def test_webhook_payloads_already_written_show_the_person_as_erased(person, erased):
    deliveries = Delivery.objects.filter(contact_id=erased.pk)
    assert {d.event for d in deliveries} == {Event.CONTACT_CREATED, Event.CONTACT_STAGE_CHANGED}
    for delivery in deliveries:
        assert delivery.contact_data == {"id": erased.pk, "erased": True}
        assert not any(detail in str(delivery.body()) for detail in DETAILS)


def test_no_table_holds_any_of_the_persons_details_afterwards(person, erased):
    """The net under the tests above: every row of every model, read as text."""
    found = []
    for model in apps.get_models():
        if not model._meta.can_migrate(connection):
            continue  # a table this database does not have (the rollups, off PostgreSQL)
        for row in model._base_manager.values_list():
            text = " ".join(
                bytes(v).decode(errors="ignore") if isinstance(v, bytes | memoryview) else str(v)
                for v in row
            )
            found += [(model._meta.label, d) for d in DETAILS if d.lower() in text.lower()]
    assert not found
