from celery import shared_task

from .mail import confirmation_send as send


@shared_task(name="capture.tasks.confirmation_send")
def confirmation_send(submission_id: int, site: str, language: str = "") -> bool:
    """E-mail the double opt-in link of one submission, in the page's language."""
    return send(submission_id, site, language)
