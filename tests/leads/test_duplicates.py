"""Finding one person twice: phone numbers in E.164, e-mails without case or plus tag, names
and company alike; the pairs through the API, a dismissed pair gone for good, the warning
on a create."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import override_settings

from leads.duplicates import pairs_dismiss, pairs_refresh
from leads.matching import email_key, name_key, phone_key
from leads.models import Contact, DuplicatePair
from leads.services import contact_erase
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/duplicates/"


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),  # national, read in the default region (FR)
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 (0)6.12.34.56.78", "+33612345678"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("n/a", ""),
        ("", ""),
    ],
)
def test_a_phone_number_is_compared_in_e164(typed, e164):
    assert phone_key(typed) == e164


def test_the_default_region_reads_a_national_number():
    with override_settings(PHONE_DEFAULT_REGION="US"):
        assert phone_key("(415) 555-2671") == "+14155552671"


def test_an_email_is_compared_without_case_spaces_or_plus_tag():
    assert email_key(" Ada+Newsletter@Example.COM ") == "ada@example.com"
    assert email_key("+@example.com") == "+@example.com"  # nothing before the tag: kept
    assert (
        name_key(" Ada ", "LOVELACE", "Analytical  Engines") == "ada lovelace analytical engines"
    )
    assert name_key("", "", "Acme") == ""  # a company alone names nobody


def test_the_same_phone_typed_two_ways_is_a_suggested_pair(api, marketer):
    first = ContactFactory(phone="+33 6 12 34 56 78")
    client = api.as_user(marketer)
    created = client.post(
        "/api/v1/contacts/",
        {"email": "someone.else@example.org", "phone": "06 12 34 56 78"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    second = created.json()["id"]
    warned = created.json()["possible_duplicates"]
    assert [(d["contact"], d["reasons"]) for d in warned] == [
        (first.pk, [{"reason": "phone", "similarity": 1.0}])
    ]
    pairs = client.get(URL).json()["results"]
    assert [(p["first"]["id"], p["second"]["id"], p["score"]) for p in pairs] == [
        (first.pk, second, 0.85)
    ]
    looks_like = client.get(f"/api/v1/contacts/{second}/duplicates/").json()
    assert [(c["contact"]["id"], c["score"]) for c in looks_like] == [(first.pk, 0.85)]


def test_a_plus_tag_makes_no_new_person_unless_the_setting_says_so(api, marketer):
    ada = ContactFactory(email="ada@example.com", first_name="Ada", last_name="L")
    tagged = ContactFactory(email="ada+webinar@example.com", first_name="A", last_name="X")
    client = api.as_user(marketer)
    found = client.get(f"/api/v1/contacts/{tagged.pk}/duplicates/").json()
    assert [(c["contact"]["id"], c["reasons"][0]["reason"]) for c in found] == [(ada.pk, "email")]
    with override_settings(DUPLICATES_IGNORE_PLUS=False):
        assert client.get(f"/api/v1/contacts/{tagged.pk}/duplicates/").json() == []


def test_two_reasons_score_higher_than_one(api, marketer):
    one = ContactFactory(
        first_name="Grace", last_name="Hopper", company="Navy", phone="06 11 22 33 44"
    )
    ContactFactory(first_name="Grace", last_name="Hopper", company="Navy", phone="06 11 22 33 44")
    ContactFactory(first_name="Someone", last_name="Else", company="Other", phone="06 11 22 33 44")
    found = api.as_user(marketer).get(f"/api/v1/contacts/{one.pk}/duplicates/").json()
    assert [c["score"] for c in found] == [pytest.approx(1 - 0.15 * 0.3), 0.85]
    assert [r["reason"] for r in found[0]["reasons"]] == ["name", "phone"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram similarity")
def test_similar_names_and_company_are_found_by_trigram_similarity(api, marketer):
    jon = ContactFactory(first_name="Jonathan", last_name="Smithson", company="Acme Corp")
    alike = ContactFactory(first_name="Jonathon", last_name="Smithson", company="Acme Corp.")
    ContactFactory(first_name="Mary", last_name="Jones", company="Globex")
    found = api.as_user(marketer).get(f"/api/v1/contacts/{jon.pk}/duplicates/").json()
    assert [c["contact"]["id"] for c in found] == [alike.pk]
    (reason,) = found[0]["reasons"]
    assert reason["reason"] == "name" and 0.6 <= reason["similarity"] < 1


def test_a_dismissed_pair_does_not_come_back(api, marketer):
    first = ContactFactory(phone="+33612345678")
    second = ContactFactory(phone="+33612345678")
    client = api.as_user(marketer)
    client.patch(f"/api/v1/contacts/{second.pk}/", {"phone": "06 12 34 56 78"}, format="json")
    (pair,) = client.get(URL).json()["results"]
    dismissed = client.post(f"{URL}{pair['id']}/dismiss/")
    assert dismissed.status_code == 200 and dismissed.json()["dismissed_at"]
    client.patch(f"/api/v1/contacts/{first.pk}/", {"phone": "+33 6 12 34 56 78"}, format="json")
    assert client.get(URL).json()["results"] == []
    assert client.get(f"/api/v1/contacts/{first.pk}/duplicates/").json() == []
    assert DuplicatePair.objects.filter(dismissed_at__isnull=False).count() == 1


def test_the_pairs_filter_by_score_and_contact(api, marketer):
    a = ContactFactory(phone="06 11 22 33 44", first_name="Ann", last_name="Lee", company="X")
    b = ContactFactory(phone="06 11 22 33 44", first_name="Ann", last_name="Lee", company="X")
    c = ContactFactory(phone="06 22 33 44 55")
    d = ContactFactory(phone="06 22 33 44 55")
    pairs_refresh([b.pk, d.pk])
    client = api.as_user(marketer)
    every = client.get(URL).json()["results"]
    assert [(p["first"]["id"], p["second"]["id"]) for p in every] == [(a.pk, b.pk), (c.pk, d.pk)]
    likely = client.get(URL, {"min_score": 0.9}).json()["results"]
    assert [p["second"]["id"] for p in likely] == [b.pk]
    with_d = client.get(URL, {"contact": d.pk}).json()["results"]
    assert [p["first"]["id"] for p in with_d] == [c.pk]


def test_an_erased_contact_leaves_no_pair(api, marketer):
    first = ContactFactory(phone="06 11 22 33 44")
    second = ContactFactory(phone="06 11 22 33 44")
    pairs_refresh([second.pk])
    assert DuplicatePair.objects.count() == 1
    contact_erase(contact=first, by=marketer)
    assert DuplicatePair.objects.count() == 0
    assert Contact.objects.get(pk=first.pk).phone_key == ""


def test_reps_do_not_read_the_pairs(api, rep):
    assert api.as_user(rep).get(URL).status_code == 403


def test_only_marketing_and_managers_keep_look_alikes_apart(rep, marketer):
    ContactFactory(phone="06 11 22 33 44")
    second = ContactFactory(phone="06 11 22 33 44")
    pairs_refresh([second.pk])
    pair = DuplicatePair.objects.get()
    with pytest.raises(PermissionDenied):
        pairs_dismiss(pair, by=rep)
    assert pairs_dismiss(pair, by=marketer).dismissed_by == marketer
