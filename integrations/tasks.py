"""Celery tasks: thin, take ids, safe to run twice (acks are late)."""

from celery import shared_task

from .services import imports, webhooks


@shared_task(name="integrations.tasks.run_import")
def run_import(job_id: int) -> None:
    """Import a job's file, or resume it after the last committed chunk."""
    imports.import_run(job_id=job_id)


@shared_task(name="integrations.tasks.resume_stalled_imports")
def resume_stalled_imports() -> None:
    """Queue again the jobs whose task was lost (see ``imports.imports_stalled``)."""
    for job_id in imports.imports_stalled():
        run_import.delay(job_id)


@shared_task(name="integrations.tasks.deliver_webhooks")
def deliver_webhooks(delivery_ids: list[int]) -> None:
    """Send these deliveries now (enqueued after the commit that wrote them)."""
    webhooks.deliveries_send(delivery_ids=delivery_ids)


@shared_task(name="integrations.tasks.deliver_due_webhooks")
def deliver_due_webhooks() -> None:
    """The beat sweep: retries that are due, and deliveries whose enqueue was lost."""
    webhooks.deliveries_send_due()
