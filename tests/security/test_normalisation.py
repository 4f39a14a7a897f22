"""Currencies are ISO 4217 codes and countries ISO 3166 alpha-2, whatever was typed, on
every entry point (leads/normalise.py)."""

import pytest

from leads.models import Campaign, Contact
from leads.stages import Stage
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

CAMPAIGN = {"name": "Spring", "channel": "ebook", "spend": "10.00", "started_on": "2026-03-01"}
QUALIFY = {"budget": "5000", "close_by": "2027-01-31"}


@pytest.mark.parametrize("typed", ["ÉÜR", "ABC", "EURO", "XXX", "€"])
def test_a_currency_that_is_no_iso_4217_code_is_a_400(api, marketer, rep, typed):
    response = api.as_user(marketer).post("/api/v1/campaigns/", {**CAMPAIGN, "currency": typed})
    assert response.status_code == 400
    assert "is not a currency" in response.json()["currency"][0]
    contact = ContactFactory(stage=Stage.SQL, owner=rep)
    url = f"/api/v1/contacts/{contact.pk}/qualify/"
    assert "currency" in api.as_user(rep).post(url, {**QUALIFY, "currency": typed}).json()
    contact.refresh_from_db()
    assert (contact.stage, Campaign.objects.count()) == (Stage.SQL, 0)


def test_a_currency_in_lower_case_is_stored_as_its_code(api, marketer, rep):
    api.as_user(marketer).post("/api/v1/campaigns/", {**CAMPAIGN, "currency": " chf "})
    assert Campaign.objects.get().currency == "CHF"
    contact = ContactFactory(stage=Stage.SQL, owner=rep)
    api.as_user(rep).post(
        f"/api/v1/contacts/{contact.pk}/qualify/", {**QUALIFY, "currency": "usd"}
    )
    contact.refresh_from_db()
    assert (contact.stage, contact.currency) == (Stage.QSO, "USD")


def test_the_campaign_page_refuses_a_made_up_currency(client, marketer):
    client.force_login(marketer)
    response = client.post("/campaigns/new/", {**CAMPAIGN, "currency": "ÉÜR"})
    assert response.status_code == 400
    assert "is not a currency" in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("FR", "FR"),
        ("fr", "FR"),
        ("FRA", "FR"),
        ("250", "FR"),
        ("France", "FR"),
        ("Allemagne", "DE"),
        ("Deutschland", "DE"),
        ("UK", "GB"),
    ],
)
def test_a_country_by_code_or_name_is_stored_as_alpha_2(api, marketer, typed, code):
    body = {"email": "a@acme.test", "country": typed}
    response = api.as_user(marketer).post("/api/v1/contacts/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["country"] == code


@pytest.mark.parametrize("typed", ["Narnia", "ZZ", "999"])
def test_what_is_no_country_is_a_400(api, marketer, typed):
    body = {"email": "a@acme.test", "country": typed}
    response = api.as_user(marketer).post("/api/v1/contacts/", body, format="json")
    assert response.status_code == 400
    assert "country" in response.json()
    assert not Contact.objects.exists()
