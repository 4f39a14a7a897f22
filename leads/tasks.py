"""Celery tasks: thin, idempotent."""

from celery import shared_task

from . import duplicates


@shared_task(name="leads.tasks.duplicates_refresh")
def duplicates_refresh(contact_ids: list[int]) -> int:
    """The suggested pairs of contacts created in bulk (an event batch, an import)."""
    return duplicates.pairs_refresh(contact_ids)


@shared_task(name="leads.tasks.duplicates_scan")
def duplicates_scan(job_id: int) -> int:
    """The full duplicate scan: resumes after its last committed range when run again."""
    return duplicates.scan_run(job_id).found
