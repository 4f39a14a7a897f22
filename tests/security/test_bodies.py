"""Bodies: nesting, sizes and a contract-size batch (leadfunnel/api/parsers.py)."""

import json

import pytest
from django.utils import timezone

from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def post(api, user, url: str, body: str):
    return api.as_user(user).post(url, body, content_type="application/json")


def events(contact, count: int, blob: int) -> list[dict]:
    at = timezone.now().isoformat()
    return [
        {
            "id": f"k{n}",
            "type": "page_viewed",
            "occurred_at": at,
            "contact": contact.pk,
            "properties": {"url": "/pricing", "blob": "x" * blob},
        }
        for n in range(count)
    ]


@pytest.mark.parametrize("url", ["/api/v1/events/", "/api/v1/contacts/"])
def test_json_nested_5000_levels_is_a_400_in_json(api, marketer, url):
    response = post(api, marketer, url, "[" * 5000 + "]" * 5000)
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON is nested deeper than 32 levels."}


def test_a_contract_size_batch_is_accepted(api, marketer):
    """1,000 events with 3 KB of properties each: a 3 MB body, over Django's 2.5 MB."""
    body = json.dumps(events(ContactFactory(), 1000, 3000))
    assert len(body) > 2_621_440
    response = post(api, marketer, "/api/v1/events/", body)
    assert response.status_code == 200
    assert response.json() == {"accepted": 1000, "duplicates": 0}


def test_a_body_over_the_limit_is_a_413_in_json(api, marketer, settings):
    settings.EVENTS_MAX_BODY_BYTES = 50_000
    response = post(
        api, marketer, "/api/v1/events/", json.dumps(events(ContactFactory(), 40, 2000))
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The body is over 50,000 bytes."}
    settings.API_MAX_BODY_BYTES = 1000
    response = post(
        api,
        marketer,
        "/api/v1/contacts/",
        json.dumps({"email": "a@b.test", "company": "x" * 2000}),
    )
    assert (response.status_code, response["Content-Type"]) == (413, "application/json")


def test_an_event_with_properties_over_8_kb_is_refused_by_position(api, marketer):
    batch = events(ContactFactory(), 3, 100)
    batch[2]["properties"]["blob"] = "x" * 9000
    response = post(api, marketer, "/api/v1/events/", json.dumps(batch))
    assert response.status_code == 400
    assert response.json() == {
        "2": {"properties": ["Keep the properties within 8,192 bytes of JSON."]}
    }
