"""``/api/v1/forms/``: marketers and managers build forms; the questions and the sites are
checked with a message per field; each form has its public key and page."""

import pytest

from capture.models import Form

pytestmark = pytest.mark.django_db

BODY = {
    "name": "E-book download",
    "fields": ["first_name", {"name": "company", "required": True}, {"name": "team_size"}],
    "consent_text": "Send me the e-book and related news.",
    "allowed_origins": ["https://WWW.Acme.test/"],
}


def test_a_marketer_creates_a_form_with_its_key_and_page(api, marketer, campaign):
    response = api.as_user(marketer).post("/api/v1/forms/", BODY | {"campaign": campaign.pk})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["fields"] == [
        {"name": "email", "required": True, "label": ""},
        {"name": "first_name", "required": False, "label": ""},
        {"name": "company", "required": True, "label": ""},
        {"name": "team_size", "required": False, "label": ""},
    ]
    assert body["allowed_origins"] == ["https://www.acme.test"]
    assert body["campaign"] == campaign.pk and body["submission_count"] == 0
    form = Form.objects.get()
    assert body["key"] == form.key and len(form.key) >= 16
    assert body["page_url"].endswith(f"/f/{form.key}/")
    assert api.get(f"/api/v1/forms/{form.pk}/").json()["key"] == form.key


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"fields": ["stage"]}, "fields"),
        ({"fields": ["consent"]}, "fields"),
        ({"fields": ["Bad Name"]}, "fields"),
        ({"fields": ["company", "company"]}, "fields"),
        ({"fields": {"a": 1}}, "fields"),
        ({"allowed_origins": ["www.acme.test"]}, "allowed_origins"),
        ({"allowed_origins": ["https://acme.test/contact"]}, "allowed_origins"),
        ({"consent_text": ""}, "consent_text"),
        ({"name": ""}, "name"),
        ({"fields": [{"name": "company", "label": "a\u0000b"}]}, "fields"),
        ({"allowed_origins": ["https://a\u0000b.test"]}, "allowed_origins"),
    ],
)
def test_bad_questions_or_sites_are_a_400_naming_the_field(api, manager, change, field):
    response = api.as_user(manager).post("/api/v1/forms/", BODY | change)
    assert response.status_code == 400 and field in response.json()
    assert not Form.objects.exists()


def test_reps_may_not_see_nor_build_forms(api, rep, web_form):
    client = api.as_user(rep)
    assert client.get("/api/v1/forms/").status_code == 403
    assert client.post("/api/v1/forms/", BODY).status_code == 403
    assert client.patch(f"/api/v1/forms/{web_form.pk}/", {"active": False}).status_code == 403


def test_editing_keeps_the_key_and_a_disabled_form_stops_taking_submissions(
    api, marketer, web_form, client
):
    key = web_form.key
    response = api.as_user(marketer).patch(
        f"/api/v1/forms/{web_form.pk}/", {"active": False, "key": "mine"}
    )
    assert response.status_code == 200 and response.json()["key"] == key
    assert client.get(f"/f/{key}/").status_code == 404
