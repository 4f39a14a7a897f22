"""Background work of the evidence app: a thin wrapper that takes an id and calls a service."""

from celery import shared_task

from . import services


@shared_task(name="evidence.tasks.run_analysis")
def run_analysis(analysis_id: int) -> None:
    """Run (or run again, after a lost worker) an analysis; safe to deliver twice."""
    services.analysis_run(analysis_id=analysis_id)
