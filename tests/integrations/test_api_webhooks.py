import pytest

from integrations.models import Delivery, Event, Webhook
from integrations.services import webhooks
from leads import services as leads_services

URL = "/api/v1/webhooks/"


def test_a_manager_subscribes_and_a_secret_is_generated(api, manager):
    response = api.as_user(manager).post(
        URL,
        {
            "url": "https://crm.example.com/hooks",
            "events": ["sla.breached", "contact.stage_changed"],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["events"] == ["contact.stage_changed", "sla.breached"]
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 30
    assert body["active"] is True
    hook = Webhook.objects.get()
    assert hook.created_by == manager


def test_a_manager_sets_rotates_and_pauses(api, manager):
    hook = Webhook.objects.create(url="https://a.example/", events=["contact.created"])
    api.as_user(manager)
    response = api.patch(f"{URL}{hook.pk}/", {"secret": "my-own-secret-1234567", "active": False})
    assert response.status_code == 200
    hook.refresh_from_db()
    assert (hook.secret, hook.active) == ("my-own-secret-1234567", False)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "not a url", "events": ["contact.created"]}, "url"),
        ({"url": "ftp://files.example.com/", "events": ["contact.created"]}, "url"),
        ({"url": "https://a.example/", "events": []}, "events"),
        ({"url": "https://a.example/", "events": ["contact.deleted"]}, "events"),
        (
            {"url": "https://a.example/", "events": ["contact.created"], "secret": "short"},
            "secret",
        ),
    ],
)
def test_a_bad_subscription_is_400(api, manager, body, field):
    response = api.as_user(manager).post(URL, body)
    assert response.status_code == 400
    assert field in response.json()
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("who", ["marketer", "rep", "nobody"])
def test_webhooks_and_deliveries_are_for_managers_only(api, request, who):
    api.as_user(request.getfixturevalue(who))
    assert api.get(URL).status_code == 403
    assert api.get(f"{URL}deliveries/").status_code == 403


@pytest.fixture
def delivered(manager):
    hook = Webhook.objects.create(url="http://127.0.0.1:9/", events=[Event.CONTACT_CREATED])
    contact = leads_services.contact_create(by=None, email="api@example.com")
    webhooks.deliveries_send(delivery_ids=Delivery.objects.values_list("pk", flat=True))
    return hook, contact, Delivery.objects.get()


def test_deliveries_are_listed_with_their_attempts_and_payload(api, manager, delivered):
    hook, contact, delivery = delivered
    response = api.as_user(manager).get(f"{URL}deliveries/?webhook={hook.pk}&status=pending")
    assert response.status_code == 200
    [body] = response.json()["results"]
    assert (body["id"], body["event"], body["contact"], body["attempt_count"]) == (
        delivery.pk,
        "contact.created",
        contact.pk,
        1,
    )
    assert body["payload"]["data"]["contact"]["email"] == "api@example.com"
    [attempt] = body["attempts"]
    assert attempt["ok"] is False
    assert attempt["response_code"] is None
    assert attempt["error"] == "Could not connect to the receiver (name, network or TLS)."
    assert isinstance(attempt["duration_ms"], int)
    assert api.get(f"{URL}deliveries/?status=delivered").json()["results"] == []


def test_redeliver_answers_the_new_delivery_or_409_while_pending(api, manager, delivered):
    _, _, delivery = delivered
    api.as_user(manager)
    conflict = api.post(f"{URL}deliveries/{delivery.pk}/redeliver/")
    assert conflict.status_code == 409
    assert conflict.json()["status"] == "pending"
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED)
    response = api.post(f"{URL}deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 201
    body = response.json()
    assert (body["redelivery_of"], body["status"], body["attempts"]) == (
        delivery.pk,
        "pending",
        [],
    )
    assert body["event_id"] == str(delivery.event_id)
    assert api.post(f"{URL}deliveries/999/redeliver/").status_code == 404
