"""A submission through the hosted page: a lead by e-mail, its fields filled and never
emptied, a scored ``form_submitted`` event with the page's campaign parameters, and the
consent kept as the person saw it."""

import pytest

from capture.models import Submission
from leads.models import Contact
from leads.stages import Stage
from scoring.models import Activity
from scoring.services import rule_create, settings_update
from tests.factories import ContactFactory

from .conftest import CONSENT

pytestmark = pytest.mark.django_db

VALID = {
    "email": "Ada@Example.com",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "company": "Analytical Engines",
    "timeline": "Q3",
    "consent": "on",
    "utm_source": "newsletter",
    "utm_medium": "email",
    "utm_campaign": "spring-webinar",
    "gclid": "abc123",
    "referrer": "https://news.example/",
    "landing_page": "https://www.acme.test/webinar?utm_source=newsletter",
}


def submit(client, web_form, data, **headers):
    return client.post(f"/f/{web_form.key}/", data, **headers)


def test_a_submission_creates_the_lead_with_its_campaign_and_answers(client, web_form, campaign):
    response = submit(client, web_form, VALID)
    assert response.status_code == 200
    assert "Thanks, we will call you." in response.content.decode()
    contact = Contact.objects.get(email__iexact="ada@example.com")
    assert (contact.first_name, contact.last_name, contact.company) == (
        "Ada",
        "Lovelace",
        "Analytical Engines",
    )
    assert contact.attributes == {"timeline": "Q3"}
    assert contact.campaign == campaign and contact.stage == Stage.LEAD
    submission = Submission.objects.get()
    assert submission.contact == contact and submission.confirmed_at is not None
    assert submission.consent_text == CONSENT and submission.consented_at is not None
    assert len(submission.address_hash) == 64 and "127.0.0.1" not in submission.address_hash
    assert (submission.utm_source, submission.utm_campaign, submission.gclid) == (
        "newsletter",
        "spring-webinar",
        "abc123",
    )


def test_the_event_carries_the_form_and_the_pages_parameters_and_is_scored(client, web_form):
    rule_create(
        name="Filled a form",
        dimension="engagement",
        points=70,
        event_type="form_submitted",
        attribute="utm_source",
        operator="eq",
        value="newsletter",
    )
    settings_update(mql_threshold=60)
    submit(client, web_form, VALID)
    event = Activity.objects.get()
    assert event.type == "form_submitted" and event.campaign_id == web_form.campaign_id
    assert event.properties["form"] == web_form.pk
    assert event.properties["utm_medium"] == "email"
    assert event.properties["referrer"] == "https://news.example/"
    contact = Contact.objects.get()
    # the starter rule "Form submitted" (15) and the one above (70)
    assert contact.engagement_score == 85 and contact.stage == Stage.MQL


def test_a_known_address_is_updated_and_nothing_it_has_is_emptied(client, web_form):
    known = ContactFactory(
        email="ada@example.com", first_name="Augusta", last_name="King", phone="+33612345678"
    )
    data = VALID | {"first_name": "Ada", "last_name": ""}
    assert submit(client, web_form, data).status_code == 200
    known.refresh_from_db()
    assert (known.first_name, known.last_name, known.phone) == ("Ada", "King", "+33612345678")
    assert known.email == "ada@example.com"  # its own spelling of the address stays
    assert Contact.objects.count() == 1 and Submission.objects.get().contact == known


def test_a_missing_required_field_or_consent_re_renders_the_page_and_stores_nothing(
    client, web_form
):
    response = submit(client, web_form, VALID | {"company": "", "consent": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Please give your consent" in page and "This field is required." in page
    assert 'value="newsletter"' in page  # the campaign parameters survive the error
    assert not Contact.objects.exists() and not Submission.objects.exists()


def test_json_submissions_get_field_errors_as_the_api_writes_them(client, web_form):
    response = client.post(
        f"/f/{web_form.key}/", {"email": "not an address"}, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["email"] == ["Enter a valid email address."]
    assert "consent" in body and "company" in body
    ok = client.post(f"/f/{web_form.key}/", VALID, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["message"] == "Thanks, we will call you."
    assert Contact.objects.count() == 1


@pytest.mark.parametrize("body", ["[]", "null", "{", '"text"'])
def test_a_json_body_that_is_no_object_is_a_400(client, web_form, body):
    response = client.post(f"/f/{web_form.key}/", body, content_type="application/json")
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_a_bot_filling_the_honeypot_is_thanked_and_nothing_is_stored(client, web_form):
    response = submit(client, web_form, VALID | {"homepage": "http://spam.example"})
    assert response.status_code == 200 and "Thanks" in response.content.decode()
    assert not Contact.objects.exists() and not Submission.objects.exists()


def test_past_the_hourly_limit_an_address_gets_429_and_nothing_is_stored(
    client, web_form, settings
):
    settings.FORM_SUBMISSIONS_PER_HOUR = 2
    for n in range(2):
        assert submit(client, web_form, VALID | {"email": f"p{n}@example.com"}).status_code == 200
    refused = submit(client, web_form, VALID | {"email": "p3@example.com"})
    assert refused.status_code == 429 and refused["Retry-After"] == "3600"
    assert Submission.objects.count() == 2
    other = submit(client, web_form, VALID | {"email": "p4@example.com"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200  # the limit is per address


def test_an_unknown_or_disabled_form_is_a_404(client, web_form):
    assert client.get("/f/no-such-key/").status_code == 404
    web_form.active = False
    web_form.save()
    assert client.get(f"/f/{web_form.key}/").status_code == 404
    assert submit(client, web_form, VALID).status_code == 404
    assert not Submission.objects.exists()


def test_the_hosted_page_keeps_the_links_campaign_parameters(client, web_form):
    page = client.get(f"/f/{web_form.key}/?utm_source=linkedin&utm_campaign=q2")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="utm_source" value="linkedin"' in html
    assert 'name="utm_campaign" value="q2"' in html
    assert CONSENT in html


def test_a_redirect_url_sends_the_person_on(client, web_form):
    web_form.redirect_url = "https://www.acme.test/thanks"
    web_form.save()
    response = submit(client, web_form, VALID)
    assert response.status_code == 302 and response["Location"] == "https://www.acme.test/thanks"


def test_only_the_allowed_sites_may_send_it_and_they_get_cors_headers(client, web_form):
    allowed = {"HTTP_ORIGIN": "https://www.acme.test", "HTTP_ACCEPT": "application/json"}
    ok = submit(client, web_form, VALID, **allowed)
    assert ok.status_code == 200
    assert ok["Access-Control-Allow-Origin"] == "https://www.acme.test"
    preflight = client.options(f"/f/{web_form.key}/", **allowed)
    assert preflight.status_code == 204 and "POST" in preflight["Access-Control-Allow-Methods"]
    foreign = {"HTTP_ORIGIN": "https://evil.test"}
    refused = submit(client, web_form, VALID | {"email": "x@example.com"}, **foreign)
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused
    assert client.options(f"/f/{web_form.key}/", **foreign).status_code == 403
    assert Submission.objects.count() == 1


def test_two_submissions_of_one_address_make_one_contact(client, web_form):
    submit(client, web_form, VALID)
    submit(client, web_form, VALID | {"email": "ada@example.com", "company": "Babbage & Co"})
    assert Contact.objects.get().company == "Babbage & Co"
    assert Activity.objects.filter(type="form_submitted").count() == 2


def test_hostile_tracking_values_are_stored_as_plain_text(client, web_form):
    data = VALID | {"utm_source": "news\x00letter", "referrer": "x" * 5000}
    assert submit(client, web_form, data).status_code == 200
    submission = Submission.objects.get()
    assert submission.utm_source == "newsletter" and len(submission.referrer) == 2000
