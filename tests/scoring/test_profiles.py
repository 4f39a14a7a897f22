"""Profile rules follow the contact: at creation, on edits of profile fields, on bulk creation;
and erasing a person empties the properties of their events."""

from datetime import timedelta

import pytest

from leads import services as leads_services
from leads.models import Contact
from leads.stages import Stage
from scoring import services
from scoring.models import Activity, ContactScore
from scoring.services import EventIn
from tests.factories import ContactFactory
from tests.scoring.helpers import T0, event

pytestmark = pytest.mark.django_db


@pytest.fixture
def fit_rules(rule):
    rule("Big", 20, dimension="fit", attribute="company_size", operator="gte", value=100)
    rule(
        "Free e-mail",
        -10,
        dimension="fit",
        attribute="email_domain",
        operator="in",
        value=["gmail.com"],
    )
    rule(
        "Enterprise plan",
        15,
        dimension="fit",
        attribute="attributes.plan",
        operator="eq",
        value="enterprise",
    )


def test_a_contact_created_through_the_api_answers_with_its_profile_score(
    api, marketer, fit_rules
):
    body = {"email": "ada@gmail.com", "company_size": 300, "attributes": {"plan": "enterprise"}}
    reply = api.as_user(marketer).post("/api/v1/contacts/", body, format="json").json()
    assert (reply["score"], reply["fit_score"]) == (25, 25)


def test_editing_a_profile_field_rescores_the_contact(api, marketer, fit_rules):
    client = api.as_user(marketer)
    ada = client.post("/api/v1/contacts/", {"email": "ada@acme.example"}, format="json").json()
    reply = client.patch(f"/api/v1/contacts/{ada['id']}/", {"company_size": 150}, format="json")
    assert reply.json()["fit_score"] == 20
    reply = client.patch(
        f"/api/v1/contacts/{ada['id']}/", {"email": "ada@gmail.com"}, format="json"
    )
    assert reply.json()["fit_score"] == 10


def test_a_profile_change_that_crosses_the_threshold_makes_an_mql(
    api, marketer, fit_rules, rule, send
):
    rule("Webinar", 50, event_type="webinar_registered")
    client = api.as_user(marketer)
    ada = client.post("/api/v1/contacts/", {"email": "ada@acme.example"}, format="json").json()
    send(event("1", Contact(pk=ada["id"]), type="webinar_registered"))
    assert client.get(f"/api/v1/contacts/{ada['id']}/").json()["stage"] == Stage.LEAD
    reply = client.patch(f"/api/v1/contacts/{ada['id']}/", {"company_size": 150}, format="json")
    assert (reply.json()["score"], reply.json()["stage"]) == (70, Stage.MQL)
    history = client.get(f"/api/v1/contacts/{ada['id']}/history/").json()["results"]
    assert history[-1]["reason"] == "Score 70 crossed the MQL threshold 60"


def test_contacts_created_in_bulk_get_their_profile_score(fit_rules):
    ids = leads_services.contacts_for_emails(emails=["bob@gmail.com", "cy@acme.example"])
    assert dict(Contact.objects.values_list("email", "fit_score")) == {
        "bob@gmail.com": -10,
        "cy@acme.example": 0,
    }
    assert ContactScore.objects.filter(contact_id__in=ids.values()).count() == 2


def test_rescoring_profiles_of_given_contacts_or_of_all(fit_rules):
    ada, bob = ContactFactory(company_size=500), ContactFactory(company_size=500)
    assert services.rescore_profiles(contact_ids=[ada.pk]) == 1
    assert dict(Contact.objects.values_list("pk", "fit_score")) == {ada.pk: 20, bob.pk: 0}
    assert services.rescore_profiles() == 2
    assert dict(Contact.objects.values_list("pk", "fit_score")) == {ada.pk: 20, bob.pk: 20}


def test_rescoring_profiles_keeps_the_event_points(fit_rules, rule):
    rule("Opened", 5, event_type="email_opened")
    ada = ContactFactory(company_size=500)
    services.events_ingest(
        events=[EventIn(key="1", type="email_opened", occurred_at=T0, contact_id=ada.pk)],
        now=T0 + timedelta(hours=1),
    )
    services.rescore_profiles(contact_ids=[ada.pk])
    ada.refresh_from_db()
    assert (ada.score, ada.fit_score, ada.engagement_score) == (25, 20, 5)


def test_erasing_a_contact_empties_the_properties_of_its_events(api, manager, send):
    ada, bob = ContactFactory(), ContactFactory()
    send(
        event("a", ada, properties={"url": "/pricing?email=ada@example.com"}),
        event("b", bob, properties={"url": "/pricing"}),
    )
    assert api.as_user(manager).delete(f"/api/v1/contacts/{ada.pk}/").status_code == 204
    erased = Activity.objects.get(contact=ada)
    assert (erased.properties, erased.type) == ({}, "email_opened")
    assert erased.key.startswith("erased:")  # the sender's key may have been the e-mail
    assert Activity.objects.get(contact=bob).properties == {"url": "/pricing"}
