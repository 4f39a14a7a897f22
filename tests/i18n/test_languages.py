"""The language a person reads: their preference, else the browser's Accept-Language, else
LANGUAGE_CODE; the API answers in the language of Accept-Language. Dates and money follow
the language; CSV numbers do not."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from leadfunnel.languages import preferred_language
from leadfunnel.models import Profile
from leads import services
from leads.stages import Stage
from tests.factories import CampaignFactory, ContactFactory

pytestmark = pytest.mark.django_db

FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9,en;q=0.5"}


def test_the_api_answers_a_bad_request_in_french_when_asked(api, marketer):
    answer = api.as_user(marketer).post(
        "/api/v1/contacts/", {"email": "not-an-address"}, format="json", **FRENCH
    )
    assert answer.status_code == 400
    assert answer.json()["email"] == ["Saisissez une adresse e-mail valide."]
    assert answer["Content-Language"] == "fr"


def test_the_api_says_a_refused_move_in_french(api, manager):
    contact = ContactFactory(stage=Stage.LEAD)
    answer = api.as_user(manager).post(
        f"/api/v1/contacts/{contact.pk}/accept/", {}, format="json", **FRENCH
    )
    assert answer.status_code == 409
    assert answer.json()["detail"] == ("Action impossible (accepter) : le contact est Prospect.")


def test_the_api_keeps_english_without_accept_language(api, marketer):
    answer = api.as_user(marketer).post("/api/v1/contacts/", {"email": "x"}, format="json")
    assert answer.json()["email"] == ["Enter a valid email address."]


def test_pages_follow_the_browser_language(client, rep):
    client.force_login(rep)
    page = client.get(reverse("leads:my_queue"), **FRENCH).content.decode()
    assert '<html lang="fr">' in page
    assert "Ma file" in page and "Tableau de bord" not in page  # a rep has no dashboard
    assert "MQL en attente" in page


def test_a_users_preference_beats_the_browser(client, rep):
    Profile.objects.create(user=rep, language="fr")
    client.force_login(rep)
    page = client.get(reverse("leads:my_queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Ma file" in page


def test_the_switcher_keeps_the_choice_on_the_profile(client, rep):
    client.force_login(rep)
    answer = client.post(
        reverse("language_set"), {"language": "fr", "next": reverse("leads:my_queue")}
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("leads:my_queue")
    assert preferred_language(rep) == "fr"
    assert "Ma file" in client.get(reverse("leads:my_queue")).content.decode()
    # Back to "as my browser asks": the browser's English again.
    client.post(reverse("language_set"), {"language": ""})
    assert preferred_language(rep) == ""
    assert "My queue" in client.get(reverse("leads:my_queue")).content.decode()


def test_the_switcher_refuses_to_send_anyone_off_the_site(client):
    answer = client.post(
        reverse("language_set"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert answer["Location"] == "/"
    assert answer.cookies["django_language"].value == "fr"


def test_the_preferences_page_saves_the_language(client, marketer):
    client.force_login(marketer)
    answer = client.post(reverse("preferences"), {"language": "fr"}, follow=True)
    assert "Vos préférences sont enregistrées." in answer.content.decode()
    assert preferred_language(marketer) == "fr"


def test_a_bad_language_on_the_preferences_page_is_a_form_error(client, marketer):
    client.force_login(marketer)
    answer = client.post(reverse("preferences"), {"language": "xx"})
    assert answer.status_code == 200 and preferred_language(marketer) == ""
    assert "Select a valid choice" in answer.content.decode()


def test_dates_and_money_are_written_the_french_way(client, marketer):
    CampaignFactory(
        name="Salon", spend=Decimal("1234.56"), currency="EUR", started_on=date(2026, 12, 4)
    )
    client.force_login(marketer)
    page = client.get(reverse("leads:campaign_list"), **FRENCH).content.decode()
    assert "1\u202f234,56\xa0€" in page
    assert "4 déc. 2026" in page
    english = client.get(
        reverse("leads:campaign_list"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "€1,234.56" in english and "4 Dec 2026" in english


def test_a_success_message_after_an_action_is_french(client, rep):
    contact = ContactFactory(stage=Stage.LEAD, first_name="Ada", last_name="Martin")
    services.contact_mark_mql(contact=contact, by=None)
    services.contact_claim(contact=contact, by=rep)
    client.force_login(rep)
    client.post(reverse("leads:contact_action", args=[contact.pk, "accept"]), {}, **FRENCH)
    page = client.get(reverse("leads:contact_detail", args=[contact.pk]), **FRENCH)
    assert "Ada Martin accepté : désormais SQL." in page.content.decode()


@override_settings(CSV_DELIMITER=";")
def test_csv_reports_take_the_separator_and_keep_machine_numbers(api, manager):
    api.as_user(manager)
    answer = api.get("/api/v1/reports/funnel/?format=csv", **FRENCH)
    header = answer.content.decode().splitlines()[0]
    assert ";" in header and "," not in header


def test_csv_columns_are_titled_in_french_and_keyed_in_english(api, manager):
    api.as_user(manager)
    french = api.get("/api/v1/reports/funnel/?format=csv", **FRENCH).content.decode()
    titles = next(csv.reader(io.StringIO(french)))
    assert titles[:3] == ["Code", "Nom", "Nombre · Contact"]
    assert "Taux · Prospect → MQL" in titles and "Coût · Client" in titles
    english = api.get("/api/v1/reports/funnel/?format=csv").content.decode()
    keys = next(csv.reader(io.StringIO(english)))
    assert keys[:3] == ["key", "label", "counts.contact"] and len(keys) == len(titles)
    speed = api.get("/api/v1/reports/response-time/?format=csv", **FRENCH).content.decode()
    assert "Délai de premier contact · Moins de 5 min · Taux de SQL" in speed.splitlines()[0]


def test_the_stage_labels_use_the_trades_french():
    with translation.override("fr"):
        assert str(Stage.LEAD.label) == "Prospect"
        assert str(Stage.MQL.label) == "MQL"
        assert str(Stage.CLIENT.label) == "Client"
