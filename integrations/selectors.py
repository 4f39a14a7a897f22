"""Reads shared by the API, the pages and the tasks of the integrations app."""

import csv
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, TextField
from django.db.models.functions import Cast

from leads.models import Contact

from .csvfiles import defuse, isoformat, read_records
from .models import Delivery, DeliveryAttempt, ImportJob

SAMPLE_BYTES = 64 * 1024

# The export's columns: header, the value's path on Contact, and its CSV format. Owner and
# campaign by name, for people reading the file (the API has the ids); attributes as the
# database's JSON text (no decoding and encoding again in Python).
_TEXT, _TIME = defuse, isoformat
EXPORT_COLUMNS: tuple[tuple[str, str, Callable[[Any], object] | None], ...] = (
    ("id", "id", None),
    ("email", "email", _TEXT),
    ("first_name", "first_name", _TEXT),
    ("last_name", "last_name", _TEXT),
    ("phone", "phone", _TEXT),
    ("company", "company", _TEXT),
    ("job_title", "job_title", _TEXT),
    ("company_size", "company_size", None),
    ("industry", "industry", _TEXT),
    ("country", "country", None),
    ("stage", "stage", None),
    ("score", "score", None),
    ("fit_score", "fit_score", None),
    ("engagement_score", "engagement_score", None),
    ("owner", "owner__username", _TEXT),
    ("campaign", "campaign__name", _TEXT),
    ("channel", "campaign__channel", None),
    ("created_at", "created_at", _TIME),
    ("stage_changed_at", "stage_changed_at", _TIME),
    ("sla_due_at", "sla_due_at", _TIME),
    ("lead_at", "lead_at", _TIME),
    ("mql_at", "mql_at", _TIME),
    ("sql_at", "sql_at", _TIME),
    ("qso_at", "qso_at", _TIME),
    ("client_at", "client_at", _TIME),
    ("budget", "budget", None),
    ("currency", "currency", None),
    ("close_by", "close_by", _TIME),
    ("won_amount", "won_amount", None),
    ("attributes", "attributes_text", _TEXT),
)


def contacts_export_rows(contacts: QuerySet[Contact]) -> Iterator[tuple]:
    """The rows of a contacts export, read with a server-side cursor a chunk at a time."""
    paths = [path for _, path, _ in EXPORT_COLUMNS]
    return (
        contacts.annotate(attributes_text=Cast("attributes", TextField()))
        .values_list(*paths)
        .iterator(chunk_size=settings.EXPORT_CHUNK_ROWS)
    )


def import_jobs() -> QuerySet[ImportJob]:
    """Jobs without their file: listing them must not load megabytes of CSV."""
    return ImportJob.objects.defer("content").select_related("created_by", "campaign")


def import_sample(job: ImportJob, *, rows: int = 3) -> list[list[str]]:
    """The first data rows of a draft's file, for the person choosing the columns."""
    if job.content is None:
        return []
    head = bytes(job.content[:SAMPLE_BYTES]).decode(job.encoding, errors="ignore")
    try:
        return [cells for _, cells in islice(read_records(head, job.delimiter), 1, 1 + rows)]
    except csv.Error:
        return []


def deliveries() -> QuerySet[Delivery]:
    return Delivery.objects.select_related("webhook").prefetch_related(
        Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("number", "id"))
    )


def pending_before() -> QuerySet[Delivery]:
    """For ``Exists``: a pending delivery of the same contact and webhook, created earlier."""
    return Delivery.objects.filter(
        webhook=OuterRef("webhook"),
        contact_id=OuterRef("contact_id"),
        status=Delivery.Status.PENDING,
        pk__lt=OuterRef("pk"),
    )


def due_delivery_ids(*, now: datetime, limit: int) -> list[int]:
    """Deliveries whose time has come and that no earlier one of their contact holds back."""
    return list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, next_attempt_at__lte=now, webhook__active=True
        )
        .filter(~Exists(pending_before()))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
