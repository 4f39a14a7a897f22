"""Celery tasks of the reporting app. The beat schedule is in settings."""

from celery import shared_task

from . import rollups


@shared_task(name="reporting.tasks.fold_rollups")
def fold_rollups() -> int:
    """Beat, every minute: add the funnel's pending changes to its folded counts, so that a
    report reads a handful of new rows beside them, never a day's worth."""
    return rollups.rollups_fold()
