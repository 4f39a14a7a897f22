"""Creating and editing contacts through contact_create / contact_update."""

import pytest
from django.urls import reverse

from leads import signals
from leads.models import Contact
from leads.stages import Stage
from tests.factories import CampaignFactory, ContactFactory
from tests.utils import receiving

pytestmark = pytest.mark.django_db
NEW = reverse("leads:contact_create")


def test_a_marketer_adds_a_contact_and_lands_on_its_page(login, marketer):
    campaign = CampaignFactory()
    response = login(marketer).post(
        NEW,
        {
            "email": "ada@example.com",
            "first_name": "Ada",
            "company_size": "40",
            "country": "FR",
            "campaign": campaign.pk,
        },
    )
    contact = Contact.objects.get(email="ada@example.com")
    assert response["Location"] == reverse("leads:contact_detail", args=[contact.pk])
    assert (contact.stage, contact.company_size, contact.country.code) == (Stage.CONTACT, 40, "FR")
    assert contact.campaign == campaign


def test_a_taken_email_in_any_case_is_a_field_error_linking_to_the_existing_contact(
    login, marketer
):
    existing = ContactFactory(email="ada@example.com")
    response = login(marketer).post(NEW, {"email": "ADA@example.com"})
    assert response.status_code == 400
    errors = response.context["form"].errors["email"]
    assert "already exists" in errors[0]
    url = reverse("leads:contact_detail", args=[existing.pk])
    assert f'<a href="{url}">open it</a>'.encode() in response.content
    assert Contact.objects.count() == 1


def test_bad_input_is_shown_inline_and_nothing_is_written(login, marketer):
    response = login(marketer).post(NEW, {"email": "not-an-email", "company_size": "-3"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"email", "company_size"}
    assert b'aria-invalid="true"' in response.content
    assert not Contact.objects.exists()


def test_editing_saves_only_what_changed_and_announces_it(login, marketer):
    contact = ContactFactory(email="ada@example.com", first_name="Ada", company="Old Co")
    url = reverse("leads:contact_edit", args=[contact.pk])
    client = login(marketer)
    data = client.get(url).context["form"].initial | {"company": "New Co"}
    data = {key: "" if value is None else value for key, value in data.items()}
    with receiving(signals.contact_saved) as saved:
        response = client.post(url, data)
    assert response.status_code == 302
    assert Contact.objects.get(pk=contact.pk).company == "New Co"
    assert [event["changed"] for event in saved] == [{"company"}]


def test_editing_to_a_taken_email_is_refused(login, marketer):
    ContactFactory(email="taken@example.com")
    contact = ContactFactory(email="ada@example.com")
    url = reverse("leads:contact_edit", args=[contact.pk])
    response = login(marketer).post(url, {"email": "Taken@example.com"})
    assert response.status_code == 400
    assert Contact.objects.get(pk=contact.pk).email == "ada@example.com"


def test_a_rep_edits_the_details_of_their_own_contact_as_the_api_allows(login, rep):
    contact = ContactFactory(stage=Stage.SQL, owner=rep, email="ada@example.com")
    url = reverse("leads:contact_edit", args=[contact.pk])
    response = login(rep).post(url, {"email": "ada@example.com", "phone": "+33 1 23"})
    assert response.status_code == 302
    assert Contact.objects.get(pk=contact.pk).phone == "+33 1 23"


def test_reps_do_not_add_contacts(login, rep):
    assert login(rep).post(NEW, {"email": "ada@example.com"}).status_code == 403
    assert not Contact.objects.exists()
