"""The OpenAPI schema describes every endpoint with its errors, and the docs page serves it."""

import re

import pytest
import yaml
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api, manager):
    response = api.as_user(manager).get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_every_operation_documents_auth_permission_and_throttle_errors(schema):
    for path, method, operation in operations(schema):
        missing = {"401", "403", "429"} - set(map(str, operation["responses"]))
        assert not missing, f"{method.upper()} {path} does not document {missing}"


def test_every_stage_action_documents_the_409_conflict(schema):
    actions = [
        (path, op)
        for path, method, op in operations(schema)
        if method == "post" and path.startswith("/api/v1/contacts/{id}/")
    ]
    assert len(actions) >= 10
    for path, operation in actions:
        assert {"400", "404", "409"} <= set(map(str, operation["responses"])), path


def test_the_docs_page_is_served_from_own_static_files(client, manager):
    client.force_login(manager)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assert b"swagger-ui" in page.content
    assert b"cdn" not in page.content.lower()


def _request_schema(schema, name):
    return schema["components"]["schemas"][name]["properties"]


def test_the_schema_bounds_days_to_the_window_the_server_keeps(schema, settings):
    pattern = re.compile(_request_schema(schema, "CampaignRequest")["started_on"]["pattern"])
    assert pattern.match("1970-01-01")
    assert pattern.match(f"{timezone.localdate().year + 9}-12-31")
    assert not pattern.match("0001-01-01")
    assert not pattern.match("1969-12-31")
    assert not pattern.match(f"{timezone.localdate().year + 11}-01-01")


def test_the_schema_bounds_event_times_to_now_and_the_window(schema):
    pattern = re.compile(_request_schema(schema, "EventRequest")["occurred_at"]["pattern"])
    last_year = timezone.now().year - 1
    assert pattern.match(f"{last_year}-06-30T09:30:00Z")
    assert pattern.match("1999-12-31T23:59:59.5+01:00")
    assert not pattern.match(f"{timezone.now().year + 1}-01-01T00:00:00Z")
    assert not pattern.match("0001-01-01T00:00:00Z")


def test_the_schema_says_a_decimal_has_a_digit_a_spend_no_sign_a_budget_more_than_zero(schema):
    spend = re.compile(_request_schema(schema, "CampaignRequest")["spend"]["pattern"])
    budget = re.compile(_request_schema(schema, "QualifyRequest")["budget"]["pattern"])
    assert spend.match("1200.50") and spend.match("0") and budget.match("3.5")
    assert not spend.match("") and not spend.match("-3") and not spend.match(".")
    assert not budget.match("0") and not budget.match("-3")


def test_the_schema_says_which_lists_may_not_be_empty(schema):
    components = schema["components"]["schemas"]
    batch = components["EventOrBatchRequest"]["oneOf"][1]
    assert (batch["minItems"], batch["maxItems"]) == (1, 1000)
    assert _request_schema(schema, "WebhookRequest")["events"]["minItems"] == 1
    candidates = _request_schema(schema, "BacktestRequestRequest")["candidates"]
    assert (candidates["minItems"], candidates["maxItems"]) == (1, 2)


def test_the_schema_lists_the_currencies_and_time_zones_the_server_takes(schema):
    enums = schema["components"]["schemas"]
    assert "EUR" in enums["CurrencyEnum"]["enum"] and "XXX" not in enums["CurrencyEnum"]["enum"]
    assert "Europe/Paris" in enums["TimeZoneEnum"]["enum"]


def test_an_id_in_a_query_is_a_whole_number(schema):
    owner = next(
        parameter
        for parameter in schema["paths"]["/api/v1/sla/breaches/"]["get"]["parameters"]
        if parameter["name"] == "owner"
    )
    assert owner["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


def test_a_value_that_must_be_unique_documents_its_409(schema):
    for path in ("/api/v1/campaigns/", "/api/v1/targets/", "/api/v1/sla/assignment-rules/"):
        assert "409" in schema["paths"][path]["post"]["responses"], path
        assert "409" in schema["paths"][path + "{id}/"]["put"]["responses"], path
