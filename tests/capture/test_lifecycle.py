"""A person's submissions follow them: erased with their data (the consent proof stays),
moved to the survivor of a merge and back with its undo."""

import pytest

from capture.models import Submission
from leads import merging, services
from leads.models import Contact

from .test_submissions import VALID, submit

pytestmark = pytest.mark.django_db


def test_erasing_the_person_empties_their_answers_and_keeps_the_consent_proof(
    client, web_form, marketer
):
    data = VALID | {"landing_page": "https://www.acme.test/?email=ada@example.com"}
    submit(client, web_form, data)
    contact = Contact.objects.get()
    services.contact_erase(contact=contact, by=marketer)
    submission = Submission.objects.get()
    assert (submission.email, submission.values) == ("", {})
    assert "ada@example.com" not in submission.landing_page
    assert submission.consent_text and submission.consented_at and submission.address_hash


def test_a_merge_takes_the_others_submissions_and_its_undo_gives_them_back(
    client, web_form, marketer
):
    submit(client, web_form, VALID)
    other = Contact.objects.get()
    survivor = Contact.objects.create(email="ada.lovelace@work.example", first_name="Ada")
    merge = merging.contacts_merge(survivor=survivor, other=other, by=marketer)
    assert Submission.objects.get().contact == survivor
    merging.merge_undo(merge=merge, by=marketer)
    assert Submission.objects.get().contact == other
