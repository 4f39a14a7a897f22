import hashlib
import hmac
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from integrations import tasks
from integrations.models import Delivery, Event, Webhook
from integrations.services import webhooks
from leads import services as leads_services
from leads.models import Contact
from leads.stages import Stage
from scoring import signals as scoring_signals
from scoring.sql import Crossing
from sla import signals as sla_signals
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

Status = Delivery.Status
SECRET = "whsec_test-secret-0123456789"


def verify_signature(secret: str, body: bytes, header: str, now: float) -> bool:
    """A receiver's check, written from the documented recipe only:
    t=<unix ts>,v1=<hex HMAC-SHA256(secret, f"{t}.{raw body}")>, t at most 5 minutes old."""
    parts = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(
        secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(now - int(parts["t"])) <= 300


def subscribe(url: str, *events: Event, active: bool = True) -> Webhook:
    return Webhook.objects.create(
        url=url, events=list(events or Event.values), secret=SECRET, active=active
    )


def later(**kwargs):
    return timezone.now() + timedelta(**kwargs)


def test_a_stage_change_writes_its_delivery_in_the_same_commit(marketer):
    subscribe("http://127.0.0.1:9/", Event.CONTACT_STAGE_CHANGED)
    contact = ContactFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        leads_services.contact_mark_mql(contact=contact, by=marketer)
        assert Delivery.objects.count() == 1
        raise RuntimeError("the move rolls back")
    assert not Delivery.objects.exists()


def test_a_breach_and_a_crossing_write_their_deliveries_in_the_same_commit(
    rep, django_capture_on_commit_callbacks
):
    """Even if the process dies right after the commit (no on-commit callback ever runs),
    the outbox holds the breach and the crossing: the beat sweep sends them later."""
    from scoring.models import Rule
    from scoring.services import EventIn, events_ingest
    from sla.sweep import sla_sweep
    from tests.sla.conftest import make_mql, make_policy

    subscribe("http://127.0.0.1:9/", Event.SLA_BREACHED, Event.SCORE_THRESHOLD_CROSSED)
    make_policy(hours=48)
    make_mql(owner=rep, at=timezone.now() - timedelta(days=3))
    Rule.objects.create(name="Demo", dimension="engagement", points=500, event_type="demo")
    lead = ContactFactory(stage=Stage.LEAD)
    with django_capture_on_commit_callbacks(execute=False):
        sla_sweep(now=timezone.now())
        events_ingest(events=[EventIn("demo-1", "demo", timezone.now(), contact_id=lead.pk)])
    assert sorted(Delivery.objects.values_list("event", flat=True)) == [
        Event.SCORE_THRESHOLD_CROSSED,  # the MQL line
        Event.SCORE_THRESHOLD_CROSSED,  # and the hot level
        Event.SLA_BREACHED,
    ]


def test_deliveries_are_enqueued_only_after_the_commit(
    marketer, django_capture_on_commit_callbacks
):
    subscribe("http://127.0.0.1:9/", Event.CONTACT_STAGE_CHANGED)
    contact = ContactFactory()
    with (
        mock.patch.object(tasks.deliver_webhooks, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        leads_services.contact_mark_mql(contact=contact, by=marketer)
        delay.assert_not_called()
    delivery = Delivery.objects.get()
    delay.assert_called_once_with([delivery.pk])


def test_only_active_webhooks_subscribed_to_the_event_get_it(marketer):
    wanted = subscribe("http://127.0.0.1:9/a", Event.CONTACT_STAGE_CHANGED)
    subscribe("http://127.0.0.1:9/b", Event.SLA_BREACHED)
    subscribe("http://127.0.0.1:9/c", Event.CONTACT_STAGE_CHANGED, active=False)
    leads_services.contact_mark_mql(contact=ContactFactory(), by=marketer)
    assert list(Delivery.objects.values_list("webhook", flat=True)) == [wanted.pk]


def test_an_assignment_is_not_a_stage_change(manager, rep):
    subscribe("http://127.0.0.1:9/", Event.CONTACT_STAGE_CHANGED)
    contact = ContactFactory(stage=Stage.MQL)
    leads_services.contact_assign(contact=contact, by=manager, owner=rep)
    assert not Delivery.objects.exists()


def test_each_event_kind_is_recorded_with_its_data(marketer):
    subscribe("http://127.0.0.1:9/")
    created = leads_services.contact_create(by=marketer, email="new@example.com", first_name="N")
    leads_services.contact_engage(contact=created)
    leads_services.contacts_for_emails(emails=["bulk@example.com"])
    sla_signals.breaches_recorded.send(sender=None, breaches=[(7, created.pk)])
    occurred = timezone.now() - timedelta(minutes=5)
    scoring_signals.thresholds_crossed.send(
        sender=None, crossings=[Crossing(created.pk, "mql", 61, occurred)]
    )
    bodies = [d.body() for d in Delivery.objects.order_by("pk")]
    assert [b["type"] for b in bodies] == [
        "contact.created",
        "contact.stage_changed",
        "contact.created",
        "sla.breached",
        "score.threshold_crossed",
    ]
    assert bodies[0]["data"]["contact"]["email"] == "new@example.com"
    assert bodies[1]["data"]["transition"]["from_stage"] == "contact"
    assert bodies[1]["data"]["transition"]["to_stage"] == "lead"
    assert bodies[1]["data"]["contact"]["stage"] == "lead"
    assert bodies[2]["data"]["contact"]["email"] == "bulk@example.com"
    assert bodies[3]["data"]["breach_id"] == 7
    assert bodies[4]["data"]["threshold"] == "mql"
    assert bodies[4]["data"]["score"] == 61
    assert bodies[4]["occurred_at"] == occurred


def test_a_receiver_that_fails_twice_gets_the_event_once_signed_and_in_full(receiver, marketer):
    server = receiver(failures=2)
    hook = subscribe(server.url, Event.CONTACT_STAGE_CHANGED)
    contact = ContactFactory(email="ada@example.com", first_name="Ada")
    leads_services.contact_mark_mql(contact=contact, by=marketer, reason="Webinar")
    delivery = Delivery.objects.get()

    now = timezone.now()
    tasks.deliver_webhooks([delivery.pk])  # the task enqueued after the commit: 500
    assert webhooks.deliveries_send_due(now=now) == 0  # not due again yet
    assert webhooks.deliveries_send_due(now=now + timedelta(seconds=31)) == 1  # 500 again
    assert webhooks.deliveries_send_due(now=now + timedelta(seconds=32)) == 0
    assert webhooks.deliveries_send_due(now=now + timedelta(seconds=92)) == 1  # 204
    assert webhooks.deliveries_send_due(now=now + timedelta(hours=9)) == 0

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count) == (Status.DELIVERED, 3)
    attempts = list(delivery.attempts.values_list("number", "ok", "response_code", "error"))
    assert attempts == [
        (1, False, 500, "HTTP 500"),
        (2, False, 500, "HTTP 500"),
        (3, True, 204, ""),
    ]
    assert len(server.requests) == 3
    headers, body = server.requests[-1]
    sent_at = int(headers["X-Leadfunnel-Signature"].split(",")[0].removeprefix("t="))
    assert verify_signature(hook.secret, body, headers["X-Leadfunnel-Signature"], now=sent_at)
    assert not verify_signature("another secret", body, headers["X-Leadfunnel-Signature"], sent_at)
    assert headers["X-Leadfunnel-Event"] == "contact.stage_changed"
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload["type"] == "contact.stage_changed"
    assert payload["id"] == str(delivery.event_id)
    assert payload["data"]["transition"]["move"] == "mark_mql"
    assert payload["data"]["transition"]["reason"] == "Webinar"
    assert payload["data"]["contact"]["id"] == contact.pk
    assert payload["data"]["contact"]["email"] == "ada@example.com"
    assert payload["data"]["contact"]["stage"] == "mql"
    assert len({json.dumps(b, sort_keys=True) for b in server.bodies()}) == 1  # same event


def test_the_signature_goes_stale_and_cannot_be_moved_to_another_time(receiver):
    server = receiver()
    hook = subscribe(server.url, Event.CONTACT_CREATED)
    leads_services.contact_create(by=None, email="x@example.com")
    webhooks.deliveries_send(delivery_ids=Delivery.objects.values_list("pk", flat=True))
    headers, body = server.requests[0]
    signature = headers["X-Leadfunnel-Signature"]
    t = int(signature.split(",")[0].removeprefix("t="))
    assert verify_signature(hook.secret, body, signature, now=t + 60)
    assert not verify_signature(hook.secret, body, signature, now=t + 3600)  # a replay
    forged = signature.replace(f"t={t}", f"t={t + 3600}")
    assert not verify_signature(hook.secret, body, forged, now=t + 3600)


@override_settings(WEBHOOK_MAX_ATTEMPTS=3)
def test_a_contacts_later_event_waits_until_the_earlier_one_is_delivered_or_failed(receiver):
    server = receiver(failures=3)
    subscribe(server.url, Event.CONTACT_STAGE_CHANGED)
    contact = ContactFactory()
    leads_services.contact_engage(contact=contact)
    leads_services.contact_mark_mql(contact=contact, by=None)
    first, second = Delivery.objects.order_by("pk")

    now = timezone.now()
    tasks.deliver_webhooks([second.pk, first.pk])  # even asked first, the later one waits
    assert [b["data"]["transition"]["to_stage"] for b in server.bodies()] == ["lead"]
    assert webhooks.deliveries_send_due(now=now + timedelta(seconds=31)) == 1
    second.refresh_from_db()
    assert (second.status, second.attempt_count) == (Status.PENDING, 0)

    # The third failure is the last try: the first is failed, the second goes at once.
    assert webhooks.deliveries_send_due(now=now + timedelta(seconds=100)) == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.FAILED, Status.DELIVERED)
    stages = [b["data"]["transition"]["to_stage"] for b in server.bodies()]
    assert stages == ["lead", "lead", "lead", "mql"]


def test_other_contacts_are_not_held_back_by_a_failing_one(receiver):
    server = receiver(failures=1)
    subscribe(server.url, Event.CONTACT_CREATED)
    leads_services.contact_create(by=None, email="a@example.com")
    leads_services.contact_create(by=None, email="b@example.com")
    webhooks.deliveries_send(
        delivery_ids=Delivery.objects.order_by("pk").values_list("pk", flat=True)
    )
    assert sorted(Delivery.objects.values_list("status", flat=True)) == ["delivered", "pending"]


def test_a_delivery_whose_enqueue_was_lost_is_sent_by_the_sweep(receiver):
    server = receiver()
    subscribe(server.url, Event.CONTACT_CREATED)
    leads_services.contact_create(by=None, email="lost@example.com")  # no task ever ran
    tasks.deliver_due_webhooks()
    assert Delivery.objects.get().status == Status.DELIVERED
    assert len(server.requests) == 1


def test_a_claimed_delivery_is_not_sent_by_a_second_worker(receiver):
    server = receiver()
    subscribe(server.url, Event.CONTACT_CREATED)
    leads_services.contact_create(by=None, email="once@example.com")
    delivery = Delivery.objects.get()
    now = timezone.now()
    assert webhooks._claim(delivery.pk, now) is not None
    assert webhooks.deliveries_send(delivery_ids=[delivery.pk], now=now) == 0
    assert server.requests == []
    # A worker that died with the claim only delays the delivery by the lease.
    assert webhooks.deliveries_send_due(now=now + timedelta(minutes=2)) == 1
    assert len(server.requests) == 1


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(receiver):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    try:
        subscribe(f"http://127.0.0.1:{silent.getsockname()[1]}/", Event.CONTACT_CREATED)
        leads_services.contact_create(by=None, email="slow@example.com")
        with override_settings(WEBHOOK_TIMEOUT_SECONDS=0.2):
            webhooks.deliveries_send(delivery_ids=Delivery.objects.values_list("pk", flat=True))
    finally:
        silent.close()
    attempt = Delivery.objects.get().attempts.get()
    assert (attempt.ok, attempt.response_code) == (False, None)
    assert attempt.error == "The receiver did not answer in time."


def test_an_unreachable_receiver_is_retried_with_exponential_back_off():
    subscribe("http://127.0.0.1:9/", Event.CONTACT_CREATED)  # the discard port: refused
    leads_services.contact_create(by=None, email="x@example.com")
    delivery = Delivery.objects.get()
    now = timezone.now()
    gaps = []
    for _ in range(5):
        webhooks.deliveries_send(delivery_ids=[delivery.pk], now=now)
        delivery.refresh_from_db()
        gaps.append((delivery.next_attempt_at - now).total_seconds())
        now = delivery.next_attempt_at
    assert gaps == [30, 60, 120, 240, 480]
    assert (
        delivery.attempts.first().error
        == "Could not connect to the receiver (name, network or TLS)."
    )


def test_erasing_a_contact_scrubs_the_stored_payloads(marketer):
    subscribe("http://127.0.0.1:9/")
    contact = leads_services.contact_create(by=marketer, email="gdpr@example.com", first_name="G")
    leads_services.contact_engage(contact=contact)
    leads_services.contact_erase(contact=contact, by=marketer)
    bodies = [d.body() for d in Delivery.objects.all()]
    assert len(bodies) == 2
    assert all(b["data"]["contact"] == {"id": contact.pk, "erased": True} for b in bodies)
    assert "gdpr" not in json.dumps([d.contact_data for d in Delivery.objects.all()])


def test_a_redelivery_is_a_new_delivery_of_the_same_event(receiver):
    server = receiver()
    subscribe(server.url, Event.CONTACT_CREATED)
    leads_services.contact_create(by=None, email="again@example.com")
    original = Delivery.objects.get()
    webhooks.deliveries_send(delivery_ids=[original.pk])
    copy = webhooks.delivery_redeliver(delivery=original)
    webhooks.deliveries_send(delivery_ids=[copy.pk])
    copy.refresh_from_db()
    assert (copy.status, copy.redelivery_of, copy.event_id) == (
        Status.DELIVERED,
        original,
        original.event_id,
    )
    assert [b["id"] for b in server.bodies()] == [str(original.event_id)] * 2


def test_a_pending_delivery_cannot_be_redelivered():
    subscribe("http://127.0.0.1:9/", Event.CONTACT_CREATED)
    leads_services.contact_create(by=None, email="p@example.com")
    with pytest.raises(webhooks.StateConflict):
        webhooks.delivery_redeliver(delivery=Delivery.objects.get())


def test_a_bulk_creation_enqueues_batches_not_one_task_per_delivery(
    django_capture_on_commit_callbacks,
):
    subscribe("http://127.0.0.1:9/", Event.CONTACT_CREATED)
    with (
        mock.patch.object(tasks.deliver_webhooks, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        leads_services.contacts_for_emails(emails=[f"b{n}@example.com" for n in range(250)])
    assert [len(call.args[0]) for call in delay.call_args_list] == [100, 100, 50]
    assert Contact.objects.count() == Delivery.objects.count() == 250


def test_a_paused_webhook_keeps_its_deliveries_until_it_is_active_again(receiver):
    server = receiver()
    hook = subscribe(server.url, Event.CONTACT_CREATED)
    leads_services.contact_create(by=None, email="p@example.com")
    Webhook.objects.filter(pk=hook.pk).update(active=False)
    assert webhooks.deliveries_send_due() == 0
    Webhook.objects.filter(pk=hook.pk).update(active=True)
    assert webhooks.deliveries_send_due() == 1
    assert len(server.requests) == 1


def test_a_broker_down_after_the_commit_leaves_the_rows_due_for_the_sweep(
    marketer, caplog, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    subscribe("http://127.0.0.1:9/", Event.CONTACT_STAGE_CHANGED)
    refused = OperationalError("Connection refused")
    with (
        mock.patch.object(tasks.deliver_webhooks, "delay", side_effect=refused),
        django_capture_on_commit_callbacks(execute=True),
    ):
        leads_services.contact_mark_mql(contact=ContactFactory(), by=marketer)
    assert "the beat sweep (deliveries_send_due) will send 1 deliveries" in caplog.text
    assert list(Delivery.objects.values_list("status", flat=True)) == [Status.PENDING]
