"""
CSV imports: store the file, queue the job, run it chunk after chunk, cancel it.

A job runs in a Celery task, one committed transaction per chunk: the chunk's contacts, its
rejected rows, its scores and the job's progress commit together. The job row is locked at
the start of each chunk and its ``processed_rows`` must still be the one the task expects, so
a second task on the same job (a redelivery after a worker died, a stalled-job sweep) stops
instead of applying a chunk twice, and a re-run resumes after the last committed chunk.
"""

import csv
import logging
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from enum import Enum
from itertools import islice

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from leads import duplicates, signals
from leads.jobs import enqueue_on_commit
from leads.models import Campaign, Contact, TouchSource
from leads.roles import User, account
from leads.touches import TouchIn, touches_record
from scoring.services import rescore_profiles

from ..csvfiles import (
    blank_records,
    count_lines,
    detect_delimiter,
    detect_encoding,
    first_line,
    read_records,
)
from ..errors import StateConflict
from ..mapping import (
    CleanRow,
    RowCleaner,
    RowRejected,
    guess_mapping,
    resolve_mapping,
    unique_columns,
)
from ..models import ImportJob, ImportLookAlike, ImportRejection, OnDuplicate
from ..upsert import upsert_contacts

logger = logging.getLogger(__name__)

Status = ImportJob.Status

# A draft is an uploaded file waiting for someone to confirm its columns on the import page;
# one left for a day is abandoned, and its file (personal data) is dropped.
DRAFT_TTL = timedelta(days=1)
HEAD_BYTES = 64 * 1024  # where the header row is looked for


def _read_upload(file: UploadedFile) -> bytes:
    limit = settings.IMPORT_MAX_BYTES
    if file.size and file.size > limit:
        too_large = _("The file is larger than %(mb)d MB.") % {"mb": limit // 1_000_000}
        raise ValidationError({"file": [too_large]})
    data = b"".join(file.chunks())
    if not data.strip():
        raise ValidationError({"file": [_("The file is empty.")]})
    return data


def _header(data: bytes) -> tuple[str, str, list[str]]:
    """The file's encoding, delimiter and column names."""
    encoding = detect_encoding(data)
    text = data[:HEAD_BYTES].decode(encoding, errors="ignore")  # no copy of a big file
    delimiter = detect_delimiter(first_line(text))
    try:
        _line, header = next(read_records(text, delimiter))
    except (StopIteration, csv.Error):
        header = []
    if not any(cell.strip() for cell in header):
        raise ValidationError({"file": [_("The first line must name the columns.")]})
    return encoding, delimiter, unique_columns(header)


@transaction.atomic
def import_create(
    *,
    by: User | None,
    file: UploadedFile,
    mapping: Mapping[str, str] | None = None,
    on_duplicate: OnDuplicate = OnDuplicate.SKIP,
    campaign: Campaign | None = None,
    start: bool = True,
    now: datetime | None = None,
) -> ImportJob:
    """Store an uploaded CSV file as an import job, and queue it unless ``start`` is false
    (the import page first shows the guessed mapping for a person to confirm)."""
    now = now or timezone.now()
    data = _read_upload(file)
    encoding, delimiter, columns = _header(data)
    mapping = resolve_mapping(columns, mapping) if start else guess_mapping(columns)
    ImportJob.objects.filter(status=Status.DRAFT, created_at__lt=now - DRAFT_TTL).delete()
    job = ImportJob.objects.create(
        created_by=account(by),
        created_at=now,
        file_name=(file.name or "import.csv")[-255:],
        file_size=len(data),
        content=data,
        encoding=encoding,
        delimiter=delimiter,
        columns=columns,
        mapping=mapping,
        on_duplicate=on_duplicate,
        campaign=campaign,
        total_rows=max(0, count_lines(data) - 1),
    )
    if start:
        _queue(job, now=now)
    return job


@transaction.atomic
def import_start(
    *,
    job: ImportJob,
    mapping: Mapping[str, str],
    on_duplicate: OnDuplicate,
    campaign: Campaign | None = None,
    now: datetime | None = None,
) -> ImportJob:
    """Confirm a draft's mapping and options, and queue it."""
    job = _locked(job.pk)
    if job.status != Status.DRAFT:
        raise StateConflict(_("This import has started already."), status=job.status)
    job.mapping = resolve_mapping(job.columns, mapping)
    job.on_duplicate = on_duplicate
    job.campaign = campaign
    job.save(update_fields=["mapping", "on_duplicate", "campaign"])
    _queue(job, now=now or timezone.now())
    return job


def _queue(job: ImportJob, *, now: datetime) -> None:
    job.status = Status.QUEUED
    job.heartbeat_at = now
    job.save(update_fields=["status", "heartbeat_at"])
    enqueue_on_commit(
        "integrations.tasks.run_import",
        job.pk,
        waiting=f"the stalled-job sweep (imports_stalled) will run import {job.pk}",
    )


@transaction.atomic
def import_cancel(*, job: ImportJob, now: datetime | None = None) -> ImportJob:
    """Stop an import: at once if it has not started, after the current chunk if it runs.

    Contacts of chunks committed before the cancel stay imported.
    """
    job = _locked(job.pk)
    if job.status in (Status.DRAFT, Status.QUEUED):
        _finish(job, Status.CANCELLED, now=now or timezone.now())
    elif job.status == Status.RUNNING:
        job.cancel_requested = True
        job.save(update_fields=["cancel_requested"])
    elif job.status != Status.CANCELLED:
        raise StateConflict(_("This import has ended already."), status=job.status)
    return job


def _locked(pk: int) -> ImportJob:
    """The job row, locked, without its file (megabytes that a status change does not need)."""
    return ImportJob.objects.select_for_update().defer("content").get(pk=pk)


def _finish(job: ImportJob, status: Status, *, now: datetime, error: str = "") -> None:
    """End the job and drop its file: the report keeps counts and line numbers only."""
    job.status = status
    job.finished_at = now
    job.error = error
    job.content = None
    if status == Status.DONE:
        job.total_rows = job.processed_rows
    job.save(update_fields=["status", "finished_at", "error", "content", "total_rows"])


@transaction.atomic
def imports_erase_person(*, email: str) -> int:
    """Blank an erased person's rows in the files not imported yet; the count of files changed.

    A finished import keeps no file, but a draft, a queued job or one half-way would bring
    the person back as a new contact after the erasure. A row goes when any of its cells is
    the e-mail (a draft's columns are not mapped yet). The job row is locked first, so a
    running task finishes its chunk before the file changes and, seeing the new revision,
    reads the rest of it again before the next one.
    """
    key = email.strip().casefold()
    changed = 0
    open_files = ImportJob.objects.filter(status__in=ImportJob.OPEN, content__isnull=False)
    for pk in open_files.order_by("pk").values_list("pk", flat=True):
        job = ImportJob.objects.select_for_update().get(pk=pk)
        text = bytes(job.content or b"").decode(job.encoding)
        if key not in text.casefold():
            continue  # the cheap look first: most files do not hold the person
        text = blank_records(  # type: ignore[assignment]
            text,
            job.delimiter,
            lambda cells: any(cell.strip().casefold() == key for cell in cells),
        )
        if text is not None:
            job.content = text.encode(job.encoding)
            job.content_revision += 1
            job.save(update_fields=["content", "content_revision"])
            changed += 1
    return changed


def imports_stalled(*, now: datetime | None = None) -> list[int]:
    """Queued or running jobs with no progress for a while: their task was lost (a worker
    killed, an enqueue that failed while the broker was down) and can be run again."""
    since = (now or timezone.now()) - timedelta(seconds=settings.IMPORT_STALLED_SECONDS)
    return list(
        ImportJob.objects.filter(
            status__in=[Status.QUEUED, Status.RUNNING], heartbeat_at__lt=since
        ).values_list("pk", flat=True)
    )


def import_run(*, job_id: int, now: datetime | None = None) -> ImportJob:
    """Import what is left of the job's file, a committed chunk at a time (the task's body).

    Safe to call again at any time: it resumes after the last committed chunk, and does
    nothing for a job that ended or that another task is running.
    """
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[Status.QUEUED, Status.RUNNING]
    ).update(
        status=Status.RUNNING, started_at=Coalesce("started_at", Value(now or timezone.now()))
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed or job.content is None:
        return job
    cleaner = RowCleaner(job.columns, job.mapping)
    done = job.processed_rows
    revision, records = job.content_revision, _records_after(job, done)
    try:
        while True:
            chunk = list(islice(records, settings.IMPORT_CHUNK_ROWS))
            step = _run_chunk(job.pk, chunk, cleaner, done=done, revision=revision, now=now)
            if step is _Step.STOP:
                break
            if step is _Step.READ_AGAIN:
                job = ImportJob.objects.get(pk=job_id)
                revision, records = job.content_revision, _records_after(job, done)
                continue
            done += len(chunk)
    except csv.Error as exc:
        with transaction.atomic():
            failed = _locked(job.pk)
            message = f"The file is not valid CSV after row {done}: {exc}"
            _finish(failed, Status.FAILED, now=now or timezone.now(), error=message)
    return ImportJob.objects.defer("content").get(pk=job_id)


def _records_after(job: ImportJob, skip: int) -> Iterator[tuple[int, list[str]]]:
    """The data rows (after the header) not yet imported, with their line numbers."""
    text = bytes(job.content or b"").decode(job.encoding)
    return islice(read_records(text, job.delimiter), 1 + skip, None)


class _Step(Enum):
    GO_ON = "go on"
    READ_AGAIN = "read the file again"
    STOP = "stop"


@transaction.atomic
def _run_chunk(
    job_id: int,
    chunk: list[tuple[int, list[str]]],
    cleaner: RowCleaner,
    *,
    done: int,
    revision: int,
    now: datetime | None,
) -> _Step:
    """Import one chunk and count it, unless the job must stop or its file was rewritten
    since ``chunk`` was read from it."""
    now = now or timezone.now()
    job = _locked(job_id)
    if job.status != Status.RUNNING or job.processed_rows != done:
        return _Step.STOP  # cancelled before it started, or another task is running it
    if job.content_revision != revision:
        return _Step.READ_AGAIN
    if job.cancel_requested or not chunk:
        _finish(job, Status.CANCELLED if job.cancel_requested else Status.DONE, now=now)
        return _Step.STOP
    rows, rejections = [], []
    for line, cells in chunk:
        try:
            row = cleaner.clean(line, cells)
        except RowRejected as exc:
            rejections.append(ImportRejection(job=job, line=line, reason=str(exc)))
            continue
        if row is not None:
            rows.append(row)
    result = upsert_contacts(
        rows, policy=OnDuplicate(job.on_duplicate), campaign_id=job.campaign_id, now=now
    )
    ImportRejection.objects.bulk_create(rejections)
    if result.created:
        # Like any bulk creation: scoring gives the new contacts their profile score, webhooks
        # announce them, both in this transaction.
        signals.contacts_created.send(sender=Contact, contact_ids=set(result.created))
    if result.updated:
        rescore_profiles(contact_ids=set(result.updated), now=now)
    if job.campaign_id:  # each row the campaign reached is one of its touches
        touches_record(
            [
                TouchIn(pk, now, TouchSource.IMPORT, campaign_id=job.campaign_id)
                for pk in [*result.created, *result.updated]
            ]
        )
    look_alikes = _look_alikes(job, rows, result.created)
    ImportJob.objects.filter(pk=job_id).update(
        processed_rows=done + len(chunk),
        created_count=F("created_count") + len(result.created),
        updated_count=F("updated_count") + len(result.updated),
        skipped_count=F("skipped_count") + len(rows) - len(result.created) - len(result.updated),
        rejected_count=F("rejected_count") + len(rejections),
        look_alike_count=F("look_alike_count") + look_alikes,
        heartbeat_at=now,
    )
    return _Step.GO_ON


def _look_alikes(job: ImportJob, rows: list[CleanRow], created: list[int]) -> int:
    """Warn of the rows that created a contact looking like another one: the pairs are
    stored for the duplicates page, and each such row keeps its likeliest look-alike.
    Returns how many rows."""
    if not created:
        return 0
    best: dict[int, tuple[float, int]] = {}
    for (a, b), candidate in duplicates.pairs_store(created).items():
        for new, other in ((a, b), (b, a)):
            if new in best and best[new][0] >= candidate.score:
                continue
            best[new] = (candidate.score, other)
    new_ids = set(created)
    lines = {row.key: row.line for row in reversed(rows)}  # the first row of an e-mail made it
    emails = Contact.objects.filter(pk__in=[pk for pk in best if pk in new_ids])
    ImportLookAlike.objects.bulk_create(
        ImportLookAlike(
            job=job,
            line=lines[str(email).lower()],
            contact_id=pk,
            looks_like_id=best[pk][1],
            score=best[pk][0],
        )
        for pk, email in emails.values_list("pk", "email")
    )
    return emails.count()
