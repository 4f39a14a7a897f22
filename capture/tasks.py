from celery import shared_task

from .mail import confirmation_send as send


@shared_task(name="capture.tasks.confirmation_send")
def confirmation_send(submission_id: int, site: str) -> bool:
    """E-mail the double opt-in link of one submission."""
    return send(submission_id, site)
