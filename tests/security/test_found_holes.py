"""Regression tests of the holes the security tests and the API fuzzing (tests/fuzz) found,
one per fix."""

from datetime import date

import pytest

from leads.models import Contact
from leads.stages import Stage
from sla.models import AssignmentRule
from tests.factories import CampaignFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_an_assignment_rule_can_be_changed_through_the_api_without_a_500(api, manager):
    rule = AssignmentRule.objects.create(name="France", country="FR")
    response = api.as_user(manager).patch(
        f"/api/v1/sla/assignment-rules/{rule.pk}/", {"country": "DE"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["country"] == "DE"


# --- Found by the API fuzzing -------------------------------------------------------------


def documented(api, user, method: str, path: str, status: int) -> dict:
    """The JSON schema of the body the OpenAPI document gives for one answer."""
    schema = api.as_user(user).get("/api/v1/schema/?format=json").json()
    body = schema["paths"][path][method]["responses"][str(status)]["content"]
    name = body["application/json"]["schema"]["$ref"].rpartition("/")[2]
    return schema["components"]["schemas"][name]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "two"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page_size": ""}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
        ({"page_size": "1001"}, "page_size"),
    ],
)
def test_a_page_or_page_size_the_schema_forbids_is_a_400_naming_it(api, marketer, query, field):
    """The schema says: whole numbers, page from 1, page_size 1 to 1,000."""
    ContactFactory()
    response = api.as_user(marketer).get("/api/v1/contacts/", query)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    parameters = {
        p["name"]: p["schema"]
        for p in api.get("/api/v1/schema/?format=json").json()["paths"]["/api/v1/contacts/"][
            "get"
        ]["parameters"]
    }
    assert parameters["page"]["minimum"] == 1
    assert (parameters["page_size"]["minimum"], parameters["page_size"]["maximum"]) == (1, 1000)


def test_a_page_past_the_end_is_a_404(api, marketer):
    ContactFactory()
    response = api.as_user(marketer).get("/api/v1/contacts/", {"page": "99"})
    assert response.status_code == 404
    assert response.json()["detail"].startswith("No such page")


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/contacts/", "created_before"),
        ("/api/v1/audit/", "after"),
        ("/api/v1/sla/breaches/", "breached_after"),
    ],
)
def test_a_time_parameter_with_a_zone_offset_past_15_59_is_read_in_utc(
    api, manager, path, parameter
):
    # ISO 8601 and Python take offsets up to 24 hours, PostgreSQL up to 15:59 (it was a 500).
    response = api.as_user(manager).get(path, {parameter: "2026-01-05T12:00:00+17:51"})
    assert response.status_code == 200


def test_a_time_parameter_out_of_range_in_utc_is_a_400_naming_it(api, marketer):
    response = api.as_user(marketer).get(
        "/api/v1/contacts/", {"created_after": "0001-01-01T00:00:00+01:00"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["created_after"]


@pytest.mark.parametrize("path", ["/api/v1/reports/funnel/", "/api/v1/exports/contacts.csv"])
def test_an_unknown_format_is_a_400_naming_format(api, manager, path):
    response = api.as_user(manager).get(path, {"format": "xlsx"})
    assert response.status_code == 400
    assert list(response.json()) == ["format"]


def test_a_duplicate_email_answers_the_409_its_schema_documents(api, marketer):
    existing = ContactFactory(email="ada@example.com")
    response = api.as_user(marketer).post("/api/v1/contacts/", {"email": "ada@example.com"})
    assert response.status_code == 409
    schema = documented(api, marketer, "post", "/api/v1/contacts/", 409)
    assert set(response.json()) == set(schema["required"]) == {"detail", "id"}
    assert response.json()["id"] == existing.pk
    assert Contact.objects.count() == 1


def test_deleting_a_record_others_refer_to_answers_the_409_its_schema_documents(api, marketer):
    campaign = CampaignFactory()
    ContactFactory(campaign=campaign)
    response = api.as_user(marketer).delete(f"/api/v1/campaigns/{campaign.pk}/")
    assert response.status_code == 409
    schema = documented(api, marketer, "delete", "/api/v1/campaigns/{id}/", 409)
    assert set(response.json()) == set(schema["required"]) == {"detail"}


def test_an_api_url_that_matches_no_route_is_a_json_404(api, manager):
    response = api.as_user(manager).get("/api/v1/contacts/1.5/")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_a_page_url_that_matches_no_route_is_the_apps_404_page(client, manager):
    client.force_login(manager)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"This page does not exist" in response.content


def test_suggested_points_for_a_period_at_the_calendars_start_are_a_400_not_a_500(
    api, marketer, settings
):
    # Counting the held-out months back from 0001-01-01 stepped before the first date.
    settings.DATES_EARLIEST = date(1, 1, 1)  # an install that opens the window that far
    response = api.as_user(marketer).post(
        "/api/v1/evidence/suggestions/",
        {"start": "0001-01-01", "end": "0001-01-01", "holdout_months": 2},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["holdout_months"]


def test_an_empty_report_date_is_a_400_naming_it(api, manager):
    """``start=`` is no date, as the schema says; it read as the default range (fuzzing)."""
    response = api.as_user(manager).get("/api/v1/reports/targets/?start=&end=2026-01-31")
    assert response.status_code == 400
    assert list(response.json()) == ["start"]


def test_a_reason_over_its_length_is_a_400_even_padded_with_control_characters(api, marketer):
    """DRF checked the length after stripping, and Python strips \\x1d: 2,001 characters
    passed as a few (fuzzing). The schema's maxLength counts what is sent."""
    contact = ContactFactory(stage=Stage.LEAD)
    reason = "why" + "\x1d" * 2000
    url = f"/api/v1/contacts/{contact.pk}/mark-mql/"
    response = api.as_user(marketer).post(url, {"reason": reason}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["reason"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/events/", {"type": "page_view", "properties": {"\x00k": 1}}, "properties"),
        ("/api/v1/events/", {"type": "page_view", "properties": {"k": ["a\x00"]}}, "properties"),
        (
            "/api/v1/contacts/",
            {"email": "nul@example.com", "attributes": {"a": "\x00"}},
            "attributes",
        ),
    ],
)
def test_json_holding_the_nul_character_is_a_400_and_stores_nothing(
    api, marketer, path, body, field
):
    """Valid JSON that PostgreSQL's jsonb refuses: the insert failed with a 500 (fuzzing)."""
    contact = ContactFactory(stage=Stage.LEAD)
    if path == "/api/v1/events/":
        body = {**body, "id": "nul-1", "contact": contact.pk}
    response = api.as_user(marketer).post(path, body, format="json")
    assert response.status_code == 400
    assert field in str(response.json())
    assert Contact.objects.count() == 1
    assert not contact.activities.exists()


def test_a_model_rule_on_no_field_is_a_non_field_error(api, manager):
    """Django names it ``__all__``; the API's other non-field errors say ``non_field_errors``."""
    body = {"name": "Late", "clock": "mql_response", "hours": "4", "business_hours": True,
            "start_hour": 18, "end_hour": 9, "action": "reassign"}  # fmt: skip
    response = api.as_user(manager).post("/api/v1/sla/policies/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
