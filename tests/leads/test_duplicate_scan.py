"""The full duplicate scan: a background job over every live contact, with progress, that
finds the pairs a refresh finds, keeps dismissed pairs dismissed and removes the pairs no
longer suspected."""

import pytest
from django.db import connection

from leads import tasks
from leads.duplicates import pairs_dismiss, pairs_refresh, scan_run, scan_start
from leads.models import Contact, DuplicatePair, DuplicateScan, JobStatus
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/duplicate-scans/"


def stored_pairs():
    return {
        (p.first_id, p.second_id): (p.score, p.reasons)
        for p in DuplicatePair.objects.filter(dismissed_at__isnull=True)
    }


# Nothing alike in name or company: numbered names ("Person2", "Person5") share most of
# their trigrams and made a pair whenever Faker gave them look-alike companies.
STRANGERS = (
    ("Quentin", "Abadie", "Brioche Dorée"),
    ("Wanda", "Kowalski", "Lumen Optics"),
    ("Yusuf", "Demir", "Harbour Freight Lines"),
    ("Greta", "Lindqvist", "Nordic Timber"),
    ("Tomás", "Ibarra", "Vinos del Sur"),
    ("Priya", "Raman", "Quantix Labs"),
    ("Olu", "Adebayo", "Savanna Solar"),
    ("Mei", "Takahashi", "Origami Print"),
)


def look_alikes():
    """Twins by phone, by e-mail, by name (with a typo at the start and at the end), and
    strangers around them."""
    return [
        ContactFactory(phone="06 11 22 33 44", first_name="Ann", last_name="Lee"),
        ContactFactory(phone="+33 6 11 22 33 44", first_name="Bob", last_name="Ray"),
        ContactFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace"),
        ContactFactory(email="Ada+news@Example.com", first_name="A", last_name="L"),
        ContactFactory(first_name="Jonathan", last_name="Smithson", company="Acme Corp"),
        ContactFactory(first_name="Jonathon", last_name="Smithson", company="Acme Corp."),
        ContactFactory(first_name="Katherine", last_name="Johnson", company="NASA"),
        ContactFactory(first_name="Catherine", last_name="Johnson", company="NASA"),
        *[
            ContactFactory(first_name=first, last_name=last, company=company)
            for first, last, company in STRANGERS
        ],
    ]


def test_the_scan_finds_the_pairs_a_refresh_of_every_contact_finds(api, marketer):
    contacts = look_alikes()
    pairs_refresh([c.pk for c in contacts])
    refreshed = stored_pairs()
    DuplicatePair.objects.all().delete()

    scan = api.as_user(marketer).post(URL)
    assert scan.status_code == 202, scan.json()
    finished = tasks.duplicates_scan.apply(args=[scan.json()["id"]])
    assert finished.get() == len(refreshed)

    assert stored_pairs() == refreshed
    expected = {(contacts[0].pk, contacts[1].pk), (contacts[2].pk, contacts[3].pk)}
    if connection.vendor == "postgresql":  # names by trigram similarity
        expected |= {(contacts[4].pk, contacts[5].pk), (contacts[6].pk, contacts[7].pk)}
    assert set(refreshed) == expected
    polled = api.as_user(marketer).get(f"{URL}{scan.json()['id']}/").json()
    assert (polled["status"], polled["progress"], polled["found"]) == ("done", 1.0, len(expected))
    assert polled["done"] == polled["total"] == len(contacts)


def test_a_scan_keeps_dismissed_pairs_and_drops_the_ones_no_longer_suspected(marketer):
    kept = ContactFactory(phone="06 11 22 33 44"), ContactFactory(phone="06 11 22 33 44")
    apart = ContactFactory(phone="06 55 55 55 55"), ContactFactory(phone="06 55 55 55 55")
    gone = ContactFactory(phone="06 99 99 99 99"), ContactFactory(phone="06 99 99 99 99")
    pairs_refresh([c.pk for c in (*kept, *apart, *gone)])
    pairs_dismiss(DuplicatePair.objects.get(first=apart[0]), by=marketer)
    # Edited behind the model's back (a bulk update): only a scan notices.
    Contact.objects.filter(pk=gone[1].pk).update(phone="", phone_key="")

    scan_run(scan_start(by=marketer, enqueue=False).pk)

    assert set(stored_pairs()) == {(kept[0].pk, kept[1].pk)}
    dismissed = DuplicatePair.objects.get(dismissed_at__isnull=False)
    assert (dismissed.first_id, dismissed.second_id) == (apart[0].pk, apart[1].pk)


def test_a_scan_goes_range_by_range_and_resumes_where_it_stopped(marketer, monkeypatch):
    monkeypatch.setattr("leads.duplicates.SCAN_RANGE", 2)
    for _ in range(3):
        ContactFactory(phone="06 11 22 33 44")
    scan = scan_start(by=marketer, enqueue=False)
    calls = []
    original = DuplicatePair.objects.bulk_create

    def crash_on_second_range(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return original(*args, **kwargs)

    monkeypatch.setattr(DuplicatePair.objects, "bulk_create", crash_on_second_range)
    with pytest.raises(RuntimeError):
        scan_run(scan.pk)
    failed = DuplicateScan.objects.get(pk=scan.pk)
    assert failed.status == JobStatus.FAILED and failed.done == 2
    assert 0 < failed.progress < 1

    DuplicateScan.objects.filter(pk=scan.pk).update(status=JobStatus.RUNNING)
    done = scan_run(scan.pk)
    assert (done.status, done.done, done.found) == (JobStatus.DONE, 3, 3)


def test_asking_twice_while_a_scan_runs_returns_that_scan(api, marketer, manager):
    first = api.as_user(marketer).post(URL).json()
    again = api.as_user(manager).post(URL).json()
    assert again["id"] == first["id"] and DuplicateScan.objects.count() == 1


def test_reps_do_not_scan(api, rep):
    assert api.as_user(rep).post(URL).status_code == 403
    assert api.as_user(rep).get(URL).status_code == 403
    assert not DuplicateScan.objects.exists()
