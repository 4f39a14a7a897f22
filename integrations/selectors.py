"""Reads shared by the API, the pages and the tasks of the integrations app."""

import csv
from collections.abc import Iterator
from datetime import datetime
from itertools import islice

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from leads.models import Contact

from .csvfiles import read_records
from .models import Delivery, DeliveryAttempt, ImportJob

SAMPLE_BYTES = 64 * 1024

# The export's columns: header -> the value path on Contact. Owner and campaign by name, for
# people reading the file; ids are in the API.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("email", "email"),
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("phone", "phone"),
    ("company", "company"),
    ("job_title", "job_title"),
    ("company_size", "company_size"),
    ("industry", "industry"),
    ("country", "country"),
    ("stage", "stage"),
    ("score", "score"),
    ("fit_score", "fit_score"),
    ("engagement_score", "engagement_score"),
    ("owner", "owner__username"),
    ("campaign", "campaign__name"),
    ("channel", "campaign__channel"),
    ("created_at", "created_at"),
    ("stage_changed_at", "stage_changed_at"),
    ("sla_due_at", "sla_due_at"),
    ("lead_at", "lead_at"),
    ("mql_at", "mql_at"),
    ("sql_at", "sql_at"),
    ("qso_at", "qso_at"),
    ("client_at", "client_at"),
    ("budget", "budget"),
    ("currency", "currency"),
    ("close_by", "close_by"),
    ("won_amount", "won_amount"),
    ("attributes", "attributes"),
)


def contacts_export_rows(contacts: QuerySet[Contact]) -> Iterator[tuple]:
    """The rows of a contacts export, read with a server-side cursor a chunk at a time."""
    paths = [path for _, path in EXPORT_COLUMNS]
    return contacts.values_list(*paths).iterator(chunk_size=settings.EXPORT_CHUNK_ROWS)


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
