"""
Webhooks as an outbox: an event writes one ``Delivery`` row per interested webhook in the
transaction of the change itself, and is sent after the commit, by a Celery task, outside
any transaction. Whatever the task misses (the broker was down, a worker died, the receiver
failed) stays a due row that the beat sweep picks up, so an event is never lost; retries
back off exponentially until the last try marks the row failed.

One contact's deliveries to one webhook go out in order: a row is sent only when no earlier
row of that contact and webhook is still pending.
"""

import json
import logging
import ssl
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from uuid import uuid4

import httpx
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, F
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.erasure import scrub_rows
from leads.jobs import send
from leads.models import Contact

from ..addresses import PrivateTarget, pinned
from ..errors import StateConflict
from ..models import Delivery, DeliveryAttempt, Event, Webhook, new_secret
from ..selectors import due_delivery_ids, pending_before
from ..signing import SIGNATURE_HEADER, signature

logger = logging.getLogger(__name__)

Status = Delivery.Status

# What a payload tells about the contact (``erased_snapshot`` once the person is erased).
SNAPSHOT_FIELDS = (
    "id",
    "email",
    "first_name",
    "last_name",
    "company",
    "job_title",
    "country",
    "stage",
    "score",
    "fit_score",
    "engagement_score",
    "owner_id",
    "campaign_id",
    "created_at",
    "erased_at",
)
ENQUEUE_BATCH = 100  # deliveries per Celery task: a bulk import must not mean 100k tasks


def contact_snapshot(values: Mapping[str, Any]) -> dict[str, Any]:
    """The contact as a payload shows it, from a ``values()`` row or a model's attributes."""
    if values.get("erased_at"):
        return erased_snapshot(values["id"])
    snapshot = {name.removesuffix("_id"): values[name] for name in SNAPSHOT_FIELDS[:-1]}
    snapshot["country"] = str(snapshot["country"] or "")
    return snapshot


def erased_snapshot(contact_id: int) -> dict[str, Any]:
    return {"id": contact_id, "erased": True}


def _subscribed(event: Event) -> list[Webhook]:
    return [hook for hook in Webhook.objects.filter(active=True) if event in hook.events]


# One event about one contact: the contact as ``SNAPSHOT_FIELDS`` reads it, when it
# happened, and the event's own data.
Occurrence = tuple[Mapping[str, Any], datetime, Mapping[str, Any] | None]


def _write(
    hooks: Sequence[Webhook], *, event: Event, occurrences: Iterable[Occurrence]
) -> list[int]:
    """One delivery per webhook and occurrence, the same event id for every webhook, written
    in the caller's transaction and enqueued after its commit."""
    now = timezone.now()
    rows = Delivery.objects.bulk_create(
        Delivery(
            webhook=hook,
            event=event,
            event_id=event_id,
            occurred_at=occurred_at,
            contact_id=snapshot["id"],
            data=dict(data or {}),
            contact_data=snapshot,
            next_attempt_at=now,
            created_at=now,
        )
        for snapshot, occurred_at, data, event_id in (
            (contact_snapshot(values), occurred_at, data, uuid4())
            for values, occurred_at, data in occurrences
        )
        for hook in hooks
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return ids


def event_record_for(
    *, event: Event, contact: Contact, occurred_at: datetime, data: Mapping[str, Any]
) -> list[int]:
    """An event about a contact the caller holds (inside the change's transaction)."""
    return events_record_about(event=event, occurrences=[(contact, occurred_at, data)])


def events_record_about(
    *, event: Event, occurrences: Sequence[tuple[Contact, datetime, Mapping[str, Any] | None]]
) -> list[int]:
    """Events about contacts the caller holds, as they are now (a bulk move's contacts)."""
    if not occurrences or not (hooks := _subscribed(event)):
        return []
    return _write(
        hooks,
        event=event,
        occurrences=[
            ({name: getattr(contact, name) for name in SNAPSHOT_FIELDS}, at, data)
            for contact, at, data in occurrences
        ],
    )


def events_record_each(
    *, event: Event, occurrences: Sequence[tuple[int, datetime, Mapping[str, Any] | None]]
) -> list[int]:
    """Events about contacts known by id, each ``(contact id, when, data)``, in that order:
    a whole batch (a sweep's breaches, a recompute's crossings) in three queries."""
    if not occurrences or not (hooks := _subscribed(event)):
        return []
    ids = {contact_id for contact_id, _, _ in occurrences}
    contacts = {c["id"]: c for c in Contact.objects.filter(pk__in=ids).values(*SNAPSHOT_FIELDS)}
    return _write(
        hooks,
        event=event,
        occurrences=[(contacts[pk], at, data) for pk, at, data in occurrences if pk in contacts],
    )


def events_record_for_ids(
    *,
    event: Event,
    contact_ids: Iterable[int],
    occurred_at: datetime,
    data: Mapping[str, Any] | None = None,
) -> list[int]:
    """The same event about contacts known by id (a bulk creation), in id order."""
    return events_record_each(
        event=event, occurrences=[(pk, occurred_at, data) for pk in sorted(set(contact_ids))]
    )


def _enqueue(ids: Sequence[int]) -> None:
    """After the commit. With the broker down the rows stay due, and the beat sweep
    (``deliveries_send_due``) sends them: a warning, not an error, is all it takes."""
    waiting = f"the beat sweep (deliveries_send_due) will send {len(ids)} deliveries"
    for start in range(0, len(ids), ENQUEUE_BATCH):
        batch = list(ids[start : start + ENQUEUE_BATCH])
        if not send("integrations.tasks.deliver_webhooks", batch, waiting=waiting):
            return


def contact_data_erase(*, contact_id: int, values: list[str]) -> int:
    """Right to erasure: no stored payload keeps the person's details (their snapshot, and
    their values in the event's data: a move's reason), and what was still to be sent
    about them is not sent (cancelled: a receiver cannot be told to forget)."""
    deliveries = Delivery.objects.filter(contact_id=contact_id)
    deliveries.filter(status=Status.PENDING).update(status=Status.CANCELLED)
    scrub_rows(deliveries, ["data"], values)
    return deliveries.update(contact_data=erased_snapshot(contact_id))


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery, now: datetime | None = None) -> Delivery:
    """Send a delivered or failed event again, by hand: a new delivery with the same event
    id (receivers de-duplicate on it) and a fresh set of tries."""
    delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.status == Status.PENDING:
        raise StateConflict(_("This delivery is still being tried."), status=delivery.status)
    if Contact.objects.filter(pk=delivery.contact_id, erased_at__isnull=False).exists():
        raise StateConflict(
            _("The person was erased: nothing about them is sent again."), status=delivery.status
        )
    now = now or timezone.now()
    copy = Delivery.objects.create(
        webhook_id=delivery.webhook_id,
        event=delivery.event,
        event_id=delivery.event_id,
        occurred_at=delivery.occurred_at,
        contact_id=delivery.contact_id,
        data=delivery.data,
        contact_data=delivery.contact_data,
        redelivery_of=delivery,
        next_attempt_at=now,
        created_at=now,
    )
    transaction.on_commit(lambda: _enqueue([copy.pk]), robust=True)
    return copy


# --- Sending ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    ok: bool
    response_code: int | None
    error: str
    duration_ms: int


def webhook_rotate_secret(*, webhook: Webhook) -> Webhook:
    """A new signing secret; deliveries from now on are signed with it (the receiver must
    switch too: the answer is the one place the new secret is shown)."""
    webhook.secret = new_secret()
    webhook.save(update_fields=["secret"])
    return webhook


def retry_delay(attempt: int) -> timedelta:
    """Exponential back-off after the ``attempt``-th failure, capped."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempt - 1), settings.WEBHOOK_RETRY_MAX_SECONDS))


def _lease() -> timedelta:
    """How long a claimed delivery is left alone: longer than any one request can take."""
    return timedelta(seconds=4 * settings.WEBHOOK_TIMEOUT_SECONDS + 30)


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    """Take a due delivery for sending, unless an earlier one of its contact is pending.

    The conditional UPDATE is the lock: of two workers, one changes the row, the other
    finds it no longer due. The try counts when claimed, so a delivery that kills its
    worker still runs out of tries.
    """
    claimed = (
        Delivery.objects.filter(
            pk=delivery_id,
            status=Status.PENDING,
            next_attempt_at__lte=now,
            webhook__in=Webhook.objects.filter(active=True).values("pk"),
        )
        .filter(~Exists(pending_before()))
        .update(next_attempt_at=now + _lease(), attempt_count=F("attempt_count") + 1)
    )
    return Delivery.objects.select_related("webhook").get(pk=delivery_id) if claimed else None


def _post(client: httpx.Client, delivery: Delivery, now: datetime) -> Outcome:
    """One signed POST. Only the status line is read: a slow body cannot hold the worker."""
    body = json.dumps(delivery.body(), cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "leadfunnel-webhooks/1.0",
        "X-Leadfunnel-Event": delivery.event,
        "X-Leadfunnel-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: signature(delivery.webhook.secret, body, int(now.timestamp())),
    }
    started = time.perf_counter()
    try:
        target = pinned(delivery.webhook.url)
        with client.stream(
            "POST",
            target.url,
            content=body,
            headers={**headers, "Host": target.host_header},
            extensions={"sni_hostname": target.server_name},
        ) as r:
            code = r.status_code
    except (PrivateTarget, OSError, httpx.HTTPError, httpx.InvalidURL) as exc:
        return Outcome(False, None, _failure(exc), _elapsed_ms(started))
    ok = 200 <= code < 300
    return Outcome(ok, code, "" if ok else f"HTTP {code}", _elapsed_ms(started))


def _failure(exc: Exception) -> str:
    """What failed, in words that do not tell a refused port from a filtered one or echo the
    network's own messages: shown to users, an error must not make the app a port scanner."""
    if isinstance(exc, PrivateTarget):
        return str(exc)
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | OSError):
        return _("Could not connect to the receiver (name, network or TLS).")
    if isinstance(exc, httpx.TimeoutException):
        return _("The receiver did not answer in time.")
    return _("The request to the receiver failed.")


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


@transaction.atomic
def _record(delivery: Delivery, outcome: Outcome, now: datetime) -> bool:
    """Keep the attempt and move the delivery on; whether it left the pending state."""
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempt_count,
        at=now,
        duration_ms=outcome.duration_ms,
        response_code=outcome.response_code,
        error=outcome.error,
        ok=outcome.ok,
    )
    pending = Delivery.objects.filter(pk=delivery.pk, status=Status.PENDING)
    if outcome.ok:
        return bool(pending.update(status=Status.DELIVERED, delivered_at=now))
    if delivery.attempt_count >= settings.WEBHOOK_MAX_ATTEMPTS:
        return bool(pending.update(status=Status.FAILED))
    pending.update(next_attempt_at=now + retry_delay(delivery.attempt_count))
    return False


def _next_in_line(delivery: Delivery) -> int | None:
    """The contact's next pending delivery to the same webhook, now free to go."""
    return (
        Delivery.objects.filter(
            webhook_id=delivery.webhook_id,
            contact_id=delivery.contact_id,
            status=Status.PENDING,
            pk__gt=delivery.pk,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


@cache
def _tls() -> ssl.SSLContext:
    """Loading the CA bundle takes about 0.1 s: once per process, not once per batch."""
    return httpx.create_ssl_context()


def _client() -> httpx.Client:
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
        follow_redirects=False,
        verify=_tls(),
    )


def deliveries_send(*, delivery_ids: Iterable[int], now: datetime | None = None) -> int:
    """Send the due deliveries among ``delivery_ids``, and after each one that ends, the
    contact's next one. Never inside a transaction: network time holds no lock."""
    queue = deque(delivery_ids)
    sent = 0
    with _client() as client:
        while queue:
            at = now or timezone.now()
            delivery = _claim(queue.popleft(), at)
            if delivery is None:
                continue
            sent += 1
            ended = _record(delivery, _post(client, delivery, at), at)
            successor = _next_in_line(delivery) if ended else None
            if successor is not None:
                queue.appendleft(successor)
    return sent


def deliveries_send_due(*, now: datetime | None = None, budget: float | None = None) -> int:
    """The beat sweep: send what is due (retries, lost enqueues) for at most ``budget``
    seconds; an overlapping sweep is harmless, the claims keep each row to one sender."""
    deadline = time.monotonic() + (budget or settings.WEBHOOK_SWEEP_BUDGET_SECONDS)
    total = 0
    while time.monotonic() < deadline:
        ids = due_delivery_ids(now=now or timezone.now(), limit=50)
        sent = deliveries_send(delivery_ids=ids, now=now) if ids else 0
        if not sent:
            break
        total += sent
    return total
